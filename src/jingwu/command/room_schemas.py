"""What the one-key call, seat, video patrol and key-site APIs read and write."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jingwu.command.schemas import PlainText


class CallScope(StrEnum):
    UNIT = "unit"
    BEAT = "beat"
    RADIUS = "radius"
    ON_DUTY = "on_duty"


CALL_SCOPE_LABELS = {
    CallScope.UNIT: "单呼",
    CallScope.BEAT: "警务区组呼",
    CallScope.RADIUS: "范围呼叫",
    CallScope.ON_DUTY: "全体在岗",
}


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: CallScope
    message: PlainText = Field(min_length=1, max_length=500)
    unit_id: int | None = Field(default=None, ge=1)
    beat_id: int | None = Field(default=None, ge=1)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    radius_m: float | None = Field(default=None, gt=0, le=50_000, allow_inf_nan=False)
    incident_id: int | None = Field(default=None, ge=1)
    ack_within_s: int | None = Field(default=None, ge=5, le=3600)

    @model_validator(mode="after")
    def _scope_needs(self) -> CallIn:
        if self.scope is CallScope.UNIT and self.unit_id is None:
            raise ValueError("单呼需指定 unit_id / a unit call needs unit_id")
        if self.scope is CallScope.BEAT and self.beat_id is None:
            raise ValueError("组呼需指定 beat_id / a beat call needs beat_id")
        if self.scope is CallScope.RADIUS and (
            self.lat is None or self.lon is None or self.radius_m is None
        ):
            raise ValueError(
                "范围呼叫需 lat、lon、radius_m / a radius call needs lat, lon, radius_m"
            )
        return self


class CallAckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: int | None = Field(default=None, ge=1)


class CallTargetOut(BaseModel):
    unit_id: int
    call_sign: str
    acknowledged_at: datetime | None
    escalated_at: datetime | None


class CallOut(BaseModel):
    id: int
    scope: str
    scope_label: str
    message: str
    incident_id: int | None
    ack_within_s: int
    created_at: datetime
    targets: list[CallTargetOut]
    acknowledged: int
    pending: int


class SeatOut(BaseModel):
    code: str
    name: str
    on_duty: list[ShiftOut]


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seat_code: str = Field(min_length=1, max_length=32)
    officer_id: int = Field(ge=1)
    starts_at: datetime
    ends_at: datetime

    @model_validator(mode="after")
    def _order(self) -> ShiftIn:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("时间须带时区 / times need a time zone")
        if self.ends_at <= self.starts_at:
            raise ValueError("结束时间须晚于开始时间 / a shift ends after it starts")
        if (self.ends_at - self.starts_at).total_seconds() > 24 * 3600:
            raise ValueError("单个班次不超过24小时 / a shift lasts at most 24 hours")
        return self


class ShiftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seat_code: str
    officer_id: int
    officer_name: str = ""
    starts_at: datetime
    ends_at: datetime


class HandoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seat_code: str = Field(min_length=1, max_length=32)
    to_officer_id: int | None = Field(default=None, ge=1)
    note: PlainText = Field(default="", max_length=4000)


class HandoverOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seat_code: str
    from_officer_id: int
    to_officer_id: int | None
    at: datetime
    note: str
    open_items: dict[str, Any]
    accepted_at: datetime | None


class CameraView(BaseModel):
    id: int
    code: str
    name: str
    lat: float
    lon: float
    direction_deg: float
    fov_deg: float
    range_m: float
    stream_url: str
    distance_m: float
    bearing_from_camera_deg: float
    in_view: bool


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seat_code: str = Field(min_length=1, max_length=32)
    name: PlainText = Field(min_length=1, max_length=80)
    camera_ids: list[int] = Field(min_length=1, max_length=100)
    every_minutes: int = Field(default=60, ge=5, le=24 * 60)


class RoundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seat_code: str
    name: str
    camera_ids: list[int]
    every_minutes: int
    last_view_at: datetime | None = None
    due: bool = False


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    camera_id: int = Field(ge=1)
    round_id: int | None = Field(default=None, ge=1)
    finding: PlainText = Field(default="", max_length=2000)


class ViewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    round_id: int | None
    camera_id: int
    officer_id: int
    viewed_at: datetime
    finding: str
    has_finding: bool
    incident_id: int | None


class FindingToIncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category_code: str = Field(min_length=2, max_length=8)
    priority: int | None = Field(default=None, ge=1, le=4)


class CrowdLevel(StrEnum):
    CALM = "平稳"
    BUSY = "较多"
    CROWDED = "拥挤"
    SATURATED = "饱和"


class SiteReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    crowd_level: CrowdLevel
    note: PlainText = Field(default="", max_length=500)
    unit_id: int | None = Field(default=None, ge=1)


class SiteReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key_site_id: int
    crowd_level: str
    status: str
    note: str
    officer_id: int | None
    unit_id: int | None
    at: datetime


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PlainText = Field(min_length=1, max_length=80)
    key_site_id: int = Field(ge=1)
    starts_at: datetime
    ends_at: datetime
    unit_ids: list[int] = Field(default_factory=list, max_length=50)
    report_every_minutes: int = Field(default=30, ge=5, le=24 * 60)
    notes: PlainText = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _order(self) -> PlanIn:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("时间须带时区 / times need a time zone")
        if self.ends_at <= self.starts_at:
            raise ValueError("结束时间须晚于开始时间 / a plan ends after it starts")
        return self


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    key_site_id: int
    starts_at: datetime
    ends_at: datetime
    unit_ids: list[int]
    report_every_minutes: int
    notes: str


class SiteStatusOut(BaseModel):
    id: int
    name: str
    kind: str
    lat: float
    lon: float
    status: str
    crowd_level: str
    note: str
    updated_at: datetime
    report_due: bool
    plans: list[PlanOut]


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    incident_id: int
    unit_id: int | None
    content_type: str
    size: int
    at: datetime
    url: str = ""


class RouteOut(BaseModel):
    unit_id: int
    incident_id: int
    by_road: bool
    distance_m: float
    eta_s: float | None
    path: list[tuple[float, float]]
    explanation: str


SeatOut.model_rebuild()
