"""What a client sees when it connects, and which events it may see afterwards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingwu.command import calls, queries
from jingwu.core.config import Settings
from jingwu.core.events import Envelope, OutboxEvent
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission, can
from jingwu.realtime.hub import EventFilter
from jingwu.units import service as units_service

SNAPSHOT_INCIDENTS = 500


def current_cursor(session: Session) -> int:
    return int(session.scalar(select(func.max(OutboxEvent.id))) or 0)


def audience(session: Session, *, officer: Officer) -> EventFilter:
    """The room sees everything; a crew sees what concerns its own units."""
    if can(officer.role, Permission.UNIT_VIEW):
        return lambda _envelope: True
    own = frozenset(u.id for u in units_service.units_of_officer(session, officer_id=officer.id))
    sees_incidents = can(officer.role, Permission.INCIDENT_VIEW)

    def allows(envelope: Envelope) -> bool:
        payload = envelope.payload
        if sees_incidents and envelope.type.startswith("incident."):
            return True
        if payload.get("unit_id") in own:
            return True
        targets = payload.get("unit_ids") or payload.get("target_unit_ids") or []
        return any(unit_id in own for unit_id in targets)

    return allows


def build_snapshot(session: Session, *, officer: Officer, settings: Settings) -> dict[str, Any]:
    """The cursor is read first: anything committed after it arrives as an event."""
    cursor = current_cursor(session)
    snapshot: dict[str, Any] = {"kind": "snapshot", "cursor": cursor}
    if can(officer.role, Permission.UNIT_VIEW):
        units = units_service.list_units(session)
    else:
        units = units_service.units_of_officer(session, officer_id=officer.id)
    snapshot["units"] = [u.model_dump(mode="json") for u in units_service.describe(session, units)]
    if can(officer.role, Permission.INCIDENT_VIEW):
        rows, _total = queries.list_incidents(session, open_only=True, per_page=SNAPSHOT_INCIDENTS)
        snapshot["incidents"] = [queries.summarize(i).model_dump(mode="json") for i in rows]
        snapshot["alerts"] = [
            a.model_dump(mode="json")
            for a in queries.current_alerts(
                session,
                ack_limit_s=settings.ack_limit_seconds,
                on_scene_limit_s=settings.on_scene_limit_seconds,
            )
        ]
        snapshot["calls"] = [c.model_dump(mode="json") for c in calls.describe_open_calls(session)]
    else:
        snapshot["orders"] = [
            queries.describe(session, incident=i).model_dump(mode="json")
            for i in queries.orders_for_officer(session, officer_id=officer.id)
        ]
        snapshot["calls"] = [
            c.model_dump(mode="json")
            for c in calls.describe_open_calls(session, unit_ids=[u.id for u in units])
        ]
    return snapshot
