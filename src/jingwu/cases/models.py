"""Cases (案件), the squad, people, arrests, evidence and its custody, losses, requests, timeline.

A case person may be linked to a population record by ``resident_id``: a plain number, not a
foreign key, because the community domain is a sibling that cases must not depend on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.cases.states import CaseStatus, RequestStatus
from jingwu.core.clock import utcnow
from jingwu.core.db import Base


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_status_reported", "status", "reported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    case_type: Mapped[str] = mapped_column(String(24), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.ACCEPTED.value)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id"), default=None, index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    address_text: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)
    beat_id: Mapped[int | None] = mapped_column(ForeignKey("beats.id"), default=None)
    lead_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    filed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    solved_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # the six fasts' milestones (出警 comes from the incident)
    first_lead_at: Mapped[datetime | None] = mapped_column(default=None)
    first_arrest_at: Mapped[datetime | None] = mapped_column(default=None)
    controlled_at: Mapped[datetime | None] = mapped_column(default=None)
    disposed_at: Mapped[datetime | None] = mapped_column(default=None)
    first_recovery_at: Mapped[datetime | None] = mapped_column(default=None)


class CaseOfficer(Base):
    __tablename__ = "case_officers"
    __table_args__ = (UniqueConstraint("case_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    duty: Mapped[str] = mapped_column(String(16), default="assist")
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class SquadMember(Base):
    """The case team's roster: master–apprentice pairs (师徒结对) and the assault team (突击队)."""

    __tablename__ = "case_squad"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), unique=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    assault_team: Mapped[bool] = mapped_column(default=False)
    specialty: Mapped[str] = mapped_column(String(64), default="")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class CasePerson(Base):
    __tablename__ = "case_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), default="", index=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    resident_id: Mapped[int | None] = mapped_column(default=None, index=True)
    suspect_status: Mapped[str | None] = mapped_column(String(16), default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Arrest(Base):
    __tablename__ = "case_arrests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_persons.id"), index=True)
    arrested_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(255), default="")
    measure: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)


class Evidence(Base):
    __tablename__ = "case_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32), default="物证")
    description: Mapped[str] = mapped_column(Text, default="")
    collected_at: Mapped[datetime]
    collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    location: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[str] = mapped_column(String(16))


class CustodyEvent(Base):
    """One hand-over in an exhibit's chain of custody: who held it, from when, where."""

    __tablename__ = "case_custody_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("case_evidence.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(16))
    from_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    to_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    location: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)


class Loss(Base):
    __tablename__ = "case_losses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[str] = mapped_column(String(40), default="")
    value_fen: Mapped[int] = mapped_column(BigInteger)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class Recovery(Base):
    """Value recovered for the victims (挽损), on a date."""

    __tablename__ = "case_recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    loss_id: Mapped[int | None] = mapped_column(ForeignKey("case_losses.id"), default=None)
    value_fen: Mapped[int] = mapped_column(BigInteger)
    recovered_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)


class CaseRequest(Base):
    """A request to another team, with a deadline: video work, a collaboration signal, a unit."""

    __tablename__ = "case_requests"
    __table_args__ = (Index("ix_case_requests_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.OPEN.value)
    question: Mapped[str] = mapped_column(Text)
    target_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id"), default=None, index=True
    )
    beat_id: Mapped[int | None] = mapped_column(ForeignKey("beats.id"), default=None)
    target_unit: Mapped[str] = mapped_column(String(80), default="")
    camera_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    window_start: Mapped[datetime | None] = mapped_column(default=None)
    window_end: Mapped[datetime | None] = mapped_column(default=None)
    deadline: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    overdue_alerted_at: Mapped[datetime | None] = mapped_column(default=None)


class Attachment(Base):
    """A file kept under a random name; the name the user gave is only a label."""

    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("case_evidence.id"), default=None)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("case_requests.id"), default=None)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseTimelineEntry(Base):
    __tablename__ = "case_timeline"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="case")
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
