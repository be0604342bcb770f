"""What the command API reads and writes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from jingwu.command.states import AssignmentStatus, Route

_TAG = re.compile(r"</?[a-zA-Z!?][^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"^[0-9+\-() ]{3,20}$")


def _plain_text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("文本含有控制字符 / text contains control characters")
    if _TAG.search(value):
        raise ValueError("文本中不能包含 HTML 标签 / HTML markup is not accepted in text fields")
    return value.strip()


def _phone(value: str) -> str:
    value = value.strip()
    if value and not _PHONE.match(value):
        raise ValueError("电话号码只能包含数字、+、-、括号 / a phone number holds digits, + - ( )")
    return value


PlainText = Annotated[str, AfterValidator(_plain_text)]
Phone = Annotated[str, AfterValidator(_phone)]


class IncidentIn(BaseModel):
    """A call as the dispatcher takes it."""

    model_config = ConfigDict(extra="forbid", str_max_length=4000)

    category_code: str = Field(min_length=2, max_length=8, examples=["0101"])
    priority: int | None = Field(default=None, ge=1, le=4, description="1 一级 … 4 四级")
    caller_name: PlainText = Field(default="", max_length=64)
    caller_phone: Phone = Field(default="", max_length=20)
    address_text: PlainText = Field(default="", max_length=200)
    address_id: int | None = Field(default=None, ge=1)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    description: PlainText = Field(default="", max_length=4000)
    reported_at: datetime | None = Field(default=None, description="call time; now if omitted")
    is_drill: bool = False

    @model_validator(mode="after")
    def _needs_a_place(self) -> IncidentIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("经纬度需同时提供 / give both lat and lon, or neither")
        if not self.address_text and self.address_id is None and self.lat is None:
            raise ValueError("请提供地址或坐标 / an address or coordinates are needed")
        return self


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    route: Route
    reason: PlainText = Field(min_length=1, max_length=255)


class DispatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_ids: list[int] = Field(min_length=1, max_length=20)
    instruction: PlainText = Field(default="", max_length=500)


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: int | None = Field(default=None, description="which unit; the caller's own if omitted")
    status: AssignmentStatus
    feedback: PlainText = Field(default="", max_length=4000)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: PlainText = Field(default="", max_length=2000)


class EvaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5, description="1 差 … 5 优")
    note: PlainText = Field(default="", max_length=2000)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into_incident_id: int = Field(ge=1)


class CallerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    phone: str
    called_at: datetime
    words: str


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit_id: int
    call_sign: str = ""
    status: str
    dispatched_at: datetime
    acknowledged_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    reported_at: datetime | None
    instruction: str
    feedback: str


class TimelineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: str
    actor_id: int | None
    unit_id: int | None
    text: str
    data: dict[str, Any]


class Timers(BaseModel):
    """Seconds between the loop's steps; null until the step happens."""

    call_to_dispatch_s: float | None
    dispatch_to_ack_s: float | None
    dispatch_to_on_scene_s: float | None
    on_scene_to_feedback_s: float | None
    total_s: float | None
    running_s: float


class IncidentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    status: str
    status_label: str
    priority: int
    category_code: str
    category_label: str
    caller_name: str
    caller_phone: str
    address_text: str
    lat: float | None
    lon: float | None
    beat_id: int | None
    community_id: int | None
    route: str | None
    reported_at: datetime
    is_drill: bool
    timers: Timers


class IncidentOut(IncidentSummary):
    description: str
    route_reason: str
    merged_into_id: int | None
    close_note: str
    evaluation_score: int | None
    evaluation_note: str
    callers: list[CallerOut]
    assignments: list[AssignmentOut]
    timeline: list[TimelineOut]
    possible_duplicates: list[IncidentSummary] = Field(default_factory=list)


class IncidentPage(BaseModel):
    items: list[IncidentSummary]
    total: int
    page: int
    per_page: int


class AlertOut(BaseModel):
    kind: str
    incident_id: int
    incident_number: str
    unit_id: int | None
    since: datetime
    overdue_s: float
    message: str
