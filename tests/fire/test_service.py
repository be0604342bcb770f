"""Readiness from records, run cards that fall back, diverted calls, and what is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jingwu.command import intake
from jingwu.command import service as command_service
from jingwu.command.schemas import IncidentIn
from jingwu.command.states import IncidentStatus, Route
from jingwu.core.db import Database
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.fire import operations, service
from jingwu.fire.models import QualificationKind, Readiness
from jingwu.fire.schemas import QualificationIn
from jingwu.identity.models import Officer
from tests.fire.conftest import flood_call


def _call(session: Any, officer_id: int, **overrides: Any) -> Any:
    return intake.do_intake(
        session,
        data=IncidentIn(**flood_call(**overrides)),
        officer_id=officer_id,
        idempotency_key=None,
        radius_m=1.0,
        window_minutes=1,
    ).incident


def _officer(session: Any, username: str) -> int:
    return int(session.scalars(select(Officer.id).where(Officer.username == username)).one())


def test_readiness_is_read_from_qualifications(
    station: Database, ids: Callable[[str], int]
) -> None:
    with station.session() as session:
        lapsed = service.get_member(session, member_id=ids("fire07"))
        described = service.describe_members(session, [lapsed])[0]
        assert not described.ready
        assert any("应急救护" in r for r in described.not_ready_reasons)
        board = service.readiness_board(session)
        assert (board.members_ready, board.members_total) == (9, 10)
        assert board.expiring_soon >= 1
        today = service.local_today()
        service.do_record_qualification(
            session,
            member=lapsed,
            data=QualificationIn(
                kind=QualificationKind.FIRST_AID,
                issued_on=today,
                expires_on=today + timedelta(days=730),
            ),
            actor_id=None,
        )
        assert service.describe_members(session, [lapsed])[0].ready
        assert service.readiness_board(session).members_ready == 10


def test_out_of_service_apparatus_is_not_proposed(
    station: Database, ids: Callable[[str], int]
) -> None:
    with station.session() as session:
        incident = _call(session, _officer(session, "fire"))
        pairs = {u.call_sign: a for a, u in service.list_apparatus(session)}
        service.do_set_readiness(
            session,
            apparatus=pairs["望城站排涝泵车"],
            readiness=Readiness.MAINTENANCE,
            note="换泵",
            actor_id=None,
        )
        plan = operations.plan_for(session, incident=incident, alarm_level=2)
        assert "望城站排涝泵车" not in [p.call_sign for p in plan.proposed]
        assert plan.shortfall == ["排涝泵车"]


def test_run_cards_fall_back_to_the_category_and_the_level_below(station: Database) -> None:
    with station.session() as session:
        trapped = operations.find_run_card(session, category_code="0702", alarm_level=2)
        assert (trapped.category_code, trapped.alarm_level) == ("07", 2)
        car_fire = operations.find_run_card(session, category_code="0602", alarm_level=3)
        assert (car_fire.category_code, car_fire.alarm_level) == ("0602", 1)
        with pytest.raises(NotFound):
            operations.find_run_card(session, category_code="0101", alarm_level=1)


def test_a_call_the_room_diverted_to_fire_is_taken_over(
    station: Database, ids: Callable[[str], int]
) -> None:
    with station.session() as session:
        dispatcher = _officer(session, "dispatcher")
        incident = _call(session, dispatcher, category_code="0601", description="厨房起火")
        command_service.do_triage(
            session, incident=incident, route=Route.FIRE, reason="火警转消防", actor_id=dispatcher
        )
        assert incident.status == IncidentStatus.DIVERTED.value
        operation = operations.do_dispatch_by_plan(
            session, incident=incident, alarm_level=1, unit_ids=None, instruction="", actor_id=1
        )
        assert incident.status == IncidentStatus.DISPATCHED.value
        assert incident.route == Route.FIRE.value
        assert operation.alarm_level == 1
        fulfilled = operations.plan_for(session, incident=incident, alarm_level=1)
        assert (fulfilled.proposed, fulfilled.shortfall) == ([], [])
        escalated = operations.plan_for(session, incident=incident, alarm_level=2)
        assert sorted(p.kind for p in escalated.proposed) == ["aerial", "rescue"]
        with pytest.raises(Conflict):
            operations.do_dispatch_by_plan(
                session, incident=incident, alarm_level=1, unit_ids=None, instruction="", actor_id=1
            )
        queue = operations.fire_incidents(session)
        assert sorted(queue[0].fire_units) == ["望城站1号水罐车", "望城站2号水罐车"]
        with pytest.raises(InvalidInput):
            operations.do_dispatch_by_plan(
                session,
                incident=incident,
                alarm_level=1,
                unit_ids=[ids("2号巡逻车")],
                instruction="",
                actor_id=1,
            )
        # all engines are out: a second fire finds nothing ready to send
        other = _call(session, 1, category_code="0601", lat=28.21, lon=112.81)
        with pytest.raises(Conflict):
            operations.do_dispatch_by_plan(
                session, incident=other, alarm_level=1, unit_ids=None, instruction="", actor_id=1
            )


def test_watch_room_takes_only_fire_rescue_and_aid(station: Database) -> None:
    with station.session() as session, pytest.raises(InvalidInput):
        operations.do_take_fire_call(
            session,
            data=IncidentIn(**flood_call(category_code="0101")),
            alarm_level=1,
            dispatch=True,
            officer_id=1,
            idempotency_key=None,
            radius_m=1.0,
            window_minutes=1,
        )


def test_qualification_must_expire_after_issue() -> None:
    with pytest.raises(ValueError, match="有效期"):
        QualificationIn(kind="driver", issued_on=date(2025, 1, 1), expires_on=date(2024, 1, 1))
