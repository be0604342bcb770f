"""Taking a call: one durable incident per event, however often it is retried or reported."""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jingwu.command.categories import check_category, label, top_of
from jingwu.command.events import IncidentMerged, IncidentReceived
from jingwu.command.models import IdempotencyRecord, Incident, IncidentCaller
from jingwu.command.schemas import IncidentIn
from jingwu.command.states import MERGEABLE, OPEN_STATUSES, IncidentStatus, check_incident_move
from jingwu.command.timeline import note_step
from jingwu.core import events
from jingwu.core.clock import as_utc, to_local, utcnow
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.core.geo import haversine_m
from jingwu.places import service as places_service


@dataclass
class IntakeResult:
    incident: Incident
    created: bool
    possible_duplicates: list[Incident] = field(default_factory=list)


def _request_hash(data: IncidentIn) -> str:
    return hashlib.sha256(data.model_dump_json(exclude={"reported_at"}).encode()).hexdigest()


def _replay(session: Session, *, officer_id: int, key: str, data: IncidentIn) -> Incident | None:
    record = session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.officer_id == officer_id, IdempotencyRecord.key == key
        )
    ).first()
    if record is None:
        return None
    if record.request_hash != _request_hash(data):
        raise Conflict(
            "同一个 Idempotency-Key 已用于另一条不同的警情 / this Idempotency-Key was used "
            "for a different request",
            code="idempotency_key_reused",
        )
    return session.get(Incident, record.incident_id)


def _claim_key(session: Session, *, officer_id: int, key: str, data: IncidentIn) -> Incident | None:
    """Claim the key before writing; if another request claimed it first, return its incident."""
    record = IdempotencyRecord(officer_id=officer_id, key=key, request_hash=_request_hash(data))
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        winner = _replay(session, officer_id=officer_id, key=key, data=data)
        if winner is None:
            raise
        return winner
    return None


def find_possible_duplicates(
    session: Session,
    *,
    incident: Incident,
    radius_m: float,
    window_minutes: int,
    limit: int = 10,
) -> list[Incident]:
    """Open incidents of the same kind, close in place and time (同地、同时段、同类), newest first."""
    top = top_of(incident.category_code).code
    since = as_utc(incident.reported_at) - timedelta(minutes=window_minutes)
    query = select(Incident).where(
        Incident.id != incident.id,
        Incident.status.in_([s.value for s in OPEN_STATUSES]),
        Incident.reported_at >= since,
        Incident.category_code.like(f"{top}%"),
        Incident.is_drill == incident.is_drill,
    )
    if incident.lat is not None and incident.lon is not None:
        d_lat = radius_m / 111_000.0
        d_lon = d_lat / max(0.01, math.cos(math.radians(incident.lat)))
        query = query.where(
            Incident.lat.between(incident.lat - d_lat, incident.lat + d_lat),
            Incident.lon.between(incident.lon - d_lon, incident.lon + d_lon),
        )
    elif incident.address_text:
        query = query.where(Incident.address_text == incident.address_text)
    else:
        return []
    matches = []
    for other in session.scalars(query.order_by(Incident.reported_at.desc()).limit(limit * 4)):
        if (
            incident.lat is None
            or incident.lon is None
            or (
                other.lat is not None
                and other.lon is not None
                and haversine_m(incident.lat, incident.lon, other.lat, other.lon) <= radius_m
            )
        ):
            matches.append(other)
    return matches[:limit]


def similar_open_incidents(
    session: Session,
    *,
    category_code: str,
    lat: float | None,
    lon: float | None,
    address_text: str,
    radius_m: float,
    window_minutes: int,
) -> list[Incident]:
    """Duplicates for a call not yet saved: shown beside the intake form."""
    check_category(category_code)
    probe = Incident(
        id=-1,
        category_code=category_code,
        lat=lat if lon is not None else None,
        lon=lon if lat is not None else None,
        address_text=address_text.strip(),
        reported_at=utcnow(),
        is_drill=False,
    )
    return find_possible_duplicates(
        session, incident=probe, radius_m=radius_m, window_minutes=window_minutes
    )


def do_intake(
    session: Session,
    *,
    data: IncidentIn,
    officer_id: int,
    idempotency_key: str | None,
    radius_m: float,
    window_minutes: int,
) -> IntakeResult:
    category = check_category(data.category_code)
    if idempotency_key:
        existing = _replay(session, officer_id=officer_id, key=idempotency_key, data=data)
        existing = existing or _claim_key(
            session, officer_id=officer_id, key=idempotency_key, data=data
        )
        if existing is not None:
            return IntakeResult(incident=existing, created=False)
    now = utcnow()
    reported_at = as_utc(data.reported_at) if data.reported_at else now
    if reported_at > now + timedelta(minutes=2):
        raise InvalidInput("接警时间在未来 / call time is in the future", code="call_in_future")
    lat, lon, address_text = data.lat, data.lon, data.address_text
    if data.address_id is not None:
        address = places_service.get_address(session, address_id=data.address_id)
        lat, lon = address.lat, address.lon
        address_text = address_text or address.full_text
    community_id = beat_id = None
    if lat is not None and lon is not None:
        placement = places_service.locate(session, lat=lat, lon=lon)
        community_id = placement.community.id if placement.community else None
        beat_id = placement.beat.id if placement.beat else None
    incident = Incident(
        number=f"tmp-{uuid.uuid4().hex[:24]}",
        status=IncidentStatus.RECEIVED.value,
        priority=data.priority or category.default_priority,
        category_code=category.code,
        caller_name=data.caller_name,
        caller_phone=data.caller_phone,
        address_text=address_text,
        address_id=data.address_id,
        lat=lat,
        lon=lon,
        community_id=community_id,
        beat_id=beat_id,
        description=data.description,
        is_drill=data.is_drill,
        created_by_id=officer_id,
        reported_at=reported_at,
    )
    session.add(incident)
    session.flush()
    prefix = "YL" if data.is_drill else "JQ"
    incident.number = f"{prefix}{to_local(reported_at):%Y%m%d}-{incident.id:05d}"
    session.add(
        IncidentCaller(
            incident_id=incident.id,
            name=data.caller_name,
            phone=data.caller_phone,
            called_at=reported_at,
            words=data.description,
            original_incident_id=incident.id,
        )
    )
    if idempotency_key:
        record = session.scalars(
            select(IdempotencyRecord).where(
                IdempotencyRecord.officer_id == officer_id, IdempotencyRecord.key == idempotency_key
            )
        ).one()
        record.incident_id = incident.id
    note_step(
        session,
        incident=incident,
        kind="received",
        actor_id=officer_id,
        text=f"接警：{label(category.code)}，{address_text or '（坐标）'}",
        data={"priority": incident.priority, "category": category.code},
    )
    events.record(
        session,
        IncidentReceived(
            incident_id=incident.id,
            number=incident.number,
            status=incident.status,
            priority=incident.priority,
            category_code=incident.category_code,
            lat=lat,
            lon=lon,
            is_drill=incident.is_drill,
        ),
    )
    session.flush()
    duplicates = find_possible_duplicates(
        session, incident=incident, radius_m=radius_m, window_minutes=window_minutes
    )
    return IntakeResult(incident=incident, created=True, possible_duplicates=duplicates)


def do_merge(session: Session, *, duplicate: Incident, into: Incident, actor_id: int) -> Incident:
    """Fold a duplicate call into the incident it reports; every caller is kept."""
    if duplicate.id == into.id:
        raise InvalidInput(
            "不能与自身合并 / cannot merge an incident into itself", code="self_merge"
        )
    check_incident_move(duplicate.status, MERGEABLE, "合并")
    if into.status == IncidentStatus.MERGED.value:
        raise Conflict("目标警情已被合并 / the target was itself merged", code="target_merged")
    if into.is_drill != duplicate.is_drill:
        raise Conflict(
            "演练警情不能与真实警情合并 / drill and real incidents do not mix", code="drill_mix"
        )
    callers = session.scalars(
        select(IncidentCaller).where(IncidentCaller.incident_id == duplicate.id)
    ).all()
    for caller in callers:
        caller.incident_id = into.id
    duplicate.status = IncidentStatus.MERGED.value
    duplicate.merged_into_id = into.id
    note_step(
        session,
        incident=duplicate,
        kind="merged",
        actor_id=actor_id,
        text=f"重复报警，已并入 {into.number}",
        data={"into": into.id},
    )
    note_step(
        session,
        incident=into,
        kind="caller_added",
        actor_id=actor_id,
        text=f"并入重复报警 {duplicate.number}（{len(callers)} 位报警人）",
        data={"from": duplicate.id},
    )
    events.record(
        session,
        IncidentMerged(
            incident_id=duplicate.id,
            number=duplicate.number,
            status=duplicate.status,
            into_id=into.id,
        ),
    )
    session.flush()
    return into


def get_incident(session: Session, *, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"警情不存在 / no incident {incident_id}", code="incident_not_found")
    return incident
