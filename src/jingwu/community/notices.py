"""Public notices, and CAP 1.2 for notices and whistle requests, in and out."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.community import cap
from jingwu.community.events import NoticePublished
from jingwu.community.models import PartnerAgency, PublicNotice, WhistleRequest, WhistleStatus
from jingwu.community.schemas import NoticeIn
from jingwu.core import events
from jingwu.core.clock import format_local, utcnow
from jingwu.core.errors import AppError, NotFound
from jingwu.identity import audit

# The OASIS schema is not shipped with the package; it is read from the shared data folder
# beside the checkout, or from JINGWU_CAP_XSD.
_DEFAULT_XSD = Path(__file__).resolve().parents[3].parent / "shared/data/cap/CAP-v1.2.xsd"


class SchemaMissing(AppError):
    status_code = 503
    code = "cap_schema_missing"


def schema_path() -> Path:
    return Path(os.environ.get("JINGWU_CAP_XSD", str(_DEFAULT_XSD)))


def schema() -> cap.CapSchema:
    path = schema_path()
    if not path.exists():
        raise SchemaMissing(
            f"缺少 CAP 1.2 模式文件 / the CAP 1.2 schema is not installed at {path}"
        )
    return cap.load_schema(str(path))


def do_publish(session: Session, *, data: NoticeIn, officer_id: int) -> PublicNotice:
    now = utcnow()
    notice = PublicNotice(
        identifier=f"jingwu-notice-{uuid.uuid4().hex[:16]}",
        sender=cap.SENDER,
        sent_at=now,
        event=data.event,
        urgency=data.urgency,
        severity=data.severity,
        certainty=data.certainty,
        headline=data.headline,
        description=data.description,
        instruction=data.instruction,
        area_desc=data.area_desc,
        expires_at=now + timedelta(hours=data.expires_in_hours) if data.expires_in_hours else None,
        source="local",
        created_by_id=officer_id,
    )
    session.add(notice)
    session.flush()
    _published(session, notice=notice, officer_id=officer_id)
    return notice


def _published(session: Session, *, notice: PublicNotice, officer_id: int | None) -> None:
    audit.write(
        session,
        officer_id=officer_id,
        action=f"notice.{notice.source}",
        entity="notice",
        entity_id=notice.id,
    )
    events.record(
        session,
        NoticePublished(notice_id=notice.id, identifier=notice.identifier, source=notice.source),
    )


def get_notice(session: Session, *, notice_id: int) -> PublicNotice:
    notice = session.get(PublicNotice, notice_id)
    if notice is None:
        raise NotFound(f"提示不存在 / no notice {notice_id}", code="notice_not_found")
    return notice


def list_notices(session: Session, *, limit: int = 100) -> list[PublicNotice]:
    query = select(PublicNotice).order_by(PublicNotice.sent_at.desc()).limit(limit)
    return list(session.scalars(query).all())


def notice_to_cap(notice: PublicNotice) -> bytes:
    return cap.to_xml(
        cap.Alert(
            identifier=notice.identifier,
            sender=notice.sender if notice.source == "cap" else cap.SENDER,
            sent=notice.sent_at,
            status=notice.status,
            msg_type=notice.msg_type,
            scope="Public",
            info=cap.AlertInfo(
                event=notice.event,
                urgency=notice.urgency,
                severity=notice.severity,
                certainty=notice.certainty,
                category=notice.category,
                headline=notice.headline,
                description=notice.description,
                instruction=notice.instruction,
                expires=notice.expires_at,
                area_desc=notice.area_desc,
            ),
        )
    )


def whistle_to_cap(session: Session, request: WhistleRequest) -> bytes:
    """A whistle request as a restricted CAP alert addressed to the partner."""
    agency = session.get(PartnerAgency, request.agency_id)
    agency_name = agency.name if agency else ""
    minutes_to_ack = (request.ack_due_at - request.created_at).total_seconds() / 60
    circle = f"{request.lat:.6f},{request.lon:.6f} 0.2" if request.lat is not None else ""
    return cap.to_xml(
        cap.Alert(
            identifier=f"jingwu-{request.number}",
            sent=request.created_at,
            status="Actual",
            msg_type="Cancel" if request.status == WhistleStatus.CANCELLED.value else "Alert",
            scope="Restricted",
            restriction=f"仅限联动单位：{agency_name}",
            note=f"吹哨报到协作请求 {request.number}",
            info=cap.AlertInfo(
                event=request.category,
                urgency="Immediate" if minutes_to_ack <= 60 else "Expected",
                severity="Moderate",
                certainty="Observed",
                category="Safety",
                headline=request.title,
                description=request.description or request.title,
                instruction=(
                    f"请于 {format_local(request.ack_due_at)} 前签收，"
                    f"{format_local(request.arrive_due_at)} 前到场，"
                    f"{format_local(request.resolve_due_at)} 前办结。"
                ),
                expires=request.resolve_due_at,
                area_desc=request.place_text or "雷锋派出所辖区",
                circle=circle,
                response_type="Execute",
                parameters=[
                    ("agency", agency_name),
                    ("ackDue", cap.cap_time(request.ack_due_at)),
                    ("arriveDue", cap.cap_time(request.arrive_due_at)),
                    ("resolveDue", cap.cap_time(request.resolve_due_at)),
                ],
            ),
        )
    )


def do_import_cap(session: Session, *, data: bytes, officer_id: int) -> tuple[PublicNotice, bool]:
    """Read a CAP 1.2 alert in as a notice; the same identifier and sender reads in once."""
    alert = cap.read_alert(data, schema=schema())
    identifier = f"{alert.sender}/{alert.identifier}"[:200]
    existing = session.scalars(
        select(PublicNotice).where(PublicNotice.identifier == identifier)
    ).first()
    if existing is not None:
        return existing, False
    notice = PublicNotice(
        identifier=identifier,
        sender=alert.sender[:200],
        sent_at=alert.sent,
        status=alert.status,
        msg_type=alert.msg_type,
        scope=alert.scope,
        category=alert.category,
        event=alert.event[:200],
        urgency=alert.urgency,
        severity=alert.severity,
        certainty=alert.certainty,
        headline=alert.headline[:300],
        description=alert.description[:20000],
        instruction=alert.instruction[:20000],
        area_desc=alert.area_desc[:300],
        expires_at=alert.expires,
        source="cap",
        created_by_id=officer_id,
    )
    session.add(notice)
    session.flush()
    _published(session, notice=notice, officer_id=officer_id)
    return notice, True
