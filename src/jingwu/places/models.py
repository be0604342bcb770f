"""The jurisdiction: communities, beats, standard addresses, key sites, cameras."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.core.clock import utcnow
from jingwu.core.db import Base


class Beat(Base):
    """A police beat (警务区): a set of communities."""

    __tablename__ = "beats"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Community(Base):
    """A village or community (村/社区), its boundary a GeoJSON ring of [lon, lat]."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="community")
    beat_id: Mapped[int | None] = mapped_column(ForeignKey("beats.id"), default=None, index=True)
    boundary: Mapped[list[list[float]]] = mapped_column(JSON)
    expected_households: Mapped[int] = mapped_column(default=0)
    expected_population: Mapped[int] = mapped_column(default=0)


class StandardAddress(Base):
    """一标三实's standard address, down to the room."""

    __tablename__ = "standard_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    street: Mapped[str] = mapped_column(String(80))
    door_no: Mapped[str] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32), default=None)
    unit: Mapped[str | None] = mapped_column(String(16), default=None)
    floor: Mapped[str | None] = mapped_column(String(16), default=None)
    room: Mapped[str | None] = mapped_column(String(16), default=None)
    full_text: Mapped[str] = mapped_column(String(255), index=True)
    lat: Mapped[float]
    lon: Mapped[float]


class KeySite(Base):
    __tablename__ = "key_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    lat: Mapped[float]
    lon: Mapped[float]
    status: Mapped[str] = mapped_column(String(16), default="normal")
    crowd_level: Mapped[str] = mapped_column(String(16), default="平稳")
    note: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Camera(Base):
    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    lat: Mapped[float]
    lon: Mapped[float]
    direction_deg: Mapped[float] = mapped_column(default=0.0)
    fov_deg: Mapped[float] = mapped_column(default=90.0)
    range_m: Mapped[float] = mapped_column(default=120.0)
    stream_url: Mapped[str] = mapped_column(String(255), default="")
    key_site_id: Mapped[int | None] = mapped_column(ForeignKey("key_sites.id"), default=None)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
