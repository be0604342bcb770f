"""Reading incidents: the queue, one incident whole, the timers, what is overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jingwu.command.categories import label
from jingwu.command.events import AlertRaised
from jingwu.command.models import Assignment, Incident, IncidentCaller, TimelineEntry
from jingwu.command.schemas import (
    AlertOut,
    AssignmentOut,
    CallerOut,
    IncidentOut,
    IncidentSummary,
    TimelineOut,
    Timers,
)
from jingwu.command.states import (
    ACTIVE_ASSIGNMENT,
    ROOM_QUEUE,
    STATUS_LABELS,
    AssignmentStatus,
    IncidentStatus,
)
from jingwu.command.timeline import note_step
from jingwu.core import events
from jingwu.core.clock import as_utc, seconds_between, utcnow
from jingwu.core.paging import page_of
from jingwu.units import service as units_service
from jingwu.units.models import CrewMember, Unit

SORTS = {
    "priority": (Incident.priority.asc(), Incident.reported_at.asc()),
    "newest": (Incident.reported_at.desc(),),
    "oldest": (Incident.reported_at.asc(),),
}


def timers(incident: Incident, now: datetime | None = None) -> Timers:
    now = now or utcnow()
    end = incident.closed_at or now
    return Timers(
        call_to_dispatch_s=seconds_between(incident.reported_at, incident.dispatched_at),
        dispatch_to_ack_s=seconds_between(incident.dispatched_at, incident.acknowledged_at),
        dispatch_to_on_scene_s=seconds_between(incident.dispatched_at, incident.on_scene_at),
        on_scene_to_feedback_s=seconds_between(incident.on_scene_at, incident.feedback_at),
        total_s=seconds_between(incident.reported_at, incident.closed_at),
        running_s=max(0.0, (as_utc(end) - as_utc(incident.reported_at)).total_seconds()),
    )


def summarize(incident: Incident, now: datetime | None = None) -> IncidentSummary:
    return IncidentSummary(
        id=incident.id,
        number=incident.number,
        status=incident.status,
        status_label=STATUS_LABELS[IncidentStatus(incident.status)],
        priority=incident.priority,
        category_code=incident.category_code,
        category_label=label(incident.category_code),
        caller_name=incident.caller_name,
        caller_phone=incident.caller_phone,
        address_text=incident.address_text,
        lat=incident.lat,
        lon=incident.lon,
        beat_id=incident.beat_id,
        community_id=incident.community_id,
        route=incident.route,
        reported_at=incident.reported_at,
        is_drill=incident.is_drill,
        timers=timers(incident, now),
    )


def describe(
    session: Session, *, incident: Incident, duplicates: list[Incident] | None = None
) -> IncidentOut:
    callers = session.scalars(
        select(IncidentCaller)
        .where(IncidentCaller.incident_id == incident.id)
        .order_by(IncidentCaller.called_at)
    ).all()
    rows = session.execute(
        select(Assignment, Unit.call_sign)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.incident_id == incident.id)
        .order_by(Assignment.id)
    ).all()
    assignments = []
    for assignment, call_sign in rows:
        out = AssignmentOut.model_validate(assignment)
        out.call_sign = call_sign
        assignments.append(out)
    timeline = session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.incident_id == incident.id)
        .order_by(TimelineEntry.at, TimelineEntry.id)
    ).all()
    summary = summarize(incident)
    return IncidentOut(
        **summary.model_dump(),
        description=incident.description,
        route_reason=incident.route_reason,
        merged_into_id=incident.merged_into_id,
        close_note=incident.close_note,
        evaluation_score=incident.evaluation_score,
        evaluation_note=incident.evaluation_note,
        callers=[CallerOut.model_validate(c) for c in callers],
        assignments=assignments,
        timeline=[TimelineOut.model_validate(t) for t in timeline],
        possible_duplicates=[summarize(d) for d in duplicates or []],
    )


def list_incidents(
    session: Session,
    *,
    statuses: list[str] | None = None,
    open_only: bool = False,
    priority: int | None = None,
    category: str | None = None,
    beat_id: int | None = None,
    text: str | None = None,
    include_drills: bool = False,
    sort: str = "priority",
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Incident], int]:
    query = select(Incident)
    if open_only:
        query = query.where(Incident.status.in_([s.value for s in ROOM_QUEUE]))
    if statuses:
        query = query.where(Incident.status.in_(statuses))
    if priority:
        query = query.where(Incident.priority == priority)
    if category:
        query = query.where(Incident.category_code.like(f"{category}%"))
    if beat_id:
        query = query.where(Incident.beat_id == beat_id)
    if not include_drills:
        query = query.where(Incident.is_drill.is_(False))
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Incident.number.like(like, escape="\\"),
                Incident.address_text.like(like, escape="\\"),
                Incident.caller_phone.like(like, escape="\\"),
                Incident.description.like(like, escape="\\"),
            )
        )
    order = SORTS.get(sort, SORTS["priority"])
    return page_of(
        session, query, *order, Incident.id, limit=per_page, offset=(page - 1) * per_page
    )


def earlier_calls(session: Session, *, phone: str, limit: int = 10) -> list[Incident]:
    """The caller's earlier calls, newest first: shown while the dispatcher types the number."""
    query = (
        select(Incident)
        .join(IncidentCaller, IncidentCaller.incident_id == Incident.id)
        .where(IncidentCaller.phone == phone)
        .order_by(Incident.reported_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query).unique().all())


def current_alerts(
    session: Session, *, ack_limit_s: int, on_scene_limit_s: int, now: datetime | None = None
) -> list[AlertOut]:
    now = now or utcnow()
    alerts = []
    waiting = session.execute(
        select(Assignment, Incident, Unit)
        .join(Incident, Incident.id == Assignment.incident_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(
            Assignment.status.in_(
                [
                    AssignmentStatus.DISPATCHED.value,
                    AssignmentStatus.ACKNOWLEDGED.value,
                    AssignmentStatus.EN_ROUTE.value,
                ]
            )
        )
    ).all()
    for assignment, incident, unit in waiting:
        age = (now - as_utc(assignment.dispatched_at)).total_seconds()
        if assignment.status == AssignmentStatus.DISPATCHED.value and age > ack_limit_s:
            alerts.append(
                AlertOut(
                    kind="ack_overdue",
                    incident_id=incident.id,
                    incident_number=incident.number,
                    unit_id=unit.id,
                    since=assignment.dispatched_at,
                    overdue_s=age - ack_limit_s,
                    message=f"{unit.call_sign} 超过 {ack_limit_s} 秒未签收 {incident.number}",
                )
            )
        elif age > on_scene_limit_s:
            alerts.append(
                AlertOut(
                    kind="on_scene_overdue",
                    incident_id=incident.id,
                    incident_number=incident.number,
                    unit_id=unit.id,
                    since=assignment.dispatched_at,
                    overdue_s=age - on_scene_limit_s,
                    message=f"{unit.call_sign} 超过 {on_scene_limit_s // 60} 分钟未到场",
                )
            )
    return sorted(alerts, key=lambda a: -a.overdue_s)


def do_raise_overdue_alerts(session: Session, *, ack_limit_s: int) -> int:
    """Mark each newly overdue acknowledgement once: a timeline row and an alert event."""
    cutoff = utcnow() - timedelta(seconds=ack_limit_s)
    overdue = session.execute(
        select(Assignment, Incident, Unit)
        .join(Incident, Incident.id == Assignment.incident_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(
            Assignment.status == AssignmentStatus.DISPATCHED.value,
            Assignment.ack_overdue_at.is_(None),
            Assignment.dispatched_at < cutoff,
        )
    ).all()
    for assignment, incident, unit in overdue:
        assignment.ack_overdue_at = utcnow()
        message = f"{unit.call_sign} 超过 {ack_limit_s} 秒未签收"
        note_step(
            session, incident=incident, kind="alert", actor_id=None, unit_id=unit.id, text=message
        )
        events.record(
            session,
            AlertRaised(
                kind="ack_overdue", incident_id=incident.id, unit_id=unit.id, message=message
            ),
        )
    session.flush()
    return len(overdue)


def orders_for_officer(session: Session, *, officer_id: int) -> list[Incident]:
    """Open incidents with a live assignment of one of the officer's units."""
    unit_ids = [u.id for u in units_service.units_of_officer(session, officer_id=officer_id)]
    if not unit_ids:
        return []
    query = (
        select(Incident)
        .join(Assignment, Assignment.incident_id == Incident.id)
        .where(
            Assignment.unit_id.in_(unit_ids),
            Assignment.status.in_([s.value for s in ACTIVE_ASSIGNMENT]),
        )
        .order_by(Incident.priority, Incident.reported_at)
    )
    return list(session.scalars(query).unique().all())


def is_on_incident(session: Session, *, incident_id: int, officer_id: int) -> bool:
    return any(i.id == incident_id for i in orders_for_officer(session, officer_id=officer_id)) or (
        session.scalars(
            select(Assignment.id)
            .join(CrewMember, CrewMember.unit_id == Assignment.unit_id)
            .where(Assignment.incident_id == incident_id, CrewMember.officer_id == officer_id)
        ).first()
        is not None
    )
