"""The audit log: every write and every unmasked read of personal data, hash-chained."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from jingwu.core.clock import utcnow
from jingwu.core.paging import page_of
from jingwu.identity.models import AuditEntry

GENESIS = "0" * 64


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    body = json.dumps(
        [
            prev_hash,
            entry.at.isoformat(),
            entry.officer_id,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def write(
    session: Session,
    *,
    officer_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    if session.get_bind().dialect.name == "postgresql":
        # one writer at a time extends the chain; released when the transaction ends
        session.execute(text("SELECT pg_advisory_xact_lock(7333001)"))
    session.flush()
    prev = session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry = AuditEntry(
        at=utcnow(),
        officer_id=officer_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=detail or {},
        prev_hash=prev or GENESIS,
    )
    entry.hash = _digest(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


def verify(session: Session) -> tuple[bool, int, int | None]:
    """Walk the chain: (intact, rows checked, id of the first broken row)."""
    prev = GENESIS
    checked = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        if entry.prev_hash != prev or _digest(prev, entry) != entry.hash:
            return False, checked, entry.id
        prev = entry.hash
        checked += 1
    return True, checked, None


def recent(
    session: Session, *, limit: int = 50, offset: int = 0, entity: str | None = None
) -> tuple[list[AuditEntry], int]:
    query = select(AuditEntry)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return page_of(session, query, AuditEntry.id.desc(), limit=limit, offset=offset)
