"""Incidents (警情), their callers, the units sent, and the timeline of every step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.command.states import IncidentStatus
from jingwu.core.clock import utcnow
from jingwu.core.db import Base


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_reported", "status", "reported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=IncidentStatus.RECEIVED.value)
    priority: Mapped[int]
    category_code: Mapped[str] = mapped_column(String(8), index=True)
    caller_name: Mapped[str] = mapped_column(String(64), default="")
    caller_phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    address_text: Mapped[str] = mapped_column(String(255), default="")
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("standard_addresses.id"), default=None
    )
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), default=None)
    beat_id: Mapped[int | None] = mapped_column(ForeignKey("beats.id"), default=None, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    route: Mapped[str | None] = mapped_column(String(16), default=None)
    route_reason: Mapped[str] = mapped_column(String(255), default="")
    is_drill: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    en_route_at: Mapped[datetime | None] = mapped_column(default=None)
    on_scene_at: Mapped[datetime | None] = mapped_column(default=None)
    feedback_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    evaluated_at: Mapped[datetime | None] = mapped_column(default=None)
    close_note: Mapped[str] = mapped_column(Text, default="")
    evaluation_score: Mapped[int | None] = mapped_column(default=None)
    evaluation_note: Mapped[str] = mapped_column(Text, default="")


class IncidentCaller(Base):
    """Everyone who called about the incident; merging keeps them all."""

    __tablename__ = "incident_callers"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    called_at: Mapped[datetime] = mapped_column(default=utcnow)
    words: Mapped[str] = mapped_column(Text, default="")
    original_incident_id: Mapped[int | None] = mapped_column(default=None)


class Assignment(Base):
    """One unit sent to one incident, and how far it has got."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_status_dispatched", "status", "dispatched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    en_route_at: Mapped[datetime | None] = mapped_column(default=None)
    on_scene_at: Mapped[datetime | None] = mapped_column(default=None)
    reported_at: Mapped[datetime | None] = mapped_column(default=None)
    ack_overdue_at: Mapped[datetime | None] = mapped_column(default=None)
    instruction: Mapped[str] = mapped_column(String(500), default="")
    feedback: Mapped[str] = mapped_column(Text, default="")


class TimelineEntry(Base):
    __tablename__ = "incident_timeline"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IdempotencyRecord(Base):
    """A retried intake with the same key returns the incident the first call made."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("officer_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
