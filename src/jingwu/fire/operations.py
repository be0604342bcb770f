"""Fire and rescue operations: run cards decide what goes, shifts rotate, a report closes.

An incident comes from the command room's intake or from the fire watch room (both through
``command.intake.do_intake``); apparatus are sent through ``command.service.do_dispatch`` so the
one timeline and the closed loop hold for fire as for police. The fire operation is the fire
squad's side of that incident: alarm level, crew shifts, and the report's figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jingwu.command import intake as command_intake
from jingwu.command import queries as command_queries
from jingwu.command import service as command_service
from jingwu.command.categories import check_category, label, top_of
from jingwu.command.models import Assignment, Incident
from jingwu.command.schemas import IncidentIn
from jingwu.command.states import (
    ACTIVE_ASSIGNMENT,
    OPEN_STATUSES,
    IncidentStatus,
    Route,
)
from jingwu.command.timeline import note_step
from jingwu.core import events
from jingwu.core.clock import as_utc, seconds_between, utcnow
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.core.geo import haversine_m
from jingwu.core.paging import page_of
from jingwu.fire import service
from jingwu.fire.events import FireDispatched, OperationReported, ShiftStarted
from jingwu.fire.models import (
    APPARATUS_KIND_LABELS,
    Apparatus,
    ApparatusKind,
    FireMember,
    FireOperation,
    OperationShift,
    OperationStatus,
    RunCard,
    ShiftMember,
)
from jingwu.fire.schemas import (
    FireIncidentOut,
    OperationOut,
    PlanOut,
    ProposedUnit,
    ReportIn,
    RunCardIn,
    RunCardOut,
    ShiftOut,
)
from jingwu.identity import audit
from jingwu.identity.models import Officer
from jingwu.units.models import Unit, UnitKind

FIRE_CATEGORIES = ("06", "07", "09")
MAX_SKEW = timedelta(minutes=2)


def is_fire_category(code: str) -> bool:
    return top_of(code).code in FIRE_CATEGORIES


# ---- run cards -------------------------------------------------------------------------------


def list_run_cards(session: Session) -> list[RunCard]:
    return list(
        session.scalars(select(RunCard).order_by(RunCard.category_code, RunCard.alarm_level)).all()
    )


def do_save_run_card(session: Session, *, data: RunCardIn, actor_id: int | None) -> RunCard:
    check_category(data.category_code)
    card = session.scalars(
        select(RunCard).where(
            RunCard.category_code == data.category_code, RunCard.alarm_level == data.alarm_level
        )
    ).first()
    if card is None:
        card = RunCard(category_code=data.category_code, alarm_level=data.alarm_level)
        session.add(card)
    card.name = data.name
    card.apparatus_kinds = [k.value for k in data.apparatus_kinds]
    card.min_crew = data.min_crew
    card.note = data.note
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="fire.run_card.save",
        entity="fire_run_card",
        entity_id=card.id,
        detail={"category": card.category_code, "level": card.alarm_level},
    )
    return card


def find_run_card(session: Session, *, category_code: str, alarm_level: int) -> RunCard:
    """The most specific card: the subtype before its category, the level or the one below."""
    category = check_category(category_code)
    codes = [category.code] + ([category.parent] if category.parent else [])
    for code in codes:
        card = session.scalars(
            select(RunCard)
            .where(RunCard.category_code == code, RunCard.alarm_level <= alarm_level)
            .order_by(RunCard.alarm_level.desc())
        ).first()
        if card is not None:
            return card
    raise NotFound(
        f"没有「{label(category_code)}」{alarm_level}级的调派方案，请先制定 / no run card",
        code="no_run_card",
        category_code=category_code,
        alarm_level=alarm_level,
    )


# ---- the plan for one incident ---------------------------------------------------------------


def propose(
    session: Session, *, incident: Incident, card: RunCard
) -> tuple[list[ProposedUnit], list[str]]:
    """For each apparatus the card asks for and the incident does not have yet, the nearest
    ready one of that kind; what cannot be found is the shortfall (请求增援)."""
    pool = [(a, u) for a, u in service.list_apparatus(session) if service.is_ready(a, u)]
    on_scene = _assigned_kinds(session, incident_id=incident.id)

    def distance(unit: Unit) -> float | None:
        if unit.lat is None or unit.lon is None or incident.lat is None or incident.lon is None:
            return None
        return haversine_m(unit.lat, unit.lon, incident.lat, incident.lon)

    chosen: list[ProposedUnit] = []
    shortfall: list[str] = []
    used: set[int] = set()
    for kind in card.apparatus_kinds:
        if on_scene.get(kind, 0) > 0:
            on_scene[kind] -= 1
            continue
        options = [(a, u, distance(u)) for a, u in pool if a.kind == kind and u.id not in used]
        options.sort(key=lambda o: (o[2] is None, o[2] or 0.0))
        kind_label = APPARATUS_KIND_LABELS[ApparatusKind(kind)]
        if not options:
            shortfall.append(kind_label)
            continue
        _, unit, dist = options[0]
        used.add(unit.id)
        chosen.append(
            ProposedUnit(
                unit_id=unit.id,
                call_sign=unit.call_sign,
                kind=kind,
                kind_label=kind_label,
                distance_m=None if dist is None else round(dist, 1),
            )
        )
    return chosen, shortfall


def _assigned_kinds(session: Session, *, incident_id: int) -> dict[str, int]:
    """Apparatus already sent to the incident and not yet back, counted by kind."""
    kinds = session.scalars(
        select(Apparatus.kind)
        .join(Assignment, Assignment.unit_id == Apparatus.unit_id)
        .where(
            Assignment.incident_id == incident_id,
            Assignment.status.in_([s.value for s in ACTIVE_ASSIGNMENT]),
        )
    ).all()
    counted: dict[str, int] = {}
    for kind in kinds:
        counted[kind] = counted.get(kind, 0) + 1
    return counted


def plan_for(session: Session, *, incident: Incident, alarm_level: int) -> PlanOut:
    card = find_run_card(session, category_code=incident.category_code, alarm_level=alarm_level)
    proposed, shortfall = propose(session, incident=incident, card=card)
    water, hazards = [], []
    if incident.lat is not None and incident.lon is not None:
        water = service.water_near(session, lat=incident.lat, lon=incident.lon)
        hazards = service.hazards_near(session, lat=incident.lat, lon=incident.lon)
    return PlanOut(
        incident_id=incident.id,
        alarm_level=alarm_level,
        run_card=RunCardOut.model_validate(card),
        proposed=proposed,
        shortfall=shortfall,
        water_sources=water,
        hazard_plans=hazards,
    )


def operation_of(session: Session, *, incident_id: int) -> FireOperation | None:
    return session.scalars(
        select(FireOperation).where(FireOperation.incident_id == incident_id)
    ).first()


def get_operation(session: Session, *, operation_id: int) -> FireOperation:
    operation = session.get(FireOperation, operation_id)
    if operation is None:
        raise NotFound(f"战斗记录不存在 / no operation {operation_id}", code="operation_not_found")
    return operation


def _take_over_diverted(session: Session, *, incident: Incident, actor_id: int) -> None:
    """An incident the room diverted to the fire squad comes back into the loop with it."""
    if incident.status == IncidentStatus.DIVERTED.value and incident.route == Route.FIRE.value:
        note_step(
            session,
            incident=incident,
            kind="fire_accepted",
            actor_id=actor_id,
            text="消防救援站受领分流警情",
        )


def do_dispatch_by_plan(
    session: Session,
    *,
    incident: Incident,
    alarm_level: int,
    unit_ids: list[int] | None,
    instruction: str,
    actor_id: int,
) -> FireOperation:
    card = find_run_card(session, category_code=incident.category_code, alarm_level=alarm_level)
    if unit_ids is None:
        proposed, shortfall = propose(session, incident=incident, card=card)
        unit_ids = [p.unit_id for p in proposed]
        if not unit_ids and not shortfall:
            raise Conflict(
                f"「{card.name}」的力量已全部派出 / the run card is already fulfilled",
                code="plan_fulfilled",
            )
    else:
        known = service.apparatus_by_unit(session, unit_ids=unit_ids)
        strangers = [uid for uid in unit_ids if uid not in known]
        if strangers:
            raise InvalidInput(
                "只能按预案调派消防车辆；警车请由指挥室派警 / only fire apparatus here",
                code="not_apparatus",
                unit_ids=strangers,
            )
    if not unit_ids:
        raise Conflict(
            "没有处于战备状态的消防车辆可派 / no ready apparatus to send", code="no_apparatus"
        )
    _take_over_diverted(session, incident=incident, actor_id=actor_id)
    if incident.route is None:
        incident.route = Route.FIRE.value
    command_service.do_dispatch(
        session,
        incident=incident,
        unit_ids=unit_ids,
        instruction=instruction or f"按「{card.name}」出动",
        actor_id=actor_id,
    )
    operation = operation_of(session, incident_id=incident.id)
    if operation is None:
        operation = FireOperation(
            incident_id=incident.id,
            category_code=incident.category_code,
            title=f"{label(incident.category_code)} · {incident.address_text or incident.number}"[
                :120
            ],
            alarm_level=alarm_level,
            started_at=incident.reported_at,
            status=OperationStatus.ACTIVE.value,
        )
        session.add(operation)
    elif operation.status != OperationStatus.ACTIVE.value:
        raise Conflict("该战斗已报告结束 / this operation is closed", code="operation_closed")
    operation.alarm_level = max(operation.alarm_level, alarm_level)
    session.flush()
    note_step(
        session,
        incident=incident,
        kind="fire_plan",
        actor_id=actor_id,
        text=f"启动调派方案「{card.name}」（{alarm_level}级），出动 {len(unit_ids)} 车",
        data={"run_card_id": card.id, "alarm_level": alarm_level, "operation_id": operation.id},
    )
    events.record(
        session,
        FireDispatched(
            operation_id=operation.id,
            incident_id=incident.id,
            alarm_level=alarm_level,
            unit_ids=list(unit_ids),
        ),
    )
    session.flush()
    return operation


def do_take_fire_call(
    session: Session,
    *,
    data: IncidentIn,
    alarm_level: int,
    dispatch: bool,
    officer_id: int,
    idempotency_key: str | None,
    radius_m: float,
    window_minutes: int,
) -> tuple[command_intake.IntakeResult, FireOperation | None]:
    """The watch room's own call: the shared intake, then (by default) the run card."""
    if not is_fire_category(data.category_code):
        raise InvalidInput(
            "消防值班室只受理火灾、抢险救援、社会救助类警情 / fire, rescue or social aid only",
            code="not_fire_category",
            allowed=list(FIRE_CATEGORIES),
        )
    result = command_intake.do_intake(
        session,
        data=data,
        officer_id=officer_id,
        idempotency_key=idempotency_key,
        radius_m=radius_m,
        window_minutes=window_minutes,
    )
    operation = operation_of(session, incident_id=result.incident.id)
    if result.created and dispatch:
        operation = do_dispatch_by_plan(
            session,
            incident=result.incident,
            alarm_level=alarm_level,
            unit_ids=None,
            instruction="",
            actor_id=officer_id,
        )
    return result, operation


# ---- shifts and the report -------------------------------------------------------------------


def _shifts(session: Session, operation_id: int) -> list[OperationShift]:
    return list(
        session.scalars(
            select(OperationShift)
            .where(OperationShift.operation_id == operation_id)
            .order_by(OperationShift.number)
        ).all()
    )


def _note(
    session: Session, *, operation: FireOperation, kind: str, text: str, actor_id: int | None
) -> None:
    """On the incident's timeline when there is one; always in the audit log."""
    if operation.incident_id is not None:
        incident = command_intake.get_incident(session, incident_id=operation.incident_id)
        note_step(
            session,
            incident=incident,
            kind=kind,
            actor_id=actor_id,
            text=text,
            data={"operation_id": operation.id},
        )
    else:
        audit.write(
            session,
            officer_id=actor_id,
            action=f"fire.{kind}",
            entity="fire_operation",
            entity_id=operation.id,
            detail={"text": text},
        )


def _check_time(moment: datetime | None, *, not_before: datetime, what: str) -> datetime:
    now = utcnow()
    at = as_utc(moment) if moment else now
    if at > now + MAX_SKEW:
        raise InvalidInput(f"{what}在未来 / {what} is in the future", code="in_future")
    if at < as_utc(not_before):
        raise InvalidInput(
            f"{what}早于上一环节 / {what} precedes the step before it",
            code="out_of_order",
            not_before=as_utc(not_before).isoformat(),
        )
    return at


def do_start_shift(
    session: Session,
    *,
    operation: FireOperation,
    member_ids: list[int],
    leader_member_id: int,
    started_at: datetime | None,
    note: str,
    actor_id: int | None,
) -> OperationShift:
    """Hand over to the next shift: the open one ends when this one begins (轮换)."""
    if operation.status != OperationStatus.ACTIVE.value:
        raise Conflict("该战斗已报告结束 / this operation is closed", code="operation_closed")
    shifts = _shifts(session, operation.id)
    previous = shifts[-1] if shifts else None
    at = _check_time(
        started_at,
        not_before=previous.started_at if previous else operation.started_at,
        what="接班时间",
    )
    if previous is not None and as_utc(previous.started_at) == at:
        raise InvalidInput(
            "接班时间须晚于上一班 / a shift must start after the last", code="out_of_order"
        )
    members = service.check_members_ready(session, member_ids=member_ids)
    elsewhere = {
        mid: op_id
        for mid, op_id in service.on_operation(session, member_ids=[m.id for m in members]).items()
        if op_id != operation.id
    }
    if elsewhere:
        raise Conflict(
            "有队员正在其他战斗中 / a member is on another operation",
            code="member_busy",
            member_ids=sorted(elsewhere),
        )
    if previous is not None and previous.ended_at is None:
        previous.ended_at = at
    shift = OperationShift(
        operation_id=operation.id,
        number=(previous.number + 1) if previous else 1,
        leader_member_id=leader_member_id,
        started_at=at,
        note=note,
    )
    session.add(shift)
    session.flush()
    for member in members:
        session.add(ShiftMember(shift_id=shift.id, member_id=member.id))
    leader = service.describe_members(
        session, [service.get_member(session, member_id=leader_member_id)]
    )[0]
    _note(
        session,
        operation=operation,
        kind="fire_shift",
        text=f"第{shift.number}班接替：带班 {leader.name}，{len(members)} 人"
        + (f"，{note}" if note else ""),
        actor_id=actor_id,
    )
    events.record(
        session,
        ShiftStarted(
            operation_id=operation.id,
            shift_id=shift.id,
            number=shift.number,
            member_ids=[m.id for m in members],
        ),
    )
    session.flush()
    return shift


def do_report(
    session: Session, *, operation: FireOperation, data: ReportIn, actor_id: int | None
) -> FireOperation:
    """The operation's report (战评): figures in, shift closed, the squad's record grows."""
    if operation.status != OperationStatus.ACTIVE.value:
        raise Conflict("该战斗已报告结束 / this operation is closed", code="operation_closed")
    shifts = _shifts(session, operation.id)
    last_start = shifts[-1].started_at if shifts else operation.started_at
    ended = _check_time(data.ended_at, not_before=last_start, what="结束时间")
    for shift in shifts:
        if shift.ended_at is None:
            shift.ended_at = ended
    operation.status = OperationStatus.CLOSED.value
    operation.ended_at = ended
    operation.people_rescued = data.people_rescued
    operation.property_protected_yuan = data.property_protected_yuan
    operation.property_lost_yuan = data.property_lost_yuan
    operation.summary = data.summary
    duration = seconds_between(operation.started_at, ended) or 0.0
    _note(
        session,
        operation=operation,
        kind="fire_report",
        text=(
            f"战斗结束：历时{duration / 3600:.1f}小时，营救{data.people_rescued}人，"
            f"保护财产{data.property_protected_yuan:,}元，损失{data.property_lost_yuan:,}元"
        ),
        actor_id=actor_id,
    )
    events.record(
        session,
        OperationReported(
            operation_id=operation.id,
            incident_id=operation.incident_id,
            people_rescued=data.people_rescued,
            property_protected_yuan=data.property_protected_yuan,
            property_lost_yuan=data.property_lost_yuan,
            duration_s=duration,
        ),
    )
    session.flush()
    return operation


def describe_operation(session: Session, operation: FireOperation) -> OperationOut:
    shifts = _shifts(session, operation.id)
    member_rows = session.execute(
        select(ShiftMember.shift_id, FireMember.id, Officer.display_name)
        .join(FireMember, FireMember.id == ShiftMember.member_id)
        .join(Officer, Officer.id == FireMember.officer_id)
        .where(ShiftMember.shift_id.in_([s.id for s in shifts]))
        .order_by(FireMember.id)
    ).all()
    names: dict[int, list[tuple[int, str]]] = {s.id: [] for s in shifts}
    for shift_id, member_id, name in member_rows:
        names[shift_id].append((member_id, name))
    leader_names = {
        int(row[0]): str(row[1])
        for row in session.execute(
            select(FireMember.id, Officer.display_name)
            .join(Officer, Officer.id == FireMember.officer_id)
            .where(FireMember.id.in_([s.leader_member_id for s in shifts]))
        ).all()
    }
    number = None
    if operation.incident_id is not None:
        number = session.scalar(select(Incident.number).where(Incident.id == operation.incident_id))
    return OperationOut(
        id=operation.id,
        incident_id=operation.incident_id,
        incident_number=number,
        category_code=operation.category_code,
        category_label=label(operation.category_code),
        title=operation.title,
        alarm_level=operation.alarm_level,
        status=operation.status,
        started_at=operation.started_at,
        ended_at=operation.ended_at,
        duration_s=seconds_between(operation.started_at, operation.ended_at),
        people_rescued=operation.people_rescued,
        property_protected_yuan=operation.property_protected_yuan,
        property_lost_yuan=operation.property_lost_yuan,
        summary=operation.summary,
        historic=operation.historic,
        shifts=[
            ShiftOut(
                id=s.id,
                number=s.number,
                leader=leader_names.get(s.leader_member_id, ""),
                started_at=s.started_at,
                ended_at=s.ended_at,
                members=[n for _, n in names[s.id]],
                member_ids=[m for m, _ in names[s.id]],
                note=s.note,
            )
            for s in shifts
        ],
    )


def list_operations(
    session: Session,
    *,
    status: str | None = None,
    historic: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[FireOperation], int]:
    query = select(FireOperation)
    if status:
        query = query.where(FireOperation.status == status)
    if historic is not None:
        query = query.where(FireOperation.historic.is_(historic))
    return page_of(
        session,
        query,
        FireOperation.started_at.desc(),
        FireOperation.id.desc(),
        limit=per_page,
        offset=(page - 1) * per_page,
    )


# ---- the watch room's queue ------------------------------------------------------------------


def fire_incidents(session: Session) -> list[FireIncidentOut]:
    """Open fire, rescue and aid calls, and anything the room sent the fire squad's way."""
    query = (
        select(Incident)
        .where(
            Incident.status.in_([s.value for s in OPEN_STATUSES]),
            or_(
                Incident.route == Route.FIRE.value,
                *[Incident.category_code.like(f"{code}%") for code in FIRE_CATEGORIES],
            ),
        )
        .order_by(Incident.priority, Incident.reported_at)
        .limit(200)
    )
    incidents = list(session.scalars(query).all())
    ids = [i.id for i in incidents]
    units: dict[int, list[Unit]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(Assignment.incident_id, Unit)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(
                Assignment.incident_id.in_(ids),
                Assignment.status.in_([s.value for s in ACTIVE_ASSIGNMENT] + ["reported"]),
            )
            .order_by(Assignment.id)
        ).all()
        for incident_id, unit in rows:
            units[incident_id].append(unit)
    operations = (
        {
            op.incident_id: op
            for op in session.scalars(
                select(FireOperation).where(FireOperation.incident_id.in_(ids))
            ).all()
        }
        if ids
        else {}
    )
    out = []
    for incident in incidents:
        operation = operations.get(incident.id)
        out.append(
            FireIncidentOut(
                incident=command_queries.summarize(incident),
                operation_id=operation.id if operation else None,
                alarm_level=operation.alarm_level if operation else None,
                fire_units=[
                    u.call_sign for u in units[incident.id] if u.kind == UnitKind.FIRE_ENGINE.value
                ],
                police_units=[
                    u.call_sign for u in units[incident.id] if u.kind != UnitKind.FIRE_ENGINE.value
                ],
            )
        )
    return out
