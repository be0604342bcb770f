"""The case team's writes. ``check_*`` validates, ``do_*`` writes, audits and records an event.

Every change writes a case timeline row and an audit row in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingwu.cases.events import (
    CaseOpened,
    CaseRequestAnswered,
    CaseRequestCreated,
    CaseRequestOverdue,
    CaseStatusChanged,
    LossRecovered,
    SuspectArrested,
)
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
    AnswerIn,
    ArrestIn,
    CaseIn,
    CustodyIn,
    EvidenceIn,
    LossIn,
    PersonIn,
    RecoveryIn,
    RequestIn,
)
from jingwu.cases.states import (
    CUSTODY_LABELS,
    FINAL,
    NEEDS_REASON,
    NEEDS_SUSPECT,
    PERSON_ROLE_LABELS,
    REQUEST_KIND_LABELS,
    STATUS_LABELS,
    SUSPECT_STATUS_LABELS,
    TYPE_LABELS,
    CaseStatus,
    CustodyAction,
    PersonRole,
    RequestKind,
    RequestStatus,
    SuspectStatus,
    check_case_move,
    check_suspect_move,
)
from jingwu.command import intake
from jingwu.command.timeline import note_step
from jingwu.core import events
from jingwu.core.clock import as_utc, format_local, to_local, utcnow
from jingwu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from jingwu.identity import audit
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission, Role, can
from jingwu.places import service as places_service
from jingwu.places.models import Camera

CASE_TEAM_ROLES = frozenset({Role.CASE_OFFICER.value, Role.CHIEF.value, Role.ADMIN.value})
CLOCK_SKEW = timedelta(minutes=2)
MAX_REQUEST_DAYS = 90
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
NOTE_LABELS = {
    "lead": "线索",
    "scene": "现场勘查",
    "visit": "走访",
    "control": "控情",
    "note": "记事",
}


def yuan_to_fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def _not_in_future(moment: datetime | None, what: str) -> datetime:
    now = utcnow()
    if moment is None:
        return now
    moment = as_utc(moment)
    if moment > now + CLOCK_SKEW:
        raise InvalidInput(f"{what}不能晚于当前时间 / {what} is in the future", code="in_future")
    return moment


def _earliest(current: datetime | None, moment: datetime) -> datetime:
    return moment if current is None or as_utc(moment) < as_utc(current) else current


def note(
    session: Session,
    *,
    case: Case,
    kind: str,
    actor_id: int | None,
    text: str,
    source: str = "case",
    at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> CaseTimelineEntry:
    """One timeline row and one audit row for one step of a case."""
    entry = CaseTimelineEntry(
        case_id=case.id,
        at=at or utcnow(),
        source=source,
        kind=kind,
        actor_id=actor_id,
        text=text,
        data=data or {},
    )
    session.add(entry)
    audit.write(
        session,
        officer_id=actor_id,
        action=f"case.{kind}",
        entity="case",
        entity_id=case.id,
        detail=data or {},
    )
    return entry


# ---- reads every writer needs ----


def get_case(session: Session, *, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"案件不存在 / no case {case_id}", code="case_not_found")
    return case


def get_person(session: Session, *, case: Case, person_id: int) -> CasePerson:
    person = session.get(CasePerson, person_id)
    if person is None or person.case_id != case.id:
        raise NotFound(
            f"本案无此人员 / no person {person_id} in this case", code="person_not_found"
        )
    return person


def get_evidence(session: Session, *, case: Case, evidence_id: int) -> Evidence:
    item = session.get(Evidence, evidence_id)
    if item is None or item.case_id != case.id:
        raise NotFound(f"本案无此物证 / no exhibit {evidence_id}", code="evidence_not_found")
    return item


def get_request(session: Session, *, request_id: int) -> CaseRequest:
    request = session.get(CaseRequest, request_id)
    if request is None:
        raise NotFound(f"请求不存在 / no request {request_id}", code="request_not_found")
    return request


def _officer(session: Session, officer_id: int, *, roles: frozenset[str] | None = None) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None or not officer.active:
        raise InvalidInput(f"警员不存在 / no officer {officer_id}", code="officer_not_found")
    if roles is not None and officer.role not in roles:
        raise InvalidInput(
            f"{officer.display_name} 不属于所需岗位 / {officer.username} has the wrong role",
            code="wrong_role",
            officer_id=officer_id,
            role=officer.role,
        )
    return officer


def check_open(case: Case, action: str) -> None:
    if CaseStatus(case.status) in FINAL:
        raise Conflict(
            f"案件已「{STATUS_LABELS[CaseStatus(case.status)]}」，不能{action} / the case is final",
            code="case_final",
            status=case.status,
        )


# ---- the case itself ----


def do_open_case(session: Session, *, data: CaseIn, actor_id: int) -> Case:
    lat, lon, address_text, beat_id = data.lat, data.lon, data.address_text, None
    reported_at = _not_in_future(data.reported_at, "报案时间")
    incident = None
    if data.incident_id is not None:
        incident = intake.get_incident(session, incident_id=data.incident_id)
        taken = session.scalars(
            select(Case.number).where(
                Case.incident_id == incident.id,
                Case.status.not_in([CaseStatus.WITHDRAWN.value, CaseStatus.NOT_FILED.value]),
            )
        ).first()
        if taken:
            raise Conflict(
                f"该警情已有案件 {taken} / this incident already has case {taken}",
                code="incident_has_case",
                number=taken,
            )
        reported_at = as_utc(incident.reported_at)
        lat, lon = (incident.lat, incident.lon) if lat is None else (lat, lon)
        address_text = address_text or incident.address_text
        beat_id = incident.beat_id
    if beat_id is None and lat is not None and lon is not None:
        placement = places_service.locate(session, lat=lat, lon=lon)
        beat_id = placement.beat.id if placement.beat else None
    actor = _officer(session, actor_id)
    lead_id = data.lead_officer_id
    if lead_id is not None:
        _officer(session, lead_id, roles=CASE_TEAM_ROLES)
    elif actor.role == Role.CASE_OFFICER.value:
        lead_id = actor.id
    case = Case(
        number=f"tmp-{secrets.token_hex(12)}",
        title=data.title,
        case_type=data.case_type.value,
        status=CaseStatus.ACCEPTED.value,
        incident_id=incident.id if incident else None,
        summary=data.summary,
        address_text=address_text,
        lat=lat,
        lon=lon,
        beat_id=beat_id,
        lead_officer_id=lead_id,
        created_by_id=actor_id,
        reported_at=reported_at,
    )
    session.add(case)
    session.flush()
    case.number = f"AJ{to_local(reported_at):%Y%m%d}-{case.id:05d}"
    if lead_id is not None:
        session.add(CaseOfficer(case_id=case.id, officer_id=lead_id, duty="lead"))
    note(
        session,
        case=case,
        kind="accepted",
        actor_id=actor_id,
        text=f"受理：{TYPE_LABELS[data.case_type]}案 {data.title}",
        data={"case_type": case.case_type, "incident_id": case.incident_id},
    )
    if incident is not None:
        note_step(
            session,
            incident=incident,
            kind="case_opened",
            actor_id=actor_id,
            text=f"案件办理队受理为案件 {case.number}",
            data={"case_id": case.id},
        )
    events.record(
        session,
        CaseOpened(
            case_id=case.id,
            number=case.number,
            status=case.status,
            case_type=case.case_type,
            incident_id=case.incident_id,
        ),
    )
    session.flush()
    return case


def suspects_of(session: Session, *, case_id: int) -> list[CasePerson]:
    return list(
        session.scalars(
            select(CasePerson)
            .where(CasePerson.case_id == case_id, CasePerson.role == PersonRole.SUSPECT.value)
            .order_by(CasePerson.id)
        ).all()
    )


def check_transition(session: Session, *, case: Case, target: CaseStatus, reason: str) -> None:
    check_case_move(case.status, target)
    if target in NEEDS_REASON and not reason.strip():
        raise InvalidInput(
            f"「{STATUS_LABELS[target]}」需要写明理由 / give the reason", code="reason_required"
        )
    if target in NEEDS_SUSPECT and not suspects_of(session, case_id=case.id):
        raise Conflict(
            f"「{STATUS_LABELS[target]}」前须至少查明一名嫌疑人 / identify a suspect first",
            code="no_suspect",
        )


def do_transition(
    session: Session, *, case: Case, target: CaseStatus, reason: str, actor_id: int
) -> Case:
    check_transition(session, case=case, target=target, reason=reason)
    previous = case.status
    now = utcnow()
    case.status = target.value
    if reason:
        case.status_reason = reason
    if target is CaseStatus.FILED:
        case.filed_at = now
    elif target is CaseStatus.SOLVED:
        case.solved_at = now
    elif target in (CaseStatus.PROSECUTED, CaseStatus.CLOSED):
        case.finished_at = now
        case.disposed_at = now
    elif target in (CaseStatus.WITHDRAWN, CaseStatus.NOT_FILED):
        case.finished_at = now
    text = f"{STATUS_LABELS[CaseStatus(previous)]} → {STATUS_LABELS[target]}"
    note(
        session,
        case=case,
        kind="status",
        actor_id=actor_id,
        text=f"{text}：{reason}" if reason else text,
        data={"from": previous, "to": target.value},
    )
    events.record(
        session,
        CaseStatusChanged(
            case_id=case.id, number=case.number, status=case.status, previous=previous
        ),
    )
    session.flush()
    return case


def do_assign_officer(
    session: Session, *, case: Case, officer_id: int, duty: str, actor_id: int
) -> CaseOfficer:
    officer = _officer(session, officer_id, roles=CASE_TEAM_ROLES)
    rows = session.scalars(select(CaseOfficer).where(CaseOfficer.case_id == case.id)).all()
    mine = next((r for r in rows if r.officer_id == officer_id), None)
    if mine is None:
        mine = CaseOfficer(case_id=case.id, officer_id=officer_id, duty=duty)
        session.add(mine)
    mine.duty = duty
    if duty == "lead":
        for row in rows:
            if row.officer_id != officer_id and row.duty == "lead":
                row.duty = "assist"
        case.lead_officer_id = officer_id
    elif case.lead_officer_id == officer_id:
        case.lead_officer_id = None
    note(
        session,
        case=case,
        kind="assigned",
        actor_id=actor_id,
        text=f"{'主办' if duty == 'lead' else '协办'}民警：{officer.display_name}",
        data={"officer_id": officer_id, "duty": duty},
    )
    session.flush()
    return mine


def do_set_squad(
    session: Session,
    *,
    officer_id: int,
    mentor_id: int | None,
    assault_team: bool,
    specialty: str,
    actor_id: int,
) -> SquadMember:
    """Put an officer on the roster; a master must be on it already, and no pair goes in circles."""
    _officer(session, officer_id, roles=frozenset({Role.CASE_OFFICER.value}))
    roster = {m.officer_id: m for m in session.scalars(select(SquadMember)).all()}
    if mentor_id is not None:
        if mentor_id == officer_id:
            raise InvalidInput(
                "不能拜自己为师 / an officer cannot mentor themself", code="self_mentor"
            )
        if mentor_id not in roster:
            raise InvalidInput(
                "师父须先在队员名单中 / the master must be on the roster",
                code="mentor_not_in_squad",
            )
        seen: set[int] = set()
        cursor: int | None = mentor_id
        while cursor is not None and cursor not in seen:
            if cursor == officer_id:
                raise Conflict(
                    "师徒关系不能成环 / master–apprentice pairs cannot loop", code="mentor_cycle"
                )
            seen.add(cursor)
            cursor = roster[cursor].mentor_id if cursor in roster else None
    member = roster.get(officer_id)
    if member is None:
        member = SquadMember(officer_id=officer_id)
        session.add(member)
    member.mentor_id = mentor_id
    member.assault_team = assault_team
    member.specialty = specialty
    audit.write(
        session,
        officer_id=actor_id,
        action="case_squad.set",
        entity="officer",
        entity_id=officer_id,
        detail={"mentor_id": mentor_id, "assault_team": assault_team},
    )
    session.flush()
    return member


# ---- people ----


def do_add_person(session: Session, *, case: Case, data: PersonIn, actor_id: int) -> CasePerson:
    check_open(case, "添加人员")
    status = None
    if data.role is PersonRole.SUSPECT:
        status = (data.suspect_status or SuspectStatus.IDENTIFIED).value
        if status == SuspectStatus.ARRESTED.value:
            raise InvalidInput("抓获请登记抓捕记录 / record an arrest instead", code="use_arrest")
    person = CasePerson(
        case_id=case.id,
        role=data.role.value,
        name=data.name,
        id_number=data.id_number,
        phone=data.phone,
        address=data.address,
        resident_id=data.resident_id,
        suspect_status=status,
        description=data.description,
        created_by_id=actor_id,
    )
    session.add(person)
    session.flush()
    note(
        session,
        case=case,
        kind="person_added",
        actor_id=actor_id,
        text=f"{PERSON_ROLE_LABELS[data.role]}：{data.name}"
        + (f"（{SUSPECT_STATUS_LABELS[SuspectStatus(status)]}）" if status else ""),
        data={"person_id": person.id, "role": person.role},
    )
    return person


def do_set_suspect_status(
    session: Session,
    *,
    case: Case,
    person: CasePerson,
    status: SuspectStatus,
    note_text: str,
    address: str | None,
    actor_id: int,
) -> CasePerson:
    if person.role != PersonRole.SUSPECT.value or person.suspect_status is None:
        raise Conflict("只有嫌疑人有抓捕状态 / only suspects have a status", code="not_a_suspect")
    if status is SuspectStatus.ARRESTED:
        raise InvalidInput("抓获请登记抓捕记录 / record an arrest instead", code="use_arrest")
    check_suspect_move(person.suspect_status, status)
    person.suspect_status = status.value
    if address:
        person.address = address
    text = f"嫌疑人 {person.name}：{SUSPECT_STATUS_LABELS[status]}"
    note(
        session,
        case=case,
        kind="suspect_status",
        actor_id=actor_id,
        text=f"{text}，{note_text}" if note_text else text,
        data={"person_id": person.id, "status": status.value},
    )
    if status is SuspectStatus.LOCATED and case.first_lead_at is None:
        case.first_lead_at = utcnow()
    session.flush()
    return person


def do_arrest(session: Session, *, case: Case, data: ArrestIn, actor_id: int) -> Arrest:
    check_open(case, "登记抓捕")
    person = get_person(session, case=case, person_id=data.person_id)
    if person.role != PersonRole.SUSPECT.value or person.suspect_status is None:
        raise Conflict("只能抓捕嫌疑人 / only a suspect can be arrested", code="not_a_suspect")
    check_suspect_move(person.suspect_status, SuspectStatus.ARRESTED)
    arrested_at = _not_in_future(data.arrested_at, "抓获时间")
    arrest = Arrest(
        case_id=case.id,
        person_id=person.id,
        arrested_at=arrested_at,
        place=data.place,
        measure=data.measure,
        note=data.note,
        recorded_by_id=actor_id,
    )
    session.add(arrest)
    person.suspect_status = SuspectStatus.ARRESTED.value
    case.first_arrest_at = _earliest(case.first_arrest_at, arrested_at)
    session.flush()
    suspects = suspects_of(session, case_id=case.id)
    if case.controlled_at is None and all(
        s.suspect_status == SuspectStatus.ARRESTED.value for s in suspects
    ):
        case.controlled_at = arrested_at
    note(
        session,
        case=case,
        kind="arrest",
        actor_id=actor_id,
        at=arrested_at,
        text=f"抓获嫌疑人 {person.name}"
        + (f"，{data.place}" if data.place else "")
        + (f"（{data.measure}）" if data.measure else ""),
        data={"person_id": person.id, "arrest_id": arrest.id},
    )
    events.record(
        session,
        SuspectArrested(
            case_id=case.id, number=case.number, status=case.status, person_id=person.id
        ),
    )
    session.flush()
    return arrest


# ---- evidence and its chain of custody ----


def do_add_evidence(session: Session, *, case: Case, data: EvidenceIn, actor_id: int) -> Evidence:
    check_open(case, "登记物证")
    collected_at = _not_in_future(data.collected_at, "提取时间")
    count = session.scalar(select(func.count()).where(Evidence.case_id == case.id)) or 0
    item = Evidence(
        case_id=case.id,
        number=f"{case.number}-W{count + 1:03d}",
        name=data.name,
        kind=data.kind,
        description=data.description,
        collected_at=collected_at,
        collected_by_id=actor_id,
        holder_id=actor_id,
        location=data.location,
        state=CustodyAction.COLLECTED.value,
    )
    session.add(item)
    session.flush()
    session.add(
        CustodyEvent(
            evidence_id=item.id,
            at=collected_at,
            action=CustodyAction.COLLECTED.value,
            to_officer_id=actor_id,
            location=data.location,
            actor_id=actor_id,
        )
    )
    note(
        session,
        case=case,
        kind="evidence",
        actor_id=actor_id,
        text=f"提取{data.kind}：{data.name}（{item.number}）",
        data={"evidence_id": item.id},
    )
    return item


def do_custody(
    session: Session, *, case: Case, item: Evidence, data: CustodyIn, actor_id: int
) -> CustodyEvent:
    """Hand an exhibit on; the chain records who held it, from when, and where it lay."""
    if item.state == CustodyAction.RELEASED.value:
        raise Conflict(
            "物证已发还/处置，保管链已结束 / the exhibit has left custody", code="custody_ended"
        )
    action = data.action
    if action is CustodyAction.COLLECTED:
        raise Conflict("物证已提取 / the exhibit was already collected", code="already_collected")
    if action is CustodyAction.TRANSFERRED and data.to_officer_id is None:
        raise InvalidInput("移交须指定接收人 / name who receives it", code="receiver_required")
    if action in (CustodyAction.STORED, CustodyAction.RETURNED) and not data.location:
        raise InvalidInput(
            "入库/归还须写明存放位置 / say where it is kept", code="location_required"
        )
    receiver = None
    if data.to_officer_id is not None:
        receiver = _officer(session, data.to_officer_id)
    if action is CustodyAction.CHECKED_OUT and receiver is None:
        receiver = _officer(session, actor_id)
    held_by = (
        receiver.id
        if receiver
        and action
        in (
            CustodyAction.TRANSFERRED,
            CustodyAction.CHECKED_OUT,
        )
        else None
    )
    event_row = CustodyEvent(
        evidence_id=item.id,
        at=utcnow(),
        action=action.value,
        from_officer_id=item.holder_id,
        to_officer_id=held_by,
        location=data.location or item.location,
        note=data.note,
        actor_id=actor_id,
    )
    session.add(event_row)
    item.holder_id = held_by
    item.state = action.value
    if data.location:
        item.location = data.location
    note(
        session,
        case=case,
        kind="custody",
        actor_id=actor_id,
        text=f"物证 {item.number} {CUSTODY_LABELS[action]}"
        + (f" → {receiver.display_name}" if receiver and held_by else "")
        + (f"，{data.location}" if data.location else ""),
        data={"evidence_id": item.id, "action": action.value, "to": held_by},
    )
    session.flush()
    return event_row


# ---- losses and recovery (挽损) ----


def do_add_loss(session: Session, *, case: Case, data: LossIn, actor_id: int) -> Loss:
    check_open(case, "登记损失")
    loss = Loss(
        case_id=case.id,
        item=data.item,
        quantity=data.quantity,
        value_fen=yuan_to_fen(data.value_yuan),
        note=data.note,
    )
    session.add(loss)
    session.flush()
    note(
        session,
        case=case,
        kind="loss",
        actor_id=actor_id,
        text=f"损失：{data.item} {data.quantity} 价值 {data.value_yuan} 元",
        data={"loss_id": loss.id, "value_fen": loss.value_fen},
    )
    return loss


def do_add_recovery(session: Session, *, case: Case, data: RecoveryIn, actor_id: int) -> Recovery:
    value_fen = yuan_to_fen(data.value_yuan)
    recovered_at = _not_in_future(data.recovered_at, "挽损时间")
    if data.loss_id is not None:
        loss = session.get(Loss, data.loss_id)
        if loss is None or loss.case_id != case.id:
            raise NotFound(
                f"本案无此损失 / no loss {data.loss_id} in this case", code="loss_not_found"
            )
        already = int(
            session.scalar(
                select(func.coalesce(func.sum(Recovery.value_fen), 0)).where(
                    Recovery.loss_id == loss.id
                )
            )
            or 0
        )
        if already + value_fen > loss.value_fen:
            raise Conflict(
                f"挽回金额超过该项损失（{loss.value_fen / 100:.2f} 元）/ more than was lost",
                code="recovery_exceeds_loss",
                lost_fen=loss.value_fen,
                recovered_fen=already,
            )
    recovery = Recovery(
        case_id=case.id,
        loss_id=data.loss_id,
        value_fen=value_fen,
        recovered_at=recovered_at,
        note=data.note,
        recorded_by_id=actor_id,
    )
    session.add(recovery)
    case.first_recovery_at = _earliest(case.first_recovery_at, recovered_at)
    session.flush()
    note(
        session,
        case=case,
        kind="recovery",
        actor_id=actor_id,
        at=recovered_at,
        text=f"挽损 {data.value_yuan} 元" + (f"：{data.note}" if data.note else ""),
        data={"recovery_id": recovery.id, "value_fen": value_fen},
    )
    events.record(
        session,
        LossRecovered(case_id=case.id, number=case.number, status=case.status, value_fen=value_fen),
    )
    return recovery


def do_add_note(
    session: Session, *, case: Case, kind: str, text: str, actor_id: int
) -> CaseTimelineEntry:
    """A lead (线索), scene work, a visit, control of the situation (控情), or a plain note."""
    now = utcnow()
    if kind == "lead":
        case.first_lead_at = _earliest(case.first_lead_at, now)
    elif kind == "control":
        case.controlled_at = _earliest(case.controlled_at, now)
    entry = note(
        session,
        case=case,
        kind=kind,
        actor_id=actor_id,
        text=f"{NOTE_LABELS[kind]}：{text}",
        data={},
    )
    session.flush()
    return entry


# ---- requests to other teams ----


def check_request(
    session: Session, *, case: Case, data: RequestIn
) -> tuple[list[Camera], Officer | None]:
    check_open(case, "发起请求")
    now = utcnow()
    deadline = as_utc(data.deadline)
    if deadline <= now:
        raise InvalidInput("期限须晚于现在 / the deadline is in the past", code="deadline_past")
    if deadline > now + timedelta(days=MAX_REQUEST_DAYS):
        raise InvalidInput(
            f"期限不超过 {MAX_REQUEST_DAYS} 天 / deadline at most {MAX_REQUEST_DAYS} days ahead",
            code="deadline_too_far",
        )
    cameras: list[Camera] = []
    if data.kind is RequestKind.VIDEO:
        wanted = list(dict.fromkeys(data.camera_ids))
        cameras = list(session.scalars(select(Camera).where(Camera.id.in_(wanted))).all())
        missing = sorted(set(wanted) - {c.id for c in cameras})
        if missing:
            raise InvalidInput(
                f"摄像头不存在：{missing} / unknown cameras", code="camera_not_found", ids=missing
            )
        assert data.window_start is not None
        if as_utc(data.window_start) > now + CLOCK_SKEW:
            raise InvalidInput(
                "时间段不能在未来 / the window starts in the future", code="in_future"
            )
    target = None
    if data.target_officer_id is not None:
        roles = (
            frozenset({Role.COMMUNITY_OFFICER.value})
            if data.kind is RequestKind.COMMUNITY
            else None
        )
        target = _officer(session, data.target_officer_id, roles=roles)
    if data.beat_id is not None:
        places_service.get_beat(session, beat_id=data.beat_id)
    return cameras, target


def do_create_request(
    session: Session, *, case: Case, data: RequestIn, actor_id: int
) -> CaseRequest:
    cameras, target = check_request(session, case=case, data=data)
    request = CaseRequest(
        case_id=case.id,
        kind=data.kind.value,
        question=data.question,
        target_officer_id=target.id if target else None,
        beat_id=data.beat_id or (case.beat_id if data.kind is RequestKind.COMMUNITY else None),
        target_unit=data.target_unit,
        camera_ids=[c.id for c in cameras],
        window_start=as_utc(data.window_start) if data.window_start else None,
        window_end=as_utc(data.window_end) if data.window_end else None,
        deadline=as_utc(data.deadline),
        created_by_id=actor_id,
    )
    session.add(request)
    session.flush()
    if data.kind is RequestKind.VIDEO:
        whom = "指挥室"
        extra = f"，{len(cameras)} 路摄像头 {format_local(request.window_start)}—{format_local(request.window_end)}"
    elif data.kind is RequestKind.COMMUNITY:
        whom = target.display_name if target else "社区民警"
        extra = ""
    else:
        whom = data.target_unit
        extra = ""
    note(
        session,
        case=case,
        kind="request",
        source=data.kind.value,
        actor_id=actor_id,
        text=f"{REQUEST_KIND_LABELS[data.kind]} → {whom}：{data.question}{extra}（期限 {format_local(request.deadline)}）",
        data={"request_id": request.id},
    )
    events.record(
        session,
        CaseRequestCreated(
            case_id=case.id,
            number=case.number,
            status=case.status,
            request_id=request.id,
            kind=request.kind,
            target_officer_id=request.target_officer_id,
        ),
    )
    return request


def may_answer(officer: Officer, request: CaseRequest) -> bool:
    kind = RequestKind(request.kind)
    if officer.role == Role.ADMIN.value:
        return True
    if kind is RequestKind.VIDEO:
        return can(officer.role, Permission.CASE_ANSWER_VIDEO)
    if kind is RequestKind.COMMUNITY:
        return request.target_officer_id == officer.id and can(
            officer.role, Permission.CASE_ANSWER_COMMUNITY
        )
    return can(officer.role, Permission.CASE_MANAGE)


def check_may_answer(officer: Officer, request: CaseRequest) -> None:
    if not may_answer(officer, request):
        raise Forbidden(
            "此请求不是发给您的，不能答复 / this request is not addressed to you",
            code="not_your_request",
        )


def do_answer_request(
    session: Session, *, request: CaseRequest, data: AnswerIn, officer: Officer
) -> CaseRequest:
    check_may_answer(officer, request)
    if request.status != RequestStatus.OPEN.value:
        raise Conflict("请求已答复或撤回 / the request is no longer open", code="request_closed")
    case = get_case(session, case_id=request.case_id)
    answer_data: dict[str, Any] = {}
    if data.address_id is not None:
        address = places_service.get_address(session, address_id=data.address_id)
        answer_data.update(
            address_id=address.id,
            address=address.full_text,
            building=address.building or "",
            floor=address.floor or "",
            room=address.room or "",
        )
    for key in ("building", "floor", "room"):
        value = getattr(data, key)
        if value:
            answer_data[key] = value
    now = utcnow()
    request.status = RequestStatus.ANSWERED.value
    request.answer = data.answer
    request.answer_data = answer_data
    request.answered_by_id = officer.id
    request.answered_at = now
    case.first_lead_at = _earliest(case.first_lead_at, now)
    place = "".join(
        f"{answer_data[k]}{suffix}"
        for k, suffix in (("building", ""), ("floor", "层"), ("room", "室"))
        if answer_data.get(k)
    )
    kind = RequestKind(request.kind)
    note(
        session,
        case=case,
        kind="answer",
        source=kind.value,
        actor_id=officer.id,
        text=f"{REQUEST_KIND_LABELS[kind]}答复（{officer.display_name}）：{data.answer}"
        + (f" — {place}" if place else ""),
        data={"request_id": request.id, **answer_data},
    )
    events.record(
        session,
        CaseRequestAnswered(
            case_id=case.id,
            number=case.number,
            status=case.status,
            request_id=request.id,
            kind=request.kind,
            target_officer_id=request.target_officer_id,
        ),
    )
    session.flush()
    return request


def do_cancel_request(session: Session, *, request: CaseRequest, actor_id: int) -> CaseRequest:
    if request.status != RequestStatus.OPEN.value:
        raise Conflict("请求已答复或撤回 / the request is no longer open", code="request_closed")
    case = get_case(session, case_id=request.case_id)
    request.status = RequestStatus.CANCELLED.value
    note(
        session,
        case=case,
        kind="request_cancelled",
        source=request.kind,
        actor_id=actor_id,
        text=f"撤回{REQUEST_KIND_LABELS[RequestKind(request.kind)]}：{request.question}",
        data={"request_id": request.id},
    )
    session.flush()
    return request


def overdue_requests(session: Session, *, now: datetime | None = None) -> list[CaseRequest]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(CaseRequest)
            .where(CaseRequest.status == RequestStatus.OPEN.value, CaseRequest.deadline < now)
            .order_by(CaseRequest.deadline)
        ).all()
    )


def do_raise_overdue_request_alerts(session: Session, *, now: datetime | None = None) -> int:
    """Once per request past its deadline: a timeline row, an audit row and an alert event."""
    now = now or utcnow()
    raised = 0
    for request in overdue_requests(session, now=now):
        if request.overdue_alerted_at is not None:
            continue
        case = get_case(session, case_id=request.case_id)
        request.overdue_alerted_at = now
        kind = RequestKind(request.kind)
        message = f"{case.number} {REQUEST_KIND_LABELS[kind]}超期未答复：{request.question}"
        note(
            session,
            case=case,
            kind="overdue",
            source=kind.value,
            actor_id=None,
            text=message,
            data={"request_id": request.id},
        )
        events.record(
            session,
            CaseRequestOverdue(
                case_id=case.id,
                number=case.number,
                status=case.status,
                request_id=request.id,
                kind=request.kind,
                target_officer_id=request.target_officer_id,
                message=message,
            ),
        )
        raised += 1
    session.flush()
    return raised


# ---- attachments ----

_SIGNATURES: list[tuple[bytes, int, str, tuple[str, ...]]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", (".png",)),
    (b"%PDF-", 0, "application/pdf", (".pdf",)),
    (b"ftyp", 4, "video/mp4", (".mp4", ".m4v")),
]
ALLOWED_TYPES = ("image/jpeg", "image/png", "application/pdf", "video/mp4", "text/plain")


def sniff_type(content: bytes, filename: str) -> str:
    """The type the bytes say they are; the name and the declared type are not trusted."""
    for magic, offset, kind, _ in _SIGNATURES:
        if content[offset : offset + len(magic)] == magic:
            return kind
    if filename.lower().endswith((".txt", ".log", ".csv")) and b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "text/plain"
    raise InvalidInput(
        "只接受 JPEG、PNG、PDF、MP4 或 UTF-8 文本 / accepted: JPEG, PNG, PDF, MP4, UTF-8 text",
        code="unsupported_type",
        allowed=list(ALLOWED_TYPES),
    )


def _safe_label(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"/|?*')
    return cleaned[:200] or "attachment"


@dataclass
class StoredFile:
    path: Path
    attachment: Attachment


def do_store_attachment(
    session: Session,
    *,
    case: Case,
    content: bytes,
    filename: str,
    upload_dir: Path,
    actor_id: int,
    evidence_id: int | None = None,
    request: CaseRequest | None = None,
) -> StoredFile:
    if not content:
        raise InvalidInput("文件为空 / the file is empty", code="empty_file")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"文件超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB / the file is too large",
            code="too_large",
            limit=MAX_ATTACHMENT_BYTES,
        )
    kind = sniff_type(content, filename)
    if evidence_id is not None:
        get_evidence(session, case=case, evidence_id=evidence_id)
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = upload_dir / stored_name
    with path.open("xb") as handle:
        handle.write(content)
    try:
        attachment = Attachment(
            case_id=case.id,
            evidence_id=evidence_id,
            request_id=request.id if request else None,
            original_name=_safe_label(filename),
            stored_name=stored_name,
            content_type=kind,
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by_id=actor_id,
        )
        session.add(attachment)
        session.flush()
        note(
            session,
            case=case,
            kind="attachment",
            source=request.kind if request else "case",
            actor_id=actor_id,
            text=f"附件：{attachment.original_name}（{len(content) // 1024 + 1} KB）",
            data={"attachment_id": attachment.id, "sha256": attachment.sha256},
        )
        session.flush()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredFile(path=path, attachment=attachment)


def get_attachment(session: Session, *, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"附件不存在 / no attachment {attachment_id}", code="attachment_not_found")
    return attachment
