"""Every step of an incident writes one timeline row and one audit row, in its transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from jingwu.command.models import Incident, TimelineEntry
from jingwu.core.clock import utcnow
from jingwu.identity import audit


def note_step(
    session: Session,
    *,
    incident: Incident,
    kind: str,
    actor_id: int | None,
    text: str,
    unit_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    entry = TimelineEntry(
        incident_id=incident.id,
        at=utcnow(),
        kind=kind,
        actor_id=actor_id,
        unit_id=unit_id,
        text=text,
        data=data or {},
    )
    session.add(entry)
    audit.write(
        session,
        officer_id=actor_id,
        action=f"incident.{kind}",
        entity="incident",
        entity_id=incident.id,
        detail={"unit_id": unit_id, **(data or {})},
    )
    return entry
