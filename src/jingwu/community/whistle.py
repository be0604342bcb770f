"""吹哨报到: partner agencies, the requests the station sends them, and how fast they answer.

A partner account (role ``partner``) belongs to exactly one agency and sees only that agency's
requests. A step not taken by its deadline escalates the request, one level per missed step.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.community.events import PartnerChanged, WhistleChanged
from jingwu.community.models import (
    Dispute,
    PartnerAgency,
    PartnerMember,
    WhistleRequest,
    WhistleStatus,
)
from jingwu.community.schemas import (
    AgencyIn,
    PartnerStats,
    PartnerWhistleOut,
    WhistleIn,
    WhistleOut,
)
from jingwu.core import events
from jingwu.core.clock import as_utc, seconds_between, to_local, utcnow
from jingwu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from jingwu.core.paging import page_of
from jingwu.identity import audit
from jingwu.identity import service as identity_service
from jingwu.identity.roles import Role
from jingwu.places import service as places_service

STATUS_LABELS = {
    WhistleStatus.SENT.value: "待签收",
    WhistleStatus.ACKNOWLEDGED.value: "已签收",
    WhistleStatus.ARRIVED.value: "已到场",
    WhistleStatus.RESOLVED.value: "已办结",
    WhistleStatus.CANCELLED.value: "已撤回",
}
OPEN = frozenset(
    {WhistleStatus.SENT.value, WhistleStatus.ACKNOWLEDGED.value, WhistleStatus.ARRIVED.value}
)
_STEPS: dict[str, tuple[frozenset[str], str, str]] = {
    # step: (from statuses, new status, timestamp field)
    "acknowledge": (
        frozenset({WhistleStatus.SENT.value}),
        WhistleStatus.ACKNOWLEDGED.value,
        "acknowledged_at",
    ),
    "arrive": (
        frozenset({WhistleStatus.SENT.value, WhistleStatus.ACKNOWLEDGED.value}),
        WhistleStatus.ARRIVED.value,
        "arrived_at",
    ),
    "resolve": (OPEN, WhistleStatus.RESOLVED.value, "resolved_at"),
}
STEP_LABELS = {"acknowledge": "签收", "arrive": "到场", "resolve": "办结"}


# --- agencies -------------------------------------------------------------------------------


def do_add_agency(session: Session, *, data: AgencyIn, actor_id: int) -> PartnerAgency:
    taken = session.scalars(select(PartnerAgency.id).where(PartnerAgency.name == data.name)).first()
    if taken is not None:
        raise Conflict("同名联动单位已存在 / an agency of that name exists", code="agency_exists")
    agency = PartnerAgency(
        name=data.name,
        kind=data.kind,
        phone=data.phone,
        contacts=[c.model_dump() for c in data.contacts],
        categories=list(data.categories),
    )
    session.add(agency)
    session.flush()
    audit.write(
        session, officer_id=actor_id, action="agency.add", entity="agency", entity_id=agency.id
    )
    events.record(session, PartnerChanged(agency_id=agency.id, action="add"))
    return agency


def list_agencies(session: Session) -> list[PartnerAgency]:
    return list(session.scalars(select(PartnerAgency).order_by(PartnerAgency.id)).all())


def get_agency(session: Session, *, agency_id: int) -> PartnerAgency:
    agency = session.get(PartnerAgency, agency_id)
    if agency is None:
        raise NotFound(f"联动单位不存在 / no agency {agency_id}", code="agency_not_found")
    return agency


def do_link_member(
    session: Session, *, agency: PartnerAgency, officer_id: int, actor_id: int
) -> PartnerMember:
    """Make a partner account speak for this agency (and for no other)."""
    officer = identity_service.get_officer(session, officer_id=officer_id)
    if officer.role != Role.PARTNER.value:
        raise InvalidInput(
            "只有联动单位账号可以关联 / only a partner account can be linked",
            code="not_partner_account",
        )
    member = session.scalars(
        select(PartnerMember).where(PartnerMember.officer_id == officer_id)
    ).first()
    if member is None:
        member = PartnerMember(officer_id=officer_id, agency_id=agency.id)
        session.add(member)
    else:
        member.agency_id = agency.id
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="agency.link_member",
        entity="agency",
        entity_id=agency.id,
        detail={"officer_id": officer_id},
    )
    events.record(
        session, PartnerChanged(agency_id=agency.id, action="link_member", officer_id=officer_id)
    )
    return member


def agency_of_partner(session: Session, *, officer_id: int) -> PartnerAgency:
    member = session.scalars(
        select(PartnerMember).where(PartnerMember.officer_id == officer_id)
    ).first()
    if member is None:
        raise Forbidden(
            "该账号未关联联动单位，请联系派出所 / this account is not linked to an agency",
            code="no_agency",
        )
    return get_agency(session, agency_id=member.agency_id)


# --- requests -------------------------------------------------------------------------------


def do_blow(session: Session, *, data: WhistleIn, officer_id: int) -> WhistleRequest:
    """吹哨: send a request to a partner with its three deadlines."""
    agency = get_agency(session, agency_id=data.agency_id)
    if not agency.active:
        raise Conflict("该联动单位已停用 / the agency is inactive", code="agency_inactive")
    lat, lon, place = data.lat, data.lon, data.place_text
    if data.address_id is not None:
        address = places_service.get_address(session, address_id=data.address_id)
        lat, lon = address.lat, address.lon
        place = place or address.full_text
    if data.dispute_id is not None and session.get(Dispute, data.dispute_id) is None:
        raise NotFound(f"纠纷不存在 / no dispute {data.dispute_id}", code="dispute_not_found")
    now = utcnow()
    request = WhistleRequest(
        number=f"tmp-{uuid.uuid4().hex[:24]}",
        agency_id=agency.id,
        category=data.category,
        title=data.title,
        description=data.description,
        place_text=place,
        address_id=data.address_id,
        lat=lat,
        lon=lon,
        dispute_id=data.dispute_id,
        created_by_id=officer_id,
        created_at=now,
        ack_due_at=now + timedelta(minutes=data.ack_minutes),
        arrive_due_at=now + timedelta(minutes=data.arrive_minutes),
        resolve_due_at=now + timedelta(minutes=data.resolve_minutes),
    )
    session.add(request)
    session.flush()
    request.number = f"CS{to_local(now):%Y%m%d}-{request.id:05d}"
    _changed(session, request=request, action="blow", actor_id=officer_id)
    return request


def _changed(
    session: Session, *, request: WhistleRequest, action: str, actor_id: int | None
) -> None:
    audit.write(
        session,
        officer_id=actor_id,
        action=f"whistle.{action}",
        entity="whistle",
        entity_id=request.id,
        detail={"status": request.status, "level": request.escalation_level},
    )
    events.record(
        session,
        WhistleChanged(
            request_id=request.id,
            number=request.number,
            agency_id=request.agency_id,
            status=request.status,
            action=action,
            escalation_level=request.escalation_level,
        ),
    )
    session.flush()


def get_request(session: Session, *, request_id: int) -> WhistleRequest:
    request = session.get(WhistleRequest, request_id)
    if request is None:
        raise NotFound(f"协作请求不存在 / no request {request_id}", code="whistle_not_found")
    return request


def get_request_for_partner(
    session: Session, *, request_id: int, officer_id: int
) -> WhistleRequest:
    """A partner reaches only its own agency's requests; any other looks absent (404)."""
    agency = agency_of_partner(session, officer_id=officer_id)
    request = session.get(WhistleRequest, request_id)
    if request is None or request.agency_id != agency.id:
        raise NotFound(f"协作请求不存在 / no request {request_id}", code="whistle_not_found")
    return request


def do_step(
    session: Session, *, request: WhistleRequest, step: str, note: str, officer_id: int
) -> WhistleRequest:
    """The partner answers: 签收 (acknowledge), 到场 (arrive), 办结 (resolve)."""
    if step not in _STEPS:
        raise NotFound(f"无此步骤 / no step {step}", code="bad_step")
    allowed, new_status, stamp = _STEPS[step]
    if request.status not in allowed:
        raise Conflict(
            f"当前状态「{STATUS_LABELS.get(request.status, request.status)}」不能{STEP_LABELS[step]}"
            f" / a {request.status} request cannot {step}",
            code="bad_whistle_state",
            status=request.status,
        )
    now = utcnow()
    for _step, (_from, _status, field) in _STEPS.items():
        if getattr(request, field) is None:
            setattr(request, field, now)
        if field == stamp:
            break
    request.status = new_status
    if note:
        request.response_note = (request.response_note + "\n" + note).strip()[:4000]
    _changed(session, request=request, action=step, actor_id=officer_id)
    return request


def do_cancel(session: Session, *, request: WhistleRequest, officer_id: int) -> WhistleRequest:
    if request.status not in OPEN:
        raise Conflict("该请求已结束 / the request is finished", code="bad_whistle_state")
    request.status = WhistleStatus.CANCELLED.value
    _changed(session, request=request, action="cancel", actor_id=officer_id)
    return request


def late_steps(request: WhistleRequest, *, now: datetime | None = None) -> list[str]:
    """Which steps missed their deadline (done late, or not done and past due)."""
    now = as_utc(now or utcnow())
    late = []
    for step, due, done in (
        ("acknowledge", request.ack_due_at, request.acknowledged_at),
        ("arrive", request.arrive_due_at, request.arrived_at),
        ("resolve", request.resolve_due_at, request.resolved_at),
    ):
        if request.status == WhistleStatus.CANCELLED.value and done is None:
            continue
        if (done is not None and as_utc(done) > as_utc(due)) or (
            done is None and now > as_utc(due)
        ):
            late.append(step)
    return late


def do_escalate_overdue(session: Session, *, now: datetime | None = None) -> int:
    """Raise the escalation level of every open request whose next step is past due."""
    now = as_utc(now or utcnow())
    raised = 0
    for request in session.scalars(
        select(WhistleRequest).where(WhistleRequest.status.in_(sorted(OPEN)))
    ).all():
        missed = sum(
            1
            for due, done in (
                (request.ack_due_at, request.acknowledged_at),
                (request.arrive_due_at, request.arrived_at),
                (request.resolve_due_at, request.resolved_at),
            )
            if done is None and now > as_utc(due)
        )
        if missed > request.escalation_level:
            request.escalation_level = missed
            request.escalated_at = now
            _changed(session, request=request, action="escalate", actor_id=None)
            raised += 1
    return raised


def list_requests(
    session: Session,
    *,
    agency_id: int | None = None,
    open_only: bool = False,
    created_by_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WhistleRequest], int]:
    query = select(WhistleRequest)
    if agency_id is not None:
        query = query.where(WhistleRequest.agency_id == agency_id)
    if open_only:
        query = query.where(WhistleRequest.status.in_(sorted(OPEN)))
    if created_by_id is not None:
        query = query.where(WhistleRequest.created_by_id == created_by_id)
    return page_of(
        session,
        query,
        WhistleRequest.created_at.desc(),
        WhistleRequest.id.desc(),
        limit=limit,
        offset=offset,
    )


def _partner_view(session: Session, request: WhistleRequest) -> dict[str, object]:
    agency = session.get(PartnerAgency, request.agency_id)
    return {
        "id": request.id,
        "number": request.number,
        "agency_id": request.agency_id,
        "agency_name": agency.name if agency else "",
        "category": request.category,
        "title": request.title,
        "description": request.description,
        "place_text": request.place_text,
        "lat": request.lat,
        "lon": request.lon,
        "status": request.status,
        "created_at": request.created_at,
        "ack_due_at": request.ack_due_at,
        "arrive_due_at": request.arrive_due_at,
        "resolve_due_at": request.resolve_due_at,
        "acknowledged_at": request.acknowledged_at,
        "arrived_at": request.arrived_at,
        "resolved_at": request.resolved_at,
        "late": late_steps(request),
        "escalation_level": request.escalation_level,
        "response_note": request.response_note,
    }


def describe_for_partner(session: Session, request: WhistleRequest) -> PartnerWhistleOut:
    return PartnerWhistleOut.model_validate(_partner_view(session, request))


def describe(session: Session, request: WhistleRequest) -> WhistleOut:
    return WhistleOut.model_validate(
        {
            **_partner_view(session, request),
            "created_by_id": request.created_by_id,
            "dispute_id": request.dispute_id,
            "escalated_at": request.escalated_at,
        }
    )


def partner_stats(
    session: Session, *, start: datetime | None = None, end: datetime | None = None
) -> list[PartnerStats]:
    """Response times per partner: mean seconds to acknowledge, arrive, resolve; late count."""
    query = select(WhistleRequest)
    if start is not None:
        query = query.where(WhistleRequest.created_at >= as_utc(start))
    if end is not None:
        query = query.where(WhistleRequest.created_at < as_utc(end))
    by_agency: dict[int, list[WhistleRequest]] = {}
    for request in session.scalars(query).all():
        by_agency.setdefault(request.agency_id, []).append(request)
    out = []
    for agency in list_agencies(session):
        rows = by_agency.get(agency.id, [])

        def _mean(field: str, rows: list[WhistleRequest] = rows) -> float | None:
            values = [
                s
                for r in rows
                if (s := seconds_between(r.created_at, getattr(r, field))) is not None
            ]
            return round(sum(values) / len(values), 1) if values else None

        out.append(
            PartnerStats(
                agency_id=agency.id,
                agency_name=agency.name,
                requests=len(rows),
                acknowledged=sum(1 for r in rows if r.acknowledged_at is not None),
                resolved=sum(1 for r in rows if r.resolved_at is not None),
                late=sum(1 for r in rows if late_steps(r)),
                mean_ack_s=_mean("acknowledged_at"),
                mean_arrive_s=_mean("arrived_at"),
                mean_resolve_s=_mean("resolved_at"),
            )
        )
    return out
