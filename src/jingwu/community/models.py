"""The community team's records: 一标三实, key persons, disputes, beat work, partners and whistles."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.core.clock import utcnow
from jingwu.core.db import Base


class ResidentKind(StrEnum):
    REGISTERED = "registered"  # 户籍人口
    RESIDENT = "resident"  # 常住人口
    FLOATING = "floating"  # 流动人口


class DisputeStatus(StrEnum):
    REGISTERED = "registered"
    MEDIATING = "mediating"
    RESOLVED = "resolved"
    FAILED = "failed"
    ESCALATED = "escalated"


class WhistleStatus(StrEnum):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ARRIVED = "arrived"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class _Collected:
    """Who collected a 一标三实 record and who verified it, and when (采集人 / 核实人)."""

    collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    collected_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    verified_at: Mapped[datetime | None] = mapped_column(default=None)
    check_failed: Mapped[bool] = mapped_column(default=False)


class BeatOfficer(Base):
    """A community officer's responsibility for a beat (社区民警包片)."""

    __tablename__ = "beat_officers"
    __table_args__ = (UniqueConstraint("beat_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beat_id: Mapped[int] = mapped_column(ForeignKey("beats.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)


class House(_Collected, Base):
    """实有房屋: one per standard address."""

    __tablename__ = "houses"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("standard_addresses.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(64), default="")
    owner_phone: Mapped[str] = mapped_column(String(32), default="")
    use: Mapped[str] = mapped_column(String(16), default="自住")
    rented: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(500), default="")


class Resident(_Collected, Base):
    """实有人口: registered, resident or floating; a tenant if they rent where they live."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True, default=None)
    phone: Mapped[str] = mapped_column(String(32), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")
    birth_date: Mapped[date | None] = mapped_column(Date, default=None)
    kind: Mapped[str] = mapped_column(String(16), default=ResidentKind.RESIDENT.value)
    tenant: Mapped[bool] = mapped_column(default=False)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("houses.id"), default=None, index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")


class Organisation(_Collected, Base):
    """实有单位: shops, schools, construction sites …"""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("standard_addresses.id"), default=None
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")


class KeyPerson(Base):
    """重点人员: under a control plan, visited on a schedule by a responsible officer."""

    __tablename__ = "key_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    control_level: Mapped[int] = mapped_column(default=3)  # 1 一级 (closest) … 3 三级
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    plan: Mapped[str] = mapped_column(Text, default="")
    visit_every_days: Mapped[int] = mapped_column(default=30)
    next_visit_due: Mapped[datetime] = mapped_column(index=True)
    in_control: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyPersonCheckIn(Base):
    __tablename__ = "key_person_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_person_id: Mapped[int] = mapped_column(
        ForeignKey("key_persons.id", ondelete="CASCADE"), index=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    in_control: Mapped[bool] = mapped_column(default=True)
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)


class Dispute(Base):
    """矛盾纠纷: from a diverted incident or a walk-in, mediated until resolved or escalated."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # incident | walk_in
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id"), unique=True, default=None
    )
    kind: Mapped[str] = mapped_column(String(16))
    risk_level: Mapped[str] = mapped_column(String(8), default="low")
    status: Mapped[str] = mapped_column(String(16), default=DisputeStatus.REGISTERED.value)
    summary: Mapped[str] = mapped_column(Text, default="")
    address_text: Mapped[str] = mapped_column(String(255), default="")
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), default=None)
    beat_id: Mapped[int | None] = mapped_column(ForeignKey("beats.id"), default=None, index=True)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id"), default=None, index=True
    )
    registered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(Text, default="")
    agreement: Mapped[str] = mapped_column(Text, default="")
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"), default=None)
    escalated_incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id"), default=None
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)


class DisputeParty(Base):
    __tablename__ = "dispute_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), index=True
    )
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")


class MediationSession(Base):
    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), index=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    place: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16))  # agreed | partial | failed
    agreement: Mapped[str] = mapped_column(Text, default="")


class DisputeCallback(Base):
    """回访: a call back to the parties some days after the settlement."""

    __tablename__ = "dispute_callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(
        ForeignKey("disputes.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    satisfied: Mapped[bool | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")


class BeatWork(Base):
    """Beat work: a household visit, a prevention campaign, a 社情民意 note, a service."""

    __tablename__ = "beat_work"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    beat_id: Mapped[int | None] = mapped_column(ForeignKey("beats.id"), default=None)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), default=None)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("houses.id"), default=None)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    title: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    people_reached: Mapped[int] = mapped_column(default=0)
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)


class PartnerAgency(Base):
    """A partner that answers the whistle: a department, the street office, an alliance member."""

    __tablename__ = "partner_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32), default="")
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class PartnerMember(Base):
    """A partner account (role ``partner``) speaks for exactly one agency."""

    __tablename__ = "partner_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("partner_agencies.id"), index=True)


class WhistleRequest(Base):
    """吹哨: the station asks a partner to come, with deadlines to acknowledge, arrive, resolve."""

    __tablename__ = "whistle_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("partner_agencies.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    place_text: Mapped[str] = mapped_column(String(255), default="")
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("standard_addresses.id"), default=None
    )
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default=WhistleStatus.SENT.value, index=True)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"), default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ack_due_at: Mapped[datetime]
    arrive_due_at: Mapped[datetime]
    resolve_due_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    arrived_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    escalation_level: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    response_note: Mapped[str] = mapped_column(Text, default="")


class PublicNotice(Base):
    """A public notice (安全提示), written here or read in from a CAP 1.2 alert."""

    __tablename__ = "public_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(200), unique=True)
    sender: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="Actual")
    msg_type: Mapped[str] = mapped_column(String(16), default="Alert")
    scope: Mapped[str] = mapped_column(String(16), default="Public")
    category: Mapped[str] = mapped_column(String(16), default="Safety")
    event: Mapped[str] = mapped_column(String(200))
    urgency: Mapped[str] = mapped_column(String(16), default="Expected")
    severity: Mapped[str] = mapped_column(String(16), default="Minor")
    certainty: Mapped[str] = mapped_column(String(16), default="Likely")
    headline: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    area_desc: Mapped[str] = mapped_column(String(300), default="")
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(16), default="local")  # local | cap
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
