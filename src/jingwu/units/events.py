"""What the units domain tells the others."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from jingwu.core.events import Event


class UnitPositionReported(Event):
    type: Literal["unit.position"] = "unit.position"
    unit_id: int
    lat: float
    lon: float
    heading: float | None
    speed_mps: float | None
    at: datetime


class UnitStatusChanged(Event):
    type: Literal["unit.status"] = "unit.status"
    unit_id: int
    status: str
    previous: str
    incident_id: int | None
