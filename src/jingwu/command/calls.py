"""一键呼: call one unit, a beat's units, every unit within a radius, or everyone on duty.

Each target acknowledges on its terminal; a target silent past ``ack_within_s`` escalates once
(an event the console shows red, and a timeline/audit row).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.command.room_events import CallAcknowledged, CallEscalated, CallIssued
from jingwu.command.room_models import CallTarget, OneKeyCall
from jingwu.command.room_schemas import (
    CALL_SCOPE_LABELS,
    CallIn,
    CallOut,
    CallScope,
    CallTargetOut,
)
from jingwu.core import events
from jingwu.core.clock import as_utc, utcnow
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.core.geo import check_point, haversine_m
from jingwu.identity import audit
from jingwu.places import service as places_service
from jingwu.units import service as units_service
from jingwu.units.models import Unit, UnitStatus

OPEN_WINDOW = timedelta(minutes=30)


def get_call(session: Session, *, call_id: int) -> OneKeyCall:
    call = session.get(OneKeyCall, call_id)
    if call is None:
        raise NotFound(f"呼叫不存在 / no call {call_id}", code="call_not_found")
    return call


def check_targets(session: Session, *, data: CallIn) -> list[Unit]:
    """The units a call reaches; off-duty units are left out of group calls."""
    if data.scope is CallScope.UNIT:
        assert data.unit_id is not None
        return [units_service.get_unit(session, unit_id=data.unit_id)]
    on_duty = [u for u in units_service.list_units(session) if u.status != UnitStatus.OFF_DUTY]
    if data.scope is CallScope.BEAT:
        assert data.beat_id is not None
        places_service.get_beat(session, beat_id=data.beat_id)
        targets = [u for u in on_duty if u.beat_id == data.beat_id]
    elif data.scope is CallScope.RADIUS:
        assert data.lat is not None
        assert data.lon is not None
        assert data.radius_m is not None
        lat, lon = check_point(data.lat, data.lon)
        radius = data.radius_m
        targets = [
            u
            for u in on_duty
            if u.lat is not None
            and u.lon is not None
            and haversine_m(lat, lon, u.lat, u.lon) <= radius
        ]
    else:
        targets = on_duty
    if not targets:
        raise InvalidInput("没有可呼叫的在岗警力 / no unit on duty matches", code="no_targets")
    return targets


def do_call(session: Session, *, data: CallIn, actor_id: int, default_ack_s: int) -> OneKeyCall:
    targets = check_targets(session, data=data)
    call = OneKeyCall(
        scope=data.scope.value,
        message=data.message,
        beat_id=data.beat_id,
        lat=data.lat,
        lon=data.lon,
        radius_m=data.radius_m,
        incident_id=data.incident_id,
        ack_within_s=data.ack_within_s or default_ack_s,
        created_by_id=actor_id,
        created_at=utcnow(),
    )
    session.add(call)
    session.flush()
    for unit in targets:
        session.add(CallTarget(call_id=call.id, unit_id=unit.id))
    audit.write(
        session,
        officer_id=actor_id,
        action="call.issue",
        entity="one_key_call",
        entity_id=call.id,
        detail={"scope": call.scope, "units": [u.id for u in targets], "message": data.message},
    )
    events.record(
        session,
        CallIssued(
            call_id=call.id,
            scope=call.scope,
            message=call.message,
            target_unit_ids=[u.id for u in targets],
            ack_within_s=call.ack_within_s,
            incident_id=call.incident_id,
        ),
    )
    session.flush()
    return call


def do_acknowledge(session: Session, *, call: OneKeyCall, unit_id: int, actor_id: int) -> None:
    target = session.scalars(
        select(CallTarget).where(CallTarget.call_id == call.id, CallTarget.unit_id == unit_id)
    ).first()
    if target is None:
        raise NotFound("该单元不在本次呼叫中 / this unit was not called", code="not_called")
    if target.acknowledged_at is not None:
        raise Conflict("已应答 / already acknowledged", code="already_acknowledged")
    target.acknowledged_at = utcnow()
    target.acknowledged_by_id = actor_id
    audit.write(
        session,
        officer_id=actor_id,
        action="call.acknowledge",
        entity="one_key_call",
        entity_id=call.id,
        detail={"unit_id": unit_id},
    )
    events.record(session, CallAcknowledged(call_id=call.id, unit_id=unit_id))
    session.flush()


def do_escalate_overdue(session: Session) -> int:
    """Mark each target silent past its call's limit once, and tell the room."""
    now = utcnow()
    rows = session.execute(
        select(CallTarget, OneKeyCall)
        .join(OneKeyCall, OneKeyCall.id == CallTarget.call_id)
        .where(
            CallTarget.acknowledged_at.is_(None),
            CallTarget.escalated_at.is_(None),
            OneKeyCall.created_at > now - OPEN_WINDOW * 4,
        )
    ).all()
    overdue: dict[int, tuple[OneKeyCall, list[int]]] = {}
    for target, call in rows:
        if as_utc(call.created_at) + timedelta(seconds=call.ack_within_s) <= now:
            target.escalated_at = now
            overdue.setdefault(call.id, (call, []))[1].append(target.unit_id)
    for call, unit_ids in overdue.values():
        signs = [units_service.get_unit(session, unit_id=u).call_sign for u in unit_ids]
        message = f"{'、'.join(signs)} 超过 {call.ack_within_s} 秒未应答呼叫：{call.message}"
        audit.write(
            session,
            officer_id=None,
            action="call.escalate",
            entity="one_key_call",
            entity_id=call.id,
            detail={"units": unit_ids},
        )
        events.record(
            session, CallEscalated(call_id=call.id, target_unit_ids=unit_ids, message=message)
        )
    session.flush()
    return sum(len(ids) for _call, ids in overdue.values())


def describe_calls(session: Session, calls: list[OneKeyCall]) -> list[CallOut]:
    if not calls:
        return []
    rows = session.execute(
        select(CallTarget, Unit.call_sign)
        .join(Unit, Unit.id == CallTarget.unit_id)
        .where(CallTarget.call_id.in_([c.id for c in calls]))
        .order_by(CallTarget.id)
    ).all()
    by_call: dict[int, list[CallTargetOut]] = {c.id: [] for c in calls}
    for target, call_sign in rows:
        by_call[target.call_id].append(
            CallTargetOut(
                unit_id=target.unit_id,
                call_sign=call_sign,
                acknowledged_at=target.acknowledged_at,
                escalated_at=target.escalated_at,
            )
        )
    described = []
    for call in calls:
        targets = by_call[call.id]
        acked = sum(1 for t in targets if t.acknowledged_at is not None)
        described.append(
            CallOut(
                id=call.id,
                scope=call.scope,
                scope_label=CALL_SCOPE_LABELS[CallScope(call.scope)],
                message=call.message,
                incident_id=call.incident_id,
                ack_within_s=call.ack_within_s,
                created_at=call.created_at,
                targets=targets,
                acknowledged=acked,
                pending=len(targets) - acked,
            )
        )
    return described


def recent_calls(
    session: Session, *, unit_ids: list[int] | None = None, limit: int = 50
) -> list[OneKeyCall]:
    query = select(OneKeyCall).order_by(OneKeyCall.created_at.desc(), OneKeyCall.id.desc())
    if unit_ids is not None:
        query = query.where(
            OneKeyCall.id.in_(
                select(CallTarget.call_id).where(CallTarget.unit_id.in_(unit_ids or [-1]))
            )
        )
    return list(session.scalars(query.limit(limit)).all())


def describe_open_calls(session: Session, *, unit_ids: list[int] | None = None) -> list[CallOut]:
    """Calls of the last half hour, or older ones someone has still not answered."""
    cutoff = utcnow() - OPEN_WINDOW
    described = describe_calls(session, recent_calls(session, unit_ids=unit_ids, limit=50))
    return [c for c in described if c.pending or as_utc(c.created_at) > cutoff]
