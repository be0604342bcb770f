"""Units: who they are, where they are, what they are doing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jingwu.core import events
from jingwu.core.clock import as_utc, seconds_between, utcnow
from jingwu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from jingwu.core.geo import check_point
from jingwu.identity import audit
from jingwu.identity.models import Officer
from jingwu.identity.roles import Role
from jingwu.units.events import UnitPositionReported, UnitStatusChanged
from jingwu.units.models import (
    UNIT_KIND_LABELS,
    UNIT_STATUS_LABELS,
    CrewMember,
    Unit,
    UnitKind,
    UnitPosition,
    UnitStatus,
)
from jingwu.units.schemas import CrewOut, PositionIn, UnitOut

STALE_AFTER_S = 120.0
MAX_FUTURE_SKEW = timedelta(minutes=2)
MAX_FIX_AGE = timedelta(hours=24)


def get_unit(session: Session, *, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"警力单元不存在 / no unit {unit_id}", code="unit_not_found")
    return unit


def list_units(
    session: Session, *, status: str | None = None, beat_id: int | None = None
) -> list[Unit]:
    query = select(Unit).order_by(Unit.call_sign)
    if status:
        query = query.where(Unit.status == status)
    if beat_id:
        query = query.where(Unit.beat_id == beat_id)
    return list(session.scalars(query).all())


def crew_of(session: Session, *, unit_ids: list[int]) -> dict[int, list[Officer]]:
    crews: dict[int, list[Officer]] = {uid: [] for uid in unit_ids}
    if not unit_ids:
        return crews
    rows = session.execute(
        select(CrewMember.unit_id, Officer)
        .join(Officer, Officer.id == CrewMember.officer_id)
        .where(CrewMember.unit_id.in_(unit_ids))
    ).all()
    for unit_id, officer in rows:
        crews[unit_id].append(officer)
    return crews


def units_of_officer(session: Session, *, officer_id: int) -> list[Unit]:
    query = (
        select(Unit)
        .join(CrewMember, CrewMember.unit_id == Unit.id)
        .where(CrewMember.officer_id == officer_id)
        .order_by(Unit.id)
    )
    return list(session.scalars(query).all())


def is_crew(session: Session, *, unit_id: int, officer_id: int) -> bool:
    query = select(CrewMember.id).where(
        CrewMember.unit_id == unit_id, CrewMember.officer_id == officer_id
    )
    return session.scalars(query).first() is not None


def describe(session: Session, units: list[Unit]) -> list[UnitOut]:
    crews = crew_of(session, unit_ids=[u.id for u in units])
    now = utcnow()
    described = []
    for unit in units:
        age = seconds_between(unit.last_fix_at, now)
        described.append(
            UnitOut(
                id=unit.id,
                call_sign=unit.call_sign,
                kind=unit.kind,
                kind_label=UNIT_KIND_LABELS.get(UnitKind(unit.kind), unit.kind),
                status=unit.status,
                status_label=UNIT_STATUS_LABELS.get(UnitStatus(unit.status), unit.status),
                beat_id=unit.beat_id,
                team_id=unit.team_id,
                lat=unit.lat,
                lon=unit.lon,
                heading=unit.heading,
                speed_mps=unit.speed_mps,
                last_fix_at=unit.last_fix_at,
                fix_age_s=age,
                stale=age is None or age > STALE_AFTER_S,
                current_incident_id=unit.current_incident_id,
                crew=[
                    CrewOut(officer_id=o.id, display_name=o.display_name) for o in crews[unit.id]
                ],
            )
        )
    return described


def create_unit(
    session: Session,
    *,
    call_sign: str,
    kind: UnitKind,
    beat_id: int | None,
    team_id: int | None,
    crew_officer_ids: list[int],
    actor_id: int | None,
) -> Unit:
    if session.scalars(select(Unit).where(Unit.call_sign == call_sign)).first():
        raise Conflict(f"呼号已存在 / call sign taken: {call_sign}", code="call_sign_taken")
    unit = Unit(call_sign=call_sign, kind=kind.value, beat_id=beat_id, team_id=team_id)
    session.add(unit)
    session.flush()
    for officer_id in dict.fromkeys(crew_officer_ids):
        if session.get(Officer, officer_id) is None:
            raise InvalidInput(f"警员不存在 / no officer {officer_id}", code="unknown_officer")
        session.add(CrewMember(unit_id=unit.id, officer_id=officer_id))
    audit.write(
        session,
        officer_id=actor_id,
        action="unit.create",
        entity="unit",
        entity_id=unit.id,
        detail={"call_sign": call_sign, "kind": kind.value},
    )
    session.flush()
    return unit


def check_may_speak_for(session: Session, *, unit: Unit, officer: Officer) -> None:
    """Only the unit's own crew (or an admin's integration token) may report for it."""
    if officer.role == Role.ADMIN.value:
        return
    if not is_crew(session, unit_id=unit.id, officer_id=officer.id):
        raise Forbidden(
            f"{officer.display_name} 不是 {unit.call_sign} 的车组成员，不能代其上报位置",
            code="not_crew_of_unit",
            unit_id=unit.id,
        )


def check_position(*, position: PositionIn) -> datetime:
    """The fix's place and time are plausible; returns its time (now if it has none), UTC."""
    check_point(position.lat, position.lon)
    now = utcnow()
    at = as_utc(position.at) if position.at else now
    if at > now + MAX_FUTURE_SKEW:
        raise InvalidInput("定位时间在未来 / fix time is in the future", code="fix_in_future")
    if at < now - MAX_FIX_AGE:
        raise InvalidInput("定位时间过旧 (超过24小时) / fix is older than 24 h", code="fix_too_old")
    return at


def _move_if_newer(session: Session, *, unit: Unit, position: PositionIn, at: datetime) -> None:
    if unit.last_fix_at is not None and at < as_utc(unit.last_fix_at):
        return
    unit.lat, unit.lon, unit.last_fix_at = position.lat, position.lon, at
    unit.heading, unit.speed_mps = position.heading, position.speed_mps
    events.record(
        session,
        UnitPositionReported(
            unit_id=unit.id,
            lat=position.lat,
            lon=position.lon,
            heading=position.heading,
            speed_mps=position.speed_mps,
            at=at,
        ),
    )


def do_report_position(
    session: Session, *, unit: Unit, position: PositionIn, source: str
) -> UnitPosition:
    """Keep every fix; move the unit only when the fix is newer than the one it has."""
    at = check_position(position=position)
    fix = UnitPosition(
        unit_id=unit.id,
        at=at,
        lat=position.lat,
        lon=position.lon,
        heading=position.heading,
        speed_mps=position.speed_mps,
        accuracy_m=position.accuracy_m,
        source=source,
    )
    session.add(fix)
    _move_if_newer(session, unit=unit, position=position, at=at)
    session.flush()
    return fix


@dataclass(frozen=True)
class CheckedFix:
    """A fix that passed :func:`check_position` (``at`` is its UTC time), waiting to be stored."""

    unit_id: int
    position: PositionIn
    at: datetime
    source: str


def do_report_positions(session: Session, *, fixes: Sequence[CheckedFix]) -> None:
    """Store many checked fixes at once (one bulk insert); each unit ends at its newest fix.

    Fixes are applied in the order given, as :func:`do_report_position` would one by one:
    every fix is kept, and each one newer than the unit's current fix moves it and records a
    ``unit.position`` event.
    """
    if not fixes:
        return
    received = utcnow()
    session.execute(
        insert(UnitPosition),
        [
            {
                "unit_id": f.unit_id,
                "at": f.at,
                "lat": f.position.lat,
                "lon": f.position.lon,
                "heading": f.position.heading,
                "speed_mps": f.position.speed_mps,
                "accuracy_m": f.position.accuracy_m,
                "source": f.source,
                "received_at": received,
            }
            for f in fixes
        ],
    )
    unit_ids = sorted({f.unit_id for f in fixes})
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    for f in fixes:
        unit = units.get(f.unit_id)
        if unit is None:
            raise NotFound(f"警力单元不存在 / no unit {f.unit_id}", code="unit_not_found")
        _move_if_newer(session, unit=unit, position=f.position, at=f.at)
    session.flush()


def position_history(session: Session, *, unit_id: int, limit: int = 200) -> list[UnitPosition]:
    query = (
        select(UnitPosition)
        .where(UnitPosition.unit_id == unit_id)
        .order_by(UnitPosition.at.desc())
        .limit(limit)
    )
    return list(session.scalars(query).all())


def do_set_status(
    session: Session,
    *,
    unit: Unit,
    status: UnitStatus,
    incident_id: int | None = None,
    actor_id: int | None,
) -> None:
    previous = unit.status
    if previous == status.value and unit.current_incident_id == incident_id:
        return
    unit.status = status.value
    unit.current_incident_id = incident_id
    unit.status_changed_at = utcnow()
    audit.write(
        session,
        officer_id=actor_id,
        action="unit.status",
        entity="unit",
        entity_id=unit.id,
        detail={"from": previous, "to": status.value, "incident_id": incident_id},
    )
    events.record(
        session,
        UnitStatusChanged(
            unit_id=unit.id, status=status.value, previous=previous, incident_id=incident_id
        ),
    )
