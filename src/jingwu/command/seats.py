"""The six command-room seats, staffed 24 hours: rosters (排班) and the handover log (交接班)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.command import calls, queries
from jingwu.command.room_events import HandoverRecorded
from jingwu.command.room_models import Handover, PatrolView, SeatShift
from jingwu.command.room_schemas import ShiftIn, ShiftOut
from jingwu.command.states import OPEN_STATUSES
from jingwu.core import events
from jingwu.core.clock import as_utc, utcnow
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.identity import audit
from jingwu.identity import service as identity_service
from jingwu.identity.models import Officer

SEATS: dict[str, str] = {
    "duty_chief": "值班长岗",
    "dispatch": "指挥调度岗",
    "intake": "接警岗",
    "analysis": "情报研判岗",
    "video": "视频巡查岗",
    "supervision": "执法监督岗",
}


def check_seat(code: str) -> str:
    if code not in SEATS:
        raise InvalidInput(f"没有此席位 / no seat {code!r}", code="unknown_seat", seats=list(SEATS))
    return code


def shifts_between(
    session: Session, *, start: datetime, end: datetime, seat_code: str | None = None
) -> list[SeatShift]:
    query = select(SeatShift).where(SeatShift.starts_at < end, SeatShift.ends_at > start)
    if seat_code:
        query = query.where(SeatShift.seat_code == seat_code)
    return list(session.scalars(query.order_by(SeatShift.starts_at, SeatShift.id)).all())


def describe_shifts(session: Session, shifts: list[SeatShift]) -> list[ShiftOut]:
    names = {
        o.id: o.display_name
        for o in session.scalars(
            select(Officer).where(Officer.id.in_({s.officer_id for s in shifts} or {-1}))
        )
    }
    described = []
    for shift in shifts:
        out = ShiftOut.model_validate(shift)
        out.officer_name = names.get(shift.officer_id, "")
        described.append(out)
    return described


def do_schedule_shift(session: Session, *, data: ShiftIn, actor_id: int) -> SeatShift:
    check_seat(data.seat_code)
    identity_service.get_officer(session, officer_id=data.officer_id)
    start, end = as_utc(data.starts_at), as_utc(data.ends_at)
    clash = [
        s for s in shifts_between(session, start=start, end=end) if s.officer_id == data.officer_id
    ]
    if clash:
        raise Conflict(
            "该民警此时段已在其他班次 / the officer already has a shift then",
            code="shift_overlap",
            shift_id=clash[0].id,
        )
    shift = SeatShift(
        seat_code=data.seat_code,
        officer_id=data.officer_id,
        starts_at=start,
        ends_at=end,
        created_by_id=actor_id,
    )
    session.add(shift)
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="seat.schedule",
        entity="seat_shift",
        entity_id=shift.id,
        detail={"seat": data.seat_code, "officer_id": data.officer_id},
    )
    return shift


def open_items(session: Session, *, ack_limit_s: int, on_scene_limit_s: int) -> dict[str, Any]:
    """What the next shift inherits: open incidents, unanswered calls, alerts, open findings."""
    rows, total = queries.list_incidents(session, open_only=True, per_page=200)
    pending_calls = [c for c in calls.describe_open_calls(session) if c.pending]
    alerts = queries.current_alerts(
        session, ack_limit_s=ack_limit_s, on_scene_limit_s=on_scene_limit_s
    )
    findings = session.scalars(
        select(PatrolView)
        .where(PatrolView.has_finding.is_(True), PatrolView.incident_id.is_(None))
        .where(PatrolView.viewed_at > utcnow() - timedelta(hours=24))
        .order_by(PatrolView.viewed_at.desc())
        .limit(50)
    ).all()
    return {
        "incidents": [
            {
                "id": i.id,
                "number": i.number,
                "status": i.status,
                "priority": i.priority,
                "address_text": i.address_text,
            }
            for i in rows
        ],
        "incident_total": total,
        "open_statuses": sorted(s.value for s in OPEN_STATUSES),
        "calls": [{"id": c.id, "message": c.message, "pending": c.pending} for c in pending_calls],
        "alerts": [a.message for a in alerts],
        "findings": [
            {"id": f.id, "camera_id": f.camera_id, "finding": f.finding} for f in findings
        ],
    }


def do_handover(
    session: Session,
    *,
    seat_code: str,
    from_officer_id: int,
    to_officer_id: int | None,
    note: str,
    ack_limit_s: int,
    on_scene_limit_s: int,
) -> Handover:
    check_seat(seat_code)
    if to_officer_id is not None:
        identity_service.get_officer(session, officer_id=to_officer_id)
        if to_officer_id == from_officer_id:
            raise InvalidInput("不能交班给自己 / hand over to someone else", code="self_handover")
    items = open_items(session, ack_limit_s=ack_limit_s, on_scene_limit_s=on_scene_limit_s)
    handover = Handover(
        seat_code=seat_code,
        from_officer_id=from_officer_id,
        to_officer_id=to_officer_id,
        at=utcnow(),
        note=note,
        open_items=items,
    )
    session.add(handover)
    session.flush()
    audit.write(
        session,
        officer_id=from_officer_id,
        action="seat.handover",
        entity="seat_handover",
        entity_id=handover.id,
        detail={"seat": seat_code, "to": to_officer_id},
    )
    events.record(
        session,
        HandoverRecorded(
            handover_id=handover.id, seat_code=seat_code, open_incidents=items["incident_total"]
        ),
    )
    session.flush()
    return handover


def do_accept_handover(session: Session, *, handover_id: int, officer_id: int) -> Handover:
    handover = session.get(Handover, handover_id)
    if handover is None:
        raise NotFound("交接记录不存在 / no such handover", code="handover_not_found")
    if handover.to_officer_id not in (None, officer_id):
        raise Conflict("此交接不是交给您的 / not handed to you", code="not_yours")
    if handover.accepted_at is not None:
        raise Conflict("已接班 / already accepted", code="already_accepted")
    handover.accepted_at = utcnow()
    handover.to_officer_id = officer_id
    audit.write(
        session,
        officer_id=officer_id,
        action="seat.accept",
        entity="seat_handover",
        entity_id=handover.id,
        detail={"seat": handover.seat_code},
    )
    session.flush()
    return handover


def handovers(session: Session, *, seat_code: str | None = None, limit: int = 50) -> list[Handover]:
    query = select(Handover).order_by(Handover.at.desc(), Handover.id.desc())
    if seat_code:
        query = query.where(Handover.seat_code == check_seat(seat_code))
    return list(session.scalars(query.limit(limit)).all())
