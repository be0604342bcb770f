"""The fire squad on top of the Leifeng station: apparatus, ten members, water, run cards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jingwu.core.db import Database
from jingwu.fire.demo import build_fire_station
from jingwu.fire.models import FireMember
from jingwu.identity.models import Officer
from jingwu.sim.leifeng import build_scenario
from jingwu.units.models import Unit


@pytest.fixture
def station(db: Database) -> Database:
    """The scenario plus the fire squad, without the history since 1998 (kept fast)."""
    with db.session() as session:
        build_scenario(session, seed=7)
        build_fire_station(session, seed=7, history=False)
    return db


@pytest.fixture
def ids(station: Database) -> Callable[[str], int]:
    """Look up a unit by call sign or a squad member by username."""

    def _lookup(name: str) -> int:
        with station.session(write=False) as session:
            unit = session.query(Unit).filter(Unit.call_sign == name).first()
            if unit is not None:
                return unit.id
            member = (
                session.query(FireMember)
                .join(Officer, Officer.id == FireMember.officer_id)
                .filter(Officer.username == name)
                .one()
            )
            return member.id

    return _lookup


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def flood_call(**overrides: Any) -> dict[str, Any]:
    call = {
        "category_code": "0701",
        "caller_phone": "13900001111",
        "address_text": "雷锋湖社区雷锋湖路18号 沿河低洼处",
        "lat": 28.2330,
        "lon": 112.8455,
        "description": "河水漫堤，低洼处十余户群众被困",
    }
    call.update(overrides)
    return call
