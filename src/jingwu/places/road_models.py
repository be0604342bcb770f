"""Road network tables: junctions and the segments between them, closures included."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from jingwu.core.db import Base


class RoadNode(Base):
    __tablename__ = "road_nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    osm_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class RoadEdge(Base):
    """Drivable from source to target, and back unless `oneway`."""

    __tablename__ = "road_edges"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("road_nodes.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("road_nodes.id"), index=True)
    length_m: Mapped[float] = mapped_column(Float)
    road_class: Mapped[str] = mapped_column(String(32))
    maxspeed_kmh: Mapped[float | None] = mapped_column(Float)
    oneway: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(200), default="")
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    slow_factor: Mapped[float] = mapped_column(Float, default=1.0)
