"""The closed loop: triage, dispatch, acknowledge, en route, on scene, report, close, evaluate."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.command.events import (
    AssignmentProgressed,
    IncidentClosed,
    IncidentDispatched,
    IncidentEvaluated,
    IncidentTriaged,
)
from jingwu.command.models import Assignment, Incident
from jingwu.command.states import (
    ACTIVE_ASSIGNMENT,
    CLOSABLE,
    DISPATCHABLE,
    ROUTE_LABELS,
    AssignmentStatus,
    IncidentStatus,
    Route,
    advanced_status,
    check_assignment_move,
    check_incident_move,
)
from jingwu.command.timeline import note_step
from jingwu.core import events
from jingwu.core.clock import utcnow
from jingwu.core.errors import Conflict, Forbidden, NotFound
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission, can
from jingwu.units import service as units_service
from jingwu.units.models import UnitStatus

_STEP_TEXT = {
    AssignmentStatus.ACKNOWLEDGED: "收到",
    AssignmentStatus.EN_ROUTE: "出发",
    AssignmentStatus.ON_SCENE: "到场",
    AssignmentStatus.REPORTED: "报告完毕",
}
_UNIT_STATUS_AFTER = {
    AssignmentStatus.ACKNOWLEDGED: UnitStatus.DISPATCHED,
    AssignmentStatus.EN_ROUTE: UnitStatus.EN_ROUTE,
    AssignmentStatus.ON_SCENE: UnitStatus.ON_SCENE,
    AssignmentStatus.REPORTED: UnitStatus.AVAILABLE,
}
_INCIDENT_STAMP = {
    AssignmentStatus.ACKNOWLEDGED: "acknowledged_at",
    AssignmentStatus.EN_ROUTE: "en_route_at",
    AssignmentStatus.ON_SCENE: "on_scene_at",
    AssignmentStatus.REPORTED: "feedback_at",
}
_ASSIGNMENT_STAMP = {
    AssignmentStatus.ACKNOWLEDGED: "acknowledged_at",
    AssignmentStatus.EN_ROUTE: "en_route_at",
    AssignmentStatus.ON_SCENE: "on_scene_at",
    AssignmentStatus.REPORTED: "reported_at",
}


def assignments_of(session: Session, *, incident_id: int) -> list[Assignment]:
    query = select(Assignment).where(Assignment.incident_id == incident_id).order_by(Assignment.id)
    return list(session.scalars(query).all())


def do_triage(
    session: Session, *, incident: Incident, route: Route, reason: str, actor_id: int
) -> Incident:
    """分流: patrol stays in the dispatch queue; every other route leaves it, diverted."""
    check_incident_move(incident.status, frozenset({IncidentStatus.RECEIVED}), "分流")
    incident.route = route.value
    incident.route_reason = reason
    if route is not Route.PATROL:
        incident.status = IncidentStatus.DIVERTED.value
    note_step(
        session,
        incident=incident,
        kind="triaged",
        actor_id=actor_id,
        text=f"分流至{ROUTE_LABELS[route]}：{reason}",
        data={"route": route.value},
    )
    events.record(
        session,
        IncidentTriaged(
            incident_id=incident.id,
            number=incident.number,
            status=incident.status,
            route=route.value,
            reason=reason,
        ),
    )
    session.flush()
    return incident


def do_dispatch(
    session: Session, *, incident: Incident, unit_ids: list[int], instruction: str, actor_id: int
) -> list[Assignment]:
    check_incident_move(incident.status, DISPATCHABLE, "派警")
    already = {a.unit_id for a in assignments_of(session, incident_id=incident.id)}
    created = []
    now = utcnow()
    for unit_id in dict.fromkeys(unit_ids):
        unit = units_service.get_unit(session, unit_id=unit_id)
        if unit_id in already:
            raise Conflict(
                f"{unit.call_sign} 已派往本警情", code="already_assigned", unit_id=unit_id
            )
        if unit.status != UnitStatus.AVAILABLE.value:
            raise Conflict(
                f"{unit.call_sign} 当前不空闲，不能派警",
                code="unit_busy",
                unit_id=unit_id,
                unit_status=unit.status,
            )
        assignment = Assignment(
            incident_id=incident.id,
            unit_id=unit_id,
            status=AssignmentStatus.DISPATCHED.value,
            dispatched_by_id=actor_id,
            dispatched_at=now,
            instruction=instruction,
        )
        session.add(assignment)
        created.append(assignment)
        units_service.do_set_status(
            session,
            unit=unit,
            status=UnitStatus.DISPATCHED,
            incident_id=incident.id,
            actor_id=actor_id,
        )
        note_step(
            session,
            incident=incident,
            kind="dispatched",
            actor_id=actor_id,
            unit_id=unit_id,
            text=f"指令：{unit.call_sign}，{instruction or '请迅速赶往现场处置'}",
        )
    if incident.dispatched_at is None:
        incident.dispatched_at = now
    incident.route = incident.route or Route.PATROL.value
    incident.status = advanced_status(incident.status, AssignmentStatus.DISPATCHED).value
    if incident.status in (IncidentStatus.RECEIVED.value, IncidentStatus.DIVERTED.value):
        incident.status = IncidentStatus.DISPATCHED.value
    events.record(
        session,
        IncidentDispatched(
            incident_id=incident.id,
            number=incident.number,
            status=incident.status,
            unit_ids=[a.unit_id for a in created],
        ),
    )
    session.flush()
    return created


def _assignment_for(session: Session, *, incident: Incident, unit_id: int) -> Assignment:
    assignment = session.scalars(
        select(Assignment).where(
            Assignment.incident_id == incident.id, Assignment.unit_id == unit_id
        )
    ).first()
    if assignment is None:
        raise NotFound("该单元未派往本警情 / this unit is not assigned here", code="not_assigned")
    return assignment


def resolve_acting_unit(
    session: Session, *, incident: Incident, officer: Officer, unit_id: int | None
) -> int:
    """A crew acts for its own unit; the room may record a step for any unit (by radio)."""
    if unit_id is None:
        assigned = {a.unit_id for a in assignments_of(session, incident_id=incident.id)}
        own = [u.id for u in units_service.units_of_officer(session, officer_id=officer.id)]
        mine = [uid for uid in own if uid in assigned]
        if not mine:
            raise Forbidden(
                "您的车组未派往本警情 / your unit is not on this incident", code="not_crew"
            )
        return mine[0]
    if can(officer.role, Permission.INCIDENT_DISPATCH):
        return unit_id
    if not units_service.is_crew(session, unit_id=unit_id, officer_id=officer.id):
        raise Forbidden(
            "只能为本车组签收和反馈 / you may act for your own unit only", code="not_crew"
        )
    return unit_id


def do_progress(
    session: Session,
    *,
    incident: Incident,
    unit_id: int,
    target: AssignmentStatus,
    feedback: str,
    actor_id: int,
) -> Assignment:
    assignment = _assignment_for(session, incident=incident, unit_id=unit_id)
    if target is AssignmentStatus.CANCELLED:
        check_incident_move(incident.status, DISPATCHABLE, "撤回派警")
    check_assignment_move(assignment.status, target)
    unit = units_service.get_unit(session, unit_id=unit_id)
    now = utcnow()
    assignment.status = target.value
    if target is AssignmentStatus.CANCELLED:
        units_service.do_set_status(
            session, unit=unit, status=UnitStatus.AVAILABLE, incident_id=None, actor_id=actor_id
        )
        text = f"{unit.call_sign} 撤回"
    else:
        setattr(assignment, _ASSIGNMENT_STAMP[target], now)
        if target is AssignmentStatus.REPORTED:
            assignment.feedback = feedback
        if getattr(incident, _INCIDENT_STAMP[target]) is None:
            setattr(incident, _INCIDENT_STAMP[target], now)
        incident.status = advanced_status(incident.status, target).value
        released = target is AssignmentStatus.REPORTED
        units_service.do_set_status(
            session,
            unit=unit,
            status=_UNIT_STATUS_AFTER[target],
            incident_id=None if released else incident.id,
            actor_id=actor_id,
        )
        text = f"{unit.call_sign}{_STEP_TEXT[target]}" + (f"：{feedback}" if feedback else "")
    note_step(
        session,
        incident=incident,
        kind=target.value,
        actor_id=actor_id,
        unit_id=unit_id,
        text=text,
    )
    events.record(
        session,
        AssignmentProgressed(
            incident_id=incident.id,
            number=incident.number,
            status=incident.status,
            unit_id=unit_id,
            assignment_status=target.value,
        ),
    )
    session.flush()
    return assignment


def do_close(session: Session, *, incident: Incident, note: str, actor_id: int) -> Incident:
    check_incident_move(incident.status, CLOSABLE, "结警")
    for assignment in assignments_of(session, incident_id=incident.id):
        if AssignmentStatus(assignment.status) in ACTIVE_ASSIGNMENT:
            raise Conflict("仍有单元未报告完毕 / a unit has not reported yet", code="units_active")
    incident.status = IncidentStatus.CLOSED.value
    incident.closed_at = utcnow()
    incident.close_note = note
    note_step(
        session,
        incident=incident,
        kind="closed",
        actor_id=actor_id,
        text="结警" + (f"：{note}" if note else ""),
    )
    events.record(
        session,
        IncidentClosed(incident_id=incident.id, number=incident.number, status=incident.status),
    )
    session.flush()
    return incident


def do_evaluate(
    session: Session, *, incident: Incident, score: int, note: str, actor_id: int
) -> Incident:
    check_incident_move(incident.status, frozenset({IncidentStatus.CLOSED}), "评估")
    incident.status = IncidentStatus.EVALUATED.value
    incident.evaluated_at = utcnow()
    incident.evaluation_score = score
    incident.evaluation_note = note
    note_step(
        session,
        incident=incident,
        kind="evaluated",
        actor_id=actor_id,
        text=f"评估：{score} 分" + (f"，{note}" if note else ""),
        data={"score": score},
    )
    events.record(
        session,
        IncidentEvaluated(
            incident_id=incident.id, number=incident.number, status=incident.status, score=score
        ),
    )
    session.flush()
    return incident
