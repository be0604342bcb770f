"""What the units API reads and writes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from jingwu.units.models import UnitKind, UnitStatus


class PositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    at: datetime | None = Field(default=None, description="fix time; now if omitted")
    heading: float | None = Field(default=None, ge=0, lt=360, allow_inf_nan=False)
    speed_mps: float | None = Field(default=None, ge=0, le=120, allow_inf_nan=False)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)


class PositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    unit_id: int
    at: datetime
    lat: float
    lon: float
    heading: float | None
    speed_mps: float | None
    source: str


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_sign: str = Field(min_length=1, max_length=64)
    kind: UnitKind
    beat_id: int | None = None
    team_id: int | None = None
    crew_officer_ids: list[int] = Field(default_factory=list, max_length=12)


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: UnitStatus


class CrewOut(BaseModel):
    officer_id: int
    display_name: str


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    call_sign: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    beat_id: int | None
    team_id: int | None
    lat: float | None
    lon: float | None
    heading: float | None
    speed_mps: float | None
    last_fix_at: datetime | None
    fix_age_s: float | None
    stale: bool
    current_incident_id: int | None
    crew: list[CrewOut]
