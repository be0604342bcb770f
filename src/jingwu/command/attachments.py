"""Photos a crew attaches to its report (报告完毕): checked by size and content, stored under a
random name outside the static tree, served back only to those who may see the incident."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.command.room_events import AttachmentAdded
from jingwu.command.room_models import Attachment
from jingwu.core import events
from jingwu.core.errors import AppError, InvalidInput, NotFound
from jingwu.identity import audit

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PER_INCIDENT = 50


def sniff_image(head: bytes) -> str | None:
    """The content type by the file's own first bytes — never by its name or its claim."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photo(data: bytes) -> str:
    if not data:
        raise InvalidInput("文件为空 / the file is empty", code="empty_file")
    if len(data) > MAX_PHOTO_BYTES:
        raise AppError(
            f"照片过大（上限 {MAX_PHOTO_BYTES // (1024 * 1024)} MB）/ photo too large",
            code="too_large",
        )
    content_type = sniff_image(data[:16])
    if content_type is None:
        raise InvalidInput(
            "只接受 JPEG、PNG、WebP 照片 / only JPEG, PNG or WebP photos", code="bad_file_type"
        )
    return content_type


def do_store_photo(
    session: Session,
    *,
    upload_dir: Path,
    incident_id: int,
    unit_id: int | None,
    officer_id: int,
    data: bytes,
) -> Attachment:
    content_type = check_photo(data)
    count = len(for_incident(session, incident_id=incident_id))
    if count >= MAX_PER_INCIDENT:
        raise InvalidInput("本警情附件已达上限 / too many attachments", code="too_many_files")
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = upload_dir / stored_name
    with path.open("xb") as handle:
        handle.write(data)
    attachment = Attachment(
        incident_id=incident_id,
        unit_id=unit_id,
        officer_id=officer_id,
        stored_name=stored_name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    session.add(attachment)
    # if the transaction fails after this, the orphan file is harmless: no row points to it
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action="incident.attachment",
        entity="incident",
        entity_id=incident_id,
        detail={"attachment_id": attachment.id, "size": len(data), "type": content_type},
    )
    events.record(
        session,
        AttachmentAdded(incident_id=incident_id, attachment_id=attachment.id, unit_id=unit_id),
    )
    session.flush()
    return attachment


def get_attachment(session: Session, *, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("附件不存在 / no such attachment", code="attachment_not_found")
    return attachment


def path_of(upload_dir: Path, attachment: Attachment) -> Path:
    path = (upload_dir / attachment.stored_name).resolve()
    if path.parent != upload_dir.resolve() or not path.is_file():
        raise NotFound("附件文件缺失 / the file is missing", code="attachment_missing")
    return path


def for_incident(session: Session, *, incident_id: int) -> list[Attachment]:
    query = select(Attachment).where(Attachment.incident_id == incident_id).order_by(Attachment.id)
    return list(session.scalars(query).all())
