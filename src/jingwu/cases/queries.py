"""The case team's reads: the board, a case's whole picture, the six fasts, clearance, tasks."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from jingwu.cases.models import (
    Arrest,
    Attachment,
    Case,
    CaseOfficer,
    CasePerson,
    CaseRequest,
    CaseTimelineEntry,
    CustodyEvent,
    Evidence,
    Loss,
    Recovery,
    SquadMember,
)
from jingwu.cases.schemas import (
    ArrestOut,
    AttachmentOut,
    CaseOut,
    CaseSummary,
    ClearanceRate,
    ClockOut,
    CustodyOut,
    EvidenceOut,
    FastsBoard,
    JointEntry,
    LossOut,
    MonthFasts,
    OfficerRef,
    PersonOut,
    RecoveryOut,
    RequestOut,
    SquadMemberOut,
    TasksOut,
)
from jingwu.cases.service import may_answer
from jingwu.cases.states import (
    CUSTODY_LABELS,
    MOVES,
    OPEN,
    PERSON_ROLE_LABELS,
    REQUEST_KIND_LABELS,
    REQUEST_STATUS_LABELS,
    SUSPECT_STATUS_LABELS,
    TYPE_LABELS,
    CaseStatus,
    CaseType,
    CustodyAction,
    PersonRole,
    RequestKind,
    RequestStatus,
    SuspectStatus,
    label,
)
from jingwu.command import queries as command_queries
from jingwu.command.models import Incident
from jingwu.core.clock import as_utc, seconds_between, to_local, utcnow
from jingwu.core.idcard import mask_id_number, mask_phone
from jingwu.core.paging import page_of
from jingwu.identity import audit
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission, Role, can
from jingwu.places.models import Camera

# the six fasts (六快), each measured from the report, with the limit past which it shows red
FASTS: list[tuple[str, str, float]] = [
    ("dispatch", "出警快", 5 * 60),
    ("lead", "研判快", 24 * 3600),
    ("arrest", "抓捕快", 72 * 3600),
    ("control", "控情快", 72 * 3600),
    ("disposal", "处置快", 30 * 86400),
    ("recovery", "挽损快", 30 * 86400),
]
FAST_LABELS = {key: name for key, name, _ in FASTS}
SOURCE_LABELS = {
    "incident": "接处警",
    "case": "案件",
    "video": "视频侦查",
    "community": "社区民警",
    "unit": "协查单位",
}


def names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Officer.id, Officer.display_name).where(Officer.id.in_(wanted)))
    return {int(officer_id): str(name) for officer_id, name in rows.all()}


def may_view_case(officer: Officer) -> bool:
    return can(officer.role, Permission.CASE_VIEW)


# ---- the six fasts ----


def six_fasts(case: Case, incident: Incident | None, now: datetime | None = None) -> list[ClockOut]:
    del now  # clocks stop at their milestone; an unmet one shows as not yet
    start = case.reported_at
    moments = {
        "dispatch": incident.dispatched_at if incident else None,
        "lead": case.first_lead_at,
        "arrest": case.first_arrest_at,
        "control": case.controlled_at,
        "disposal": case.disposed_at,
        "recovery": case.first_recovery_at,
    }
    clocks = []
    for key, name, limit in FASTS:
        seconds = seconds_between(start, moments[key])
        if seconds is not None:
            seconds = max(0.0, seconds)
        clocks.append(
            ClockOut(
                key=key,
                label=name,
                seconds=seconds,
                limit_s=limit,
                late=seconds is not None and seconds > limit,
            )
        )
    return clocks


def fasts_board(session: Session, *, months: int = 12, now: datetime | None = None) -> FastsBoard:
    """The team board: the median of each clock over the cases reported in each month."""
    now = now or utcnow()
    local = to_local(now)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = session.execute(
        select(Case, Incident)
        .outerjoin(Incident, Incident.id == Case.incident_id)
        .where(Case.reported_at >= first)
    ).all()
    buckets: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, int] = defaultdict(int)
    for case, incident in rows:
        month = f"{to_local(case.reported_at):%Y-%m}"
        counts[month] += 1
        for clock in six_fasts(case, incident):
            if clock.seconds is not None:
                buckets[month][clock.key].append(clock.seconds)
    out = []
    cursor = first
    for _ in range(months):
        month = f"{cursor:%Y-%m}"
        medians: dict[str, float | None] = {}
        for key, _name, _limit in FASTS:
            values = buckets[month][key]
            medians[key] = statistics.median(values) if values else None
        out.append(MonthFasts(month=month, cases=counts[month], medians_s=medians))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return FastsBoard(labels=FAST_LABELS, months=out)


# ---- clearance (破案率) ----


def clearance_rate(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    case_type: CaseType | str | None = None,
) -> ClearanceRate:
    """Of the cases filed (立案) in [start, end), how many reached 破案 by ``end``.

    A case counts as cleared once it was solved, whatever happened to it afterwards
    (移送起诉, 结案 or even 撤案 after 破案): the solving is what the rate measures.
    """
    start, end = as_utc(start), as_utc(end)
    filed_in = and_(Case.filed_at.is_not(None), Case.filed_at >= start, Case.filed_at < end)
    query = select(
        func.count(),
        func.count(Case.solved_at).filter(Case.solved_at < end),
    ).where(filed_in)
    type_value = None
    if case_type is not None:
        type_value = CaseType(case_type).value
        query = query.where(Case.case_type == type_value)
    filed, cleared = session.execute(query).one()
    return ClearanceRate(
        start=start,
        end=end,
        case_type=type_value,
        filed=filed,
        cleared=cleared,
        rate=round(cleared / filed, 4) if filed else None,
    )


def clearance_by_type(session: Session, *, start: datetime, end: datetime) -> list[ClearanceRate]:
    overall = clearance_rate(session, start=start, end=end)
    by_type = [clearance_rate(session, start=start, end=end, case_type=t) for t in CaseType]
    return [overall, *[r for r in by_type if r.filed]]


# ---- summaries and the board ----


def summarize(session: Session, cases: list[Case]) -> list[CaseSummary]:
    if not cases:
        return []
    ids = [c.id for c in cases]
    suspects: dict[int, list[str | None]] = defaultdict(list)
    for case_id, status in session.execute(
        select(CasePerson.case_id, CasePerson.suspect_status).where(
            CasePerson.case_id.in_(ids), CasePerson.role == PersonRole.SUSPECT.value
        )
    ):
        suspects[case_id].append(status)
    now = utcnow()
    open_requests: dict[int, int] = defaultdict(int)
    overdue: dict[int, int] = defaultdict(int)
    for case_id, deadline in session.execute(
        select(CaseRequest.case_id, CaseRequest.deadline).where(
            CaseRequest.case_id.in_(ids), CaseRequest.status == RequestStatus.OPEN.value
        )
    ):
        open_requests[case_id] += 1
        if as_utc(deadline) < now:
            overdue[case_id] += 1
    losses = dict(
        session.execute(
            select(Loss.case_id, func.sum(Loss.value_fen))
            .where(Loss.case_id.in_(ids))
            .group_by(Loss.case_id)
        ).all()
    )
    recovered = dict(
        session.execute(
            select(Recovery.case_id, func.sum(Recovery.value_fen))
            .where(Recovery.case_id.in_(ids))
            .group_by(Recovery.case_id)
        ).all()
    )
    officer_names = names(session, (c.lead_officer_id for c in cases))
    return [
        CaseSummary(
            id=c.id,
            number=c.number,
            title=c.title,
            case_type=c.case_type,
            type_label=TYPE_LABELS.get(CaseType(c.case_type), c.case_type),
            status=c.status,
            status_label=label(c.status),
            reported_at=c.reported_at,
            address_text=c.address_text,
            incident_id=c.incident_id,
            lead_officer_name=officer_names.get(c.lead_officer_id or 0),
            suspects=len(suspects[c.id]),
            arrested=sum(1 for s in suspects[c.id] if s == SuspectStatus.ARRESTED.value),
            open_requests=open_requests[c.id],
            overdue_requests=overdue[c.id],
            loss_yuan=int(losses.get(c.id) or 0) / 100,
            recovered_yuan=int(recovered.get(c.id) or 0) / 100,
        )
        for c in cases
    ]


def list_cases(
    session: Session,
    *,
    statuses: list[str] | None = None,
    case_type: str | None = None,
    text: str | None = None,
    officer_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Case], int, dict[str, int]]:
    query = select(Case)
    if case_type:
        query = query.where(Case.case_type == case_type)
    if text:
        like = f"%{text.strip()}%"
        query = query.where(
            or_(Case.number.like(like), Case.title.like(like), Case.address_text.like(like))
        )
    if officer_id is not None:
        query = query.where(
            Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.officer_id == officer_id))
        )
    sub = query.subquery()
    counts: dict[str, int] = {
        str(status): int(count)
        for status, count in session.execute(
            select(sub.c.status, func.count()).group_by(sub.c.status)
        ).all()
    }
    if statuses:
        query = query.where(Case.status.in_(statuses))
    rows, total = page_of(
        session,
        query,
        Case.reported_at.desc(),
        Case.id.desc(),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return rows, total, counts


# ---- one case, whole ----


def person_out(person: CasePerson, *, unmask: bool) -> PersonOut:
    status = person.suspect_status
    return PersonOut(
        id=person.id,
        role=person.role,
        role_label=PERSON_ROLE_LABELS[PersonRole(person.role)],
        name=person.name,
        id_number=person.id_number
        if unmask
        else mask_id_number(person.id_number)
        if person.id_number
        else "",
        phone=person.phone if unmask else mask_phone(person.phone) if person.phone else "",
        address=person.address,
        resident_id=person.resident_id,
        suspect_status=status,
        suspect_status_label=SUSPECT_STATUS_LABELS[SuspectStatus(status)] if status else None,
        description=person.description,
        unmasked=unmask,
    )


def check_unmask(viewer: Officer, unmask: bool) -> bool:
    return unmask and can(viewer.role, Permission.PERSON_UNMASK)


def read_persons(
    session: Session, *, case: Case, viewer: Officer, unmask: bool, person_id: int | None = None
) -> list[PersonOut]:
    """Every view of a person's record is audited; an unmasked view says so."""
    query = select(CasePerson).where(CasePerson.case_id == case.id).order_by(CasePerson.id)
    if person_id is not None:
        query = query.where(CasePerson.id == person_id)
    persons = list(session.scalars(query).all())
    unmask = check_unmask(viewer, unmask)
    if persons:
        audit.write(
            session,
            officer_id=viewer.id,
            action="case.person.unmask" if unmask else "case.person.view",
            entity="case",
            entity_id=case.id,
            detail={"person_ids": [p.id for p in persons], "unmasked": unmask},
        )
    return [person_out(p, unmask=unmask) for p in persons]


def attachment_out(attachment: Attachment) -> AttachmentOut:
    out = AttachmentOut.model_validate(attachment)
    out.url = f"/api/attachments/cases/{attachment.id}"
    return out


def request_outs(session: Session, requests: list[CaseRequest]) -> list[RequestOut]:
    if not requests:
        return []
    now = utcnow()
    cases = {
        c.id: c
        for c in session.scalars(
            select(Case).where(Case.id.in_({r.case_id for r in requests}))
        ).all()
    }
    camera_ids = {i for r in requests for i in r.camera_ids}
    cameras = (
        dict(session.execute(select(Camera.id, Camera.name).where(Camera.id.in_(camera_ids))).all())
        if camera_ids
        else {}
    )
    who = names(
        session,
        [x for r in requests for x in (r.target_officer_id, r.created_by_id, r.answered_by_id)],
    )
    files: dict[int, list[AttachmentOut]] = defaultdict(list)
    for attachment in session.scalars(
        select(Attachment).where(Attachment.request_id.in_([r.id for r in requests]))
    ):
        assert attachment.request_id is not None
        files[attachment.request_id].append(attachment_out(attachment))
    out = []
    for r in requests:
        kind = RequestKind(r.kind)
        is_open = r.status == RequestStatus.OPEN.value
        late_s = (now - as_utc(r.deadline)).total_seconds()
        if kind is RequestKind.VIDEO:
            target = "综合指挥室"
        elif kind is RequestKind.UNIT:
            target = r.target_unit
        else:
            target = who.get(r.target_officer_id or 0, "社区民警")
        case = cases[r.case_id]
        out.append(
            RequestOut(
                id=r.id,
                case_id=r.case_id,
                case_number=case.number,
                case_title=case.title,
                kind=r.kind,
                kind_label=REQUEST_KIND_LABELS[kind],
                status=r.status,
                status_label=REQUEST_STATUS_LABELS[RequestStatus(r.status)],
                question=r.question,
                target_officer_id=r.target_officer_id,
                target_name=target,
                beat_id=r.beat_id,
                target_unit=r.target_unit,
                camera_ids=list(r.camera_ids),
                camera_names=[cameras.get(i, f"#{i}") for i in r.camera_ids],
                window_start=r.window_start,
                window_end=r.window_end,
                deadline=r.deadline,
                created_at=r.created_at,
                created_by_name=who.get(r.created_by_id or 0),
                answer=r.answer,
                answer_data=dict(r.answer_data or {}),
                answered_by_name=who.get(r.answered_by_id or 0),
                answered_at=r.answered_at,
                overdue=is_open and late_s > 0,
                overdue_s=max(0.0, late_s) if is_open else 0.0,
                attachments=files[r.id],
            )
        )
    return out


def joint_timeline(session: Session, *, case: Case) -> list[JointEntry]:
    """合成作战: the incident's steps, the case's, the video work and the community's answers."""
    entries: list[JointEntry] = []
    actor_ids: list[int | None] = []
    if case.incident_id is not None:
        incident = session.get(Incident, case.incident_id)
        if incident is not None:
            for row in command_queries.describe(session, incident=incident).timeline:
                actor_ids.append(row.actor_id)
                entries.append(
                    JointEntry(
                        at=row.at,
                        source="incident",
                        source_label=SOURCE_LABELS["incident"],
                        kind=row.kind,
                        text=row.text,
                        actor_name=str(row.actor_id) if row.actor_id else None,
                    )
                )
    for own in session.scalars(
        select(CaseTimelineEntry).where(CaseTimelineEntry.case_id == case.id)
    ).all():
        actor_ids.append(own.actor_id)
        entries.append(
            JointEntry(
                at=own.at,
                source=own.source,
                source_label=SOURCE_LABELS.get(own.source, own.source),
                kind=own.kind,
                text=own.text,
                actor_name=str(own.actor_id) if own.actor_id else None,
            )
        )
    who = names(session, actor_ids)
    for entry in entries:
        if entry.actor_name is not None:
            entry.actor_name = who.get(int(entry.actor_name))
    return sorted(entries, key=lambda e: as_utc(e.at))


def describe(session: Session, *, case: Case, viewer: Officer, unmask: bool = False) -> CaseOut:
    summary = summarize(session, [case])[0]
    incident = session.get(Incident, case.incident_id) if case.incident_id else None
    officers = session.scalars(
        select(CaseOfficer).where(CaseOfficer.case_id == case.id).order_by(CaseOfficer.id)
    ).all()
    evidence = list(
        session.scalars(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id))
    )
    custody: dict[int, list[CustodyEvent]] = defaultdict(list)
    if evidence:
        for row in session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.evidence_id.in_([e.id for e in evidence]))
            .order_by(CustodyEvent.at, CustodyEvent.id)
        ):
            custody[row.evidence_id].append(row)
    who = names(
        session,
        [o.officer_id for o in officers]
        + [e.holder_id for e in evidence]
        + [
            x
            for rows in custody.values()
            for r in rows
            for x in (r.from_officer_id, r.to_officer_id)
        ],
    )
    losses = session.scalars(select(Loss).where(Loss.case_id == case.id).order_by(Loss.id)).all()
    recoveries = session.scalars(
        select(Recovery).where(Recovery.case_id == case.id).order_by(Recovery.recovered_at)
    ).all()
    requests = list(
        session.scalars(
            select(CaseRequest).where(CaseRequest.case_id == case.id).order_by(CaseRequest.id)
        )
    )
    arrests = session.scalars(
        select(Arrest).where(Arrest.case_id == case.id).order_by(Arrest.arrested_at)
    ).all()
    attachments = session.scalars(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    ).all()
    return CaseOut(
        **summary.model_dump(),
        summary=case.summary,
        status_reason=case.status_reason,
        lat=case.lat,
        lon=case.lon,
        beat_id=case.beat_id,
        incident_number=incident.number if incident else None,
        filed_at=case.filed_at,
        solved_at=case.solved_at,
        finished_at=case.finished_at,
        allowed_moves=sorted(s.value for s in MOVES[CaseStatus(case.status)]),
        clocks=six_fasts(case, incident),
        officers=[
            OfficerRef(id=o.officer_id, name=who.get(o.officer_id, ""), duty=o.duty)
            for o in officers
        ],
        persons=read_persons(session, case=case, viewer=viewer, unmask=unmask),
        arrests=[ArrestOut.model_validate(a) for a in arrests],
        evidence=[
            EvidenceOut(
                id=e.id,
                number=e.number,
                name=e.name,
                kind=e.kind,
                description=e.description,
                collected_at=e.collected_at,
                holder_name=who.get(e.holder_id or 0),
                location=e.location,
                state=e.state,
                state_label=CUSTODY_LABELS[CustodyAction(e.state)],
                custody=[
                    CustodyOut(
                        at=r.at,
                        action=r.action,
                        action_label=CUSTODY_LABELS[CustodyAction(r.action)],
                        from_name=who.get(r.from_officer_id or 0),
                        to_name=who.get(r.to_officer_id or 0),
                        location=r.location,
                        note=r.note,
                    )
                    for r in custody[e.id]
                ],
            )
            for e in evidence
        ],
        losses=[
            LossOut(
                id=x.id,
                item=x.item,
                quantity=x.quantity,
                value_yuan=x.value_fen / 100,
                reported_at=x.reported_at,
                note=x.note,
            )
            for x in losses
        ],
        recoveries=[
            RecoveryOut(
                id=x.id,
                loss_id=x.loss_id,
                value_yuan=x.value_fen / 100,
                recovered_at=x.recovered_at,
                note=x.note,
            )
            for x in recoveries
        ],
        requests=request_outs(session, requests),
        attachments=[attachment_out(a) for a in attachments],
        timeline=joint_timeline(session, case=case),
    )


# ---- the squad and my tasks ----


def squad(session: Session) -> list[SquadMemberOut]:
    members = list(session.scalars(select(SquadMember).order_by(SquadMember.id)).all())
    who = names(session, [m.officer_id for m in members] + [m.mentor_id for m in members])
    open_cases = dict(
        session.execute(
            select(CaseOfficer.officer_id, func.count())
            .join(Case, Case.id == CaseOfficer.case_id)
            .where(Case.status.in_([s.value for s in OPEN]))
            .group_by(CaseOfficer.officer_id)
        ).all()
    )
    apprentices: dict[int, list[str]] = defaultdict(list)
    for m in members:
        if m.mentor_id is not None:
            apprentices[m.mentor_id].append(who.get(m.officer_id, ""))
    return [
        SquadMemberOut(
            officer_id=m.officer_id,
            name=who.get(m.officer_id, ""),
            mentor_id=m.mentor_id,
            mentor_name=who.get(m.mentor_id) if m.mentor_id else None,
            apprentices=apprentices[m.officer_id],
            assault_team=m.assault_team,
            specialty=m.specialty,
            open_cases=int(open_cases.get(m.officer_id, 0)),
        )
        for m in members
    ]


def requests_for(
    session: Session, *, officer: Officer, include_closed: bool = False
) -> list[RequestOut]:
    """The requests this officer may answer: video work for the room, signals addressed to them."""
    query = select(CaseRequest)
    if not include_closed:
        query = query.where(CaseRequest.status == RequestStatus.OPEN.value)
    clauses = []
    if can(officer.role, Permission.CASE_ANSWER_VIDEO):
        clauses.append(CaseRequest.kind == RequestKind.VIDEO.value)
    if can(officer.role, Permission.CASE_ANSWER_COMMUNITY):
        clauses.append(
            and_(
                CaseRequest.kind == RequestKind.COMMUNITY.value,
                CaseRequest.target_officer_id == officer.id,
            )
        )
    if can(officer.role, Permission.CASE_MANAGE):
        clauses.append(CaseRequest.kind == RequestKind.UNIT.value)
    if not clauses:
        return []
    rows = list(session.scalars(query.where(or_(*clauses)).order_by(CaseRequest.deadline)).all())
    return request_outs(session, [r for r in rows if may_answer(officer, r)])


def tasks_for(session: Session, *, officer: Officer) -> TasksOut:
    cases: list[Case] = []
    if may_view_case(officer):
        cases = list(
            session.scalars(
                select(Case)
                .join(CaseOfficer, CaseOfficer.case_id == Case.id)
                .where(
                    CaseOfficer.officer_id == officer.id,
                    Case.status.in_([s.value for s in OPEN]),
                )
                .order_by(Case.reported_at.desc())
            ).all()
        )
    return TasksOut(
        cases=summarize(session, cases), requests=requests_for(session, officer=officer)
    )


def overdue_outs(session: Session, *, officer: Officer) -> list[RequestOut]:
    now = utcnow()
    query = select(CaseRequest).where(
        CaseRequest.status == RequestStatus.OPEN.value, CaseRequest.deadline < now
    )
    rows = list(session.scalars(query.order_by(CaseRequest.deadline)).all())
    if not may_view_case(officer):
        rows = [r for r in rows if may_answer(officer, r)]
    return request_outs(session, rows)


def officers_for_pick(session: Session) -> dict[str, list[OfficerRef]]:
    """Whom a case page may name: case-team officers and community officers."""
    rows = session.scalars(
        select(Officer)
        .where(
            Officer.active.is_(True),
            Officer.role.in_([Role.CASE_OFFICER.value, Role.COMMUNITY_OFFICER.value]),
        )
        .order_by(Officer.id)
    ).all()
    out: dict[str, list[OfficerRef]] = {"case_officer": [], "community_officer": []}
    for o in rows:
        out[o.role].append(OfficerRef(id=o.id, name=o.display_name))
    return out


def may_manage(officer: Officer) -> bool:
    return can(officer.role, Permission.CASE_MANAGE)
