"""The fire-rescue squad's records: apparatus, crew, run cards, water, hazards, operations.

Apparatus are units (so they share the one map and the command room's dispatch); the
``fire_apparatus`` side table holds what only the fire squad cares about.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.core.clock import utcnow
from jingwu.core.db import Base


class ApparatusKind(StrEnum):
    ENGINE = "engine"
    RESCUE = "rescue"
    AERIAL = "aerial"
    BOAT = "boat"
    PUMP = "pump"


APPARATUS_KIND_LABELS = {
    ApparatusKind.ENGINE: "水罐消防车",
    ApparatusKind.RESCUE: "抢险救援车",
    ApparatusKind.AERIAL: "举高喷射消防车",
    ApparatusKind.BOAT: "冲锋舟",
    ApparatusKind.PUMP: "排涝泵车",
}


class Readiness(StrEnum):
    READY = "ready"
    MAINTENANCE = "maintenance"
    OUT_OF_SERVICE = "out_of_service"


READINESS_LABELS = {
    Readiness.READY: "执勤备战",
    Readiness.MAINTENANCE: "维护保养",
    Readiness.OUT_OF_SERVICE: "停用",
}


class QualificationKind(StrEnum):
    FIREFIGHTING = "firefighting"
    WATER_RESCUE = "water_rescue"
    DRIVER = "driver"
    BREATHING_APPARATUS = "breathing_apparatus"
    HEIGHT_RESCUE = "height_rescue"
    FIRST_AID = "first_aid"
    BOAT_OPERATOR = "boat_operator"


QUALIFICATION_LABELS = {
    QualificationKind.FIREFIGHTING: "灭火救援员",
    QualificationKind.WATER_RESCUE: "水域救援",
    QualificationKind.DRIVER: "消防车驾驶",
    QualificationKind.BREATHING_APPARATUS: "空气呼吸器",
    QualificationKind.HEIGHT_RESCUE: "高空救援",
    QualificationKind.FIRST_AID: "应急救护",
    QualificationKind.BOAT_OPERATOR: "舟艇驾驶",
}


class OperationStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class WaterSourceKind(StrEnum):
    HYDRANT = "hydrant"
    POND = "pond"
    RIVER = "river"
    TANK = "tank"


WATER_SOURCE_LABELS = {
    WaterSourceKind.HYDRANT: "市政消火栓",
    WaterSourceKind.POND: "天然水塘",
    WaterSourceKind.RIVER: "河流取水点",
    WaterSourceKind.TANK: "消防水池",
}


class Apparatus(Base):
    __tablename__ = "fire_apparatus"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    plate: Mapped[str] = mapped_column(String(16), default="")
    water_l: Mapped[int] = mapped_column(default=0)
    pump_lps: Mapped[float] = mapped_column(default=0.0)
    seats: Mapped[int] = mapped_column(default=4)
    readiness: Mapped[str] = mapped_column(String(16), default=Readiness.READY.value)
    readiness_note: Mapped[str] = mapped_column(String(255), default="")
    readiness_changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class FireMember(Base):
    """A member of the squad; an officer account, so the crew's phone can log in."""

    __tablename__ = "fire_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), unique=True)
    post: Mapped[str] = mapped_column(String(32), default="消防员")
    born_year: Mapped[int | None] = mapped_column(default=None)
    joined_on: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)


class Qualification(Base):
    __tablename__ = "fire_qualifications"
    __table_args__ = (UniqueConstraint("member_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("fire_members.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    issued_on: Mapped[date]
    expires_on: Mapped[date]


class TrainingEntry(Base):
    """One member's drill or training block (训练/演练记录)."""

    __tablename__ = "fire_training_log"
    __table_args__ = (Index("ix_fire_training_log_member_at", "member_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("fire_members.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    minutes: Mapped[int]
    score: Mapped[int | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)


class RoutineItem(Base):
    """The daily routine (一日生活制度), local wall-clock times as HH:MM."""

    __tablename__ = "fire_routine"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="training")


class RunCard(Base):
    """A response plan (灭火救援力量调派方案): what to send to this kind of call at this level."""

    __tablename__ = "fire_run_cards"
    __table_args__ = (UniqueConstraint("category_code", "alarm_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_code: Mapped[str] = mapped_column(String(8))
    alarm_level: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    apparatus_kinds: Mapped[list[str]] = mapped_column(JSON)
    min_crew: Mapped[int] = mapped_column(default=4)
    note: Mapped[str] = mapped_column(String(500), default="")


class WaterSource(Base):
    __tablename__ = "fire_water_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    lat: Mapped[float]
    lon: Mapped[float]
    flow_lps: Mapped[float] = mapped_column(default=0.0)
    working: Mapped[bool] = mapped_column(default=True)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)


class HazardPlan(Base):
    """A pre-plan for a key site (重点单位灭火救援预案)."""

    __tablename__ = "fire_hazard_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_site_id: Mapped[int] = mapped_column(ForeignKey("key_sites.id"), unique=True)
    hazards: Mapped[str] = mapped_column(Text, default="")
    access: Mapped[str] = mapped_column(Text, default="")
    water: Mapped[str] = mapped_column(Text, default="")
    occupants: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FireOperation(Base):
    """One fire or rescue operation and its report (灭火救援战斗); historic ones have no incident."""

    __tablename__ = "fire_operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id"), default=None, unique=True
    )
    category_code: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(120))
    alarm_level: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=OperationStatus.ACTIVE.value)
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    people_rescued: Mapped[int] = mapped_column(default=0)
    property_protected_yuan: Mapped[int] = mapped_column(BigInteger, default=0)
    property_lost_yuan: Mapped[int] = mapped_column(BigInteger, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    historic: Mapped[bool] = mapped_column(default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OperationShift(Base):
    """One shift of crew on a long operation (轮换作战)."""

    __tablename__ = "fire_operation_shifts"
    __table_args__ = (UniqueConstraint("operation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(
        ForeignKey("fire_operations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    leader_member_id: Mapped[int] = mapped_column(ForeignKey("fire_members.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(500), default="")


class ShiftMember(Base):
    __tablename__ = "fire_shift_members"
    __table_args__ = (UniqueConstraint("shift_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(
        ForeignKey("fire_operation_shifts.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("fire_members.id"), index=True)


class Honour(Base):
    __tablename__ = "fire_honours"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(32), default="")
