"""The command room's own records: one-key calls, seats and shifts, video patrol, key-site watch,
and the photos crews attach to their reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.core.clock import utcnow
from jingwu.core.db import Base


class OneKeyCall(Base):
    """一键呼: one call to one unit, a beat, a radius, or everyone on duty."""

    __tablename__ = "one_key_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(500))
    beat_id: Mapped[int | None] = mapped_column(ForeignKey("beats.id"), default=None)
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)
    radius_m: Mapped[float | None] = mapped_column(default=None)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), default=None)
    ack_within_s: Mapped[int] = mapped_column(default=60)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class CallTarget(Base):
    __tablename__ = "one_key_call_targets"
    __table_args__ = (UniqueConstraint("call_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("one_key_calls.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)


class SeatShift(Base):
    """One officer on one of the six seats for one stretch of time (排班)."""

    __tablename__ = "seat_shifts"
    __table_args__ = (Index("ix_seat_shifts_seat_starts", "seat_code", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_code: Mapped[str] = mapped_column(String(32))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)


class Handover(Base):
    """交接班: who handed the seat to whom, and what was still open at that moment."""

    __tablename__ = "seat_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_code: Mapped[str] = mapped_column(String(32), index=True)
    from_officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    to_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    open_items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)


class PatrolRound(Base):
    """视频巡查: a scheduled tour of cameras for one seat."""

    __tablename__ = "video_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    seat_code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(80))
    camera_ids: Mapped[list[int]] = mapped_column(JSON)
    every_minutes: Mapped[int] = mapped_column(default=60)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PatrolView(Base):
    """One look through one camera: when, by whom, and what was seen."""

    __tablename__ = "video_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("video_rounds.id", ondelete="SET NULL"), default=None, index=True
    )
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finding: Mapped[str] = mapped_column(Text, default="")
    has_finding: Mapped[bool] = mapped_column(default=False)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), default=None)


class KeySiteReport(Base):
    """A status report on a key site: crowd level and notes (人流平稳，报告完毕)."""

    __tablename__ = "key_site_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_site_id: Mapped[int] = mapped_column(ForeignKey("key_sites.id"), index=True)
    crowd_level: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class HolidayPlan(Base):
    """A holiday patrol plan for a key site: units, hours and how often to report."""

    __tablename__ = "holiday_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    key_site_id: Mapped[int] = mapped_column(ForeignKey("key_sites.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    unit_ids: Mapped[list[int]] = mapped_column(JSON)
    report_every_minutes: Mapped[int] = mapped_column(default=30)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)


class Attachment(Base):
    """A photo a crew attached to its report; the file lives under var/uploads by a random name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
