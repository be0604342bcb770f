"""Replay: a past day of the station — every unit's track and every incident — for the map."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.command.categories import label
from jingwu.command.models import Incident
from jingwu.core.clock import LOCAL_ZONE, as_utc
from jingwu.units.models import Unit, UnitPosition

MAX_FIXES_PER_UNIT = 3000


class TrackOut(BaseModel):
    unit_id: int
    call_sign: str
    kind: str
    fixes: list[tuple[float, float, float]]  # seconds since the day began (local), lat, lon


class ReplayIncident(BaseModel):
    id: int
    number: str
    category_label: str
    priority: int
    lat: float
    lon: float
    address_text: str
    reported_s: float
    dispatched_s: float | None
    on_scene_s: float | None
    closed_s: float | None


class ReplayDay(BaseModel):
    day: date
    starts_at: datetime
    tracks: list[TrackOut]
    incidents: list[ReplayIncident]


def replay_day(session: Session, *, day: date) -> ReplayDay:
    start = datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)
    end = start + timedelta(days=1)

    def offset(moment: datetime | None) -> float | None:
        return None if moment is None else (as_utc(moment) - start).total_seconds()

    units = {u.id: u for u in session.scalars(select(Unit))}
    fixes: dict[int, list[tuple[float, float, float]]] = {}
    rows = session.execute(
        select(UnitPosition.unit_id, UnitPosition.at, UnitPosition.lat, UnitPosition.lon)
        .where(UnitPosition.at >= start, UnitPosition.at < end)
        .order_by(UnitPosition.unit_id, UnitPosition.at)
    )
    for unit_id, at, lat, lon in rows:
        fixes.setdefault(unit_id, []).append(((as_utc(at) - start).total_seconds(), lat, lon))
    tracks = []
    for unit_id, points in fixes.items():
        step = max(1, len(points) // MAX_FIXES_PER_UNIT)
        unit = units.get(unit_id)
        tracks.append(
            TrackOut(
                unit_id=unit_id,
                call_sign=unit.call_sign if unit else str(unit_id),
                kind=unit.kind if unit else "car",
                fixes=points[::step],
            )
        )
    incidents = [
        ReplayIncident(
            id=i.id,
            number=i.number,
            category_label=label(i.category_code),
            priority=i.priority,
            lat=i.lat,
            lon=i.lon,
            address_text=i.address_text,
            reported_s=offset(i.reported_at) or 0.0,
            dispatched_s=offset(i.dispatched_at),
            on_scene_s=offset(i.on_scene_at),
            closed_s=offset(i.closed_at),
        )
        for i in session.scalars(
            select(Incident)
            .where(
                Incident.reported_at >= start,
                Incident.reported_at < end,
                Incident.is_drill.is_(False),
            )
            .order_by(Incident.reported_at)
        )
        if i.lat is not None and i.lon is not None
    ]
    return ReplayDay(day=day, starts_at=start, tracks=tracks, incidents=incidents)
