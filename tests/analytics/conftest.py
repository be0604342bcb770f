"""Incident history for the analytics tests: a small deterministic factory, bulk inserted."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jingwu.command.models import Incident
from jingwu.core.db import Database
from jingwu.places.models import Community

# hour-of-day weights of a station's calls: quiet at dawn, busy in the evening
HOUR_WEIGHTS = [2, 1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4, 3]
CATEGORY_WEIGHTS = {
    "0101": 10,
    "0106": 3,
    "0104": 2,
    "0108": 0.2,
    "0201": 5,
    "0204": 6,
    "0301": 8,
    "0401": 6,
    "0402": 4,
    "0501": 3,
    "0502": 5,
    "0601": 1,
    "0701": 0.5,
    "0801": 2,
    "0802": 2,
}


def incident_rows(
    communities: list[tuple[int, int | None, list[list[float]]]],
    *,
    start: datetime,
    days: int,
    per_day: float,
    seed: int = 1,
    codes: dict[str, float] | None = None,
    first_number: int = 0,
) -> list[dict[str, Any]]:
    """Rows for ``Incident``: Poisson-ish daily counts, a 24-hour curve, inside the communities."""
    rng = random.Random(seed)
    weights = codes or CATEGORY_WEIGHTS
    names, cat_w = list(weights), list(weights.values())
    rows: list[dict[str, Any]] = []
    number = first_number
    for day in range(days):
        count = max(0, round(rng.gauss(per_day, per_day**0.5)))
        for _ in range(count):
            hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
            at = start + timedelta(days=day, hours=hour - 8, minutes=rng.randint(0, 59))
            community_id, beat_id, ring = rng.choice(communities)
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            number += 1
            rows.append(
                {
                    "number": f"T{number:08d}",
                    "status": "closed",
                    "priority": 3,
                    "category_code": rng.choices(names, cat_w)[0],
                    "lat": rng.uniform(min(lats), max(lats)),
                    "lon": rng.uniform(min(lons), max(lons)),
                    "community_id": community_id,
                    "beat_id": beat_id,
                    "address_text": "测试地址",
                    "reported_at": at,
                    "is_drill": False,
                }
            )
    return rows


def bulk_insert(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    batch = list(rows)
    if batch:
        session.execute(insert(Incident), batch)
    return len(batch)


def station_communities(session: Session) -> list[tuple[int, int | None, list[list[float]]]]:
    return [
        (c.id, c.beat_id, c.boundary)
        for c in session.scalars(select(Community).order_by(Community.code))
    ]


@pytest.fixture
def history(station: Database) -> Callable[..., int]:
    """Insert generated incidents: ``history(start=…, days=…, per_day=…, seed=…)``."""
    counter = {"n": 0}

    def _make(**kwargs: Any) -> int:
        with station.session() as session:
            rows = incident_rows(station_communities(session), first_number=counter["n"], **kwargs)
            counter["n"] += len(rows) + 1
            return bulk_insert(session, rows)

    return _make


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)
