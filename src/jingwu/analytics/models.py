"""What the analyst records besides incidents: commendations, public feedback, stored reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.core.clock import utcnow
from jingwu.core.db import Base


class Commendation(Base):
    """A banner (锦旗), a thank-you letter (感谢信) or another commendation from the public."""

    __tablename__ = "commendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(index=True)
    giver: Mapped[str] = mapped_column(String(80), default="")
    recipient: Mapped[str] = mapped_column(String(80), default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), default=None)
    words: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicFeedback(Base):
    """One answer of the public about the station's work: a call-back, a rating, a complaint."""

    __tablename__ = "public_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), default=None)
    score: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredReview(Base):
    """A generated daily review / weekly analysis / monthly summary, kept as it was written."""

    __tablename__ = "analytics_reviews"
    __table_args__ = (UniqueConstraint("kind", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
