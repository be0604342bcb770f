"""Units on the street, their crews, terminals and position history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.core.clock import utcnow
from jingwu.core.db import Base


class UnitKind(StrEnum):
    CAR = "car"
    FOOT = "foot"
    EBIKE = "ebike"
    FIRE_ENGINE = "fire_engine"


class UnitStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    OFF_DUTY = "off_duty"


UNIT_KIND_LABELS = {
    UnitKind.CAR: "巡逻车",
    UnitKind.FOOT: "步巡",
    UnitKind.EBIKE: "电动车巡逻",
    UnitKind.FIRE_ENGINE: "消防车",
}
UNIT_STATUS_LABELS = {
    UnitStatus.AVAILABLE: "空闲",
    UnitStatus.DISPATCHED: "已派",
    UnitStatus.EN_ROUTE: "途中",
    UnitStatus.ON_SCENE: "到场",
    UnitStatus.OFF_DUTY: "下班",
}


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=UnitStatus.AVAILABLE.value, index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), default=None)
    beat_id: Mapped[int | None] = mapped_column(ForeignKey("beats.id"), default=None)
    lat: Mapped[float | None] = mapped_column(default=None)
    lon: Mapped[float | None] = mapped_column(default=None)
    heading: Mapped[float | None] = mapped_column(default=None)
    speed_mps: Mapped[float | None] = mapped_column(default=None)
    last_fix_at: Mapped[datetime | None] = mapped_column(default=None)
    current_incident_id: Mapped[int | None] = mapped_column(default=None)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrewMember(Base):
    __tablename__ = "unit_crew"
    __table_args__ = (UniqueConstraint("unit_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)


class Terminal(Base):
    """A phone or car terminal that speaks for one unit (and for no other)."""

    __tablename__ = "terminals"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    identifier: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)


class UnitPosition(Base):
    __tablename__ = "unit_positions"
    __table_args__ = (Index("ix_unit_positions_unit_at", "unit_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    lat: Mapped[float]
    lon: Mapped[float]
    heading: Mapped[float | None] = mapped_column(default=None)
    speed_mps: Mapped[float | None] = mapped_column(default=None)
    accuracy_m: Mapped[float | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(16), default="http")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
