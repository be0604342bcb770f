"""What the cases API reads and writes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from jingwu.cases.states import (
    CaseStatus,
    CaseType,
    CustodyAction,
    PersonRole,
    RequestKind,
    SuspectStatus,
)
from jingwu.command.schemas import Phone, PlainText
from jingwu.core.idcard import id_number_problem, normalize_id_number


def _id_number(value: str) -> str:
    value = normalize_id_number(value)
    if value:
        problem = id_number_problem(value)
        if problem:
            raise ValueError(problem)
    return value


IdNumberText = Annotated[str, AfterValidator(_id_number)]
Money = Annotated[
    Decimal, Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2, allow_inf_nan=False)
]
NoteKind = Literal["lead", "scene", "visit", "control", "note"]
Duty = Literal["lead", "assist"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=4000)


class CaseIn(_In):
    """A case opened from an incident (its place and report time come along) or directly."""

    title: PlainText = Field(min_length=1, max_length=120)
    case_type: CaseType
    incident_id: int | None = Field(default=None, ge=1)
    summary: PlainText = Field(default="", max_length=4000)
    address_text: PlainText = Field(default="", max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    reported_at: datetime | None = Field(default=None, description="report time; now if omitted")
    lead_officer_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _both_or_neither(self) -> CaseIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("经纬度需同时提供 / give both lat and lon, or neither")
        return self


class TransitionIn(_In):
    to: CaseStatus
    reason: PlainText = Field(default="", max_length=1000)


class OfficerAssignIn(_In):
    officer_id: int = Field(ge=1)
    duty: Duty = "assist"


class SquadIn(_In):
    mentor_id: int | None = Field(default=None, ge=1, description="师父 (master)")
    assault_team: bool = Field(default=False, description="突击队")
    specialty: PlainText = Field(default="", max_length=64)


class PersonIn(_In):
    role: PersonRole
    name: PlainText = Field(min_length=1, max_length=64)
    id_number: IdNumberText = Field(default="", max_length=20)
    phone: Phone = Field(default="", max_length=20)
    address: PlainText = Field(default="", max_length=200)
    resident_id: int | None = Field(default=None, ge=1, description="population record id")
    suspect_status: SuspectStatus | None = None
    description: PlainText = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _status_only_for_suspects(self) -> PersonIn:
        if self.suspect_status is not None and self.role is not PersonRole.SUSPECT:
            raise ValueError("只有嫌疑人有抓捕状态 / only suspects have a status")
        return self


class SuspectStatusIn(_In):
    status: SuspectStatus
    note: PlainText = Field(default="", max_length=1000)
    address: PlainText | None = Field(default=None, max_length=200)


class ArrestIn(_In):
    person_id: int = Field(ge=1)
    arrested_at: datetime | None = None
    place: PlainText = Field(default="", max_length=200)
    measure: PlainText = Field(default="", max_length=32, examples=["刑事拘留"])
    note: PlainText = Field(default="", max_length=2000)


class EvidenceIn(_In):
    name: PlainText = Field(min_length=1, max_length=120)
    kind: PlainText = Field(default="物证", min_length=1, max_length=32)
    description: PlainText = Field(default="", max_length=2000)
    collected_at: datetime | None = None
    location: PlainText = Field(default="", max_length=120)


class CustodyIn(_In):
    action: CustodyAction
    to_officer_id: int | None = Field(default=None, ge=1)
    location: PlainText = Field(default="", max_length=120)
    note: PlainText = Field(default="", max_length=1000)


class LossIn(_In):
    item: PlainText = Field(min_length=1, max_length=120)
    quantity: PlainText = Field(default="", max_length=40)
    value_yuan: Money
    note: PlainText = Field(default="", max_length=1000)


class RecoveryIn(_In):
    loss_id: int | None = Field(default=None, ge=1)
    value_yuan: Money = Field(gt=0)
    recovered_at: datetime | None = None
    note: PlainText = Field(default="", max_length=1000)


class NoteIn(_In):
    kind: NoteKind = "note"
    text: PlainText = Field(min_length=1, max_length=2000)


class RequestIn(_In):
    kind: RequestKind
    question: PlainText = Field(min_length=1, max_length=2000)
    deadline: datetime
    target_officer_id: int | None = Field(default=None, ge=1)
    beat_id: int | None = Field(default=None, ge=1)
    target_unit: PlainText = Field(default="", max_length=80)
    camera_ids: list[int] = Field(default_factory=list, max_length=50)
    window_start: datetime | None = None
    window_end: datetime | None = None

    @model_validator(mode="after")
    def _what_each_kind_needs(self) -> RequestIn:
        if self.kind is RequestKind.VIDEO:
            if not self.camera_ids:
                raise ValueError("视频侦查请求需选择摄像头 / pick the cameras")
            if self.window_start is None or self.window_end is None:
                raise ValueError("视频侦查请求需时间段 / give the time window")
            if self.window_end <= self.window_start:
                raise ValueError("时间段结束须晚于开始 / the window ends after it starts")
        elif self.camera_ids or self.window_start or self.window_end:
            raise ValueError("摄像头与时间段只用于视频侦查 / cameras are for video requests")
        if self.kind is RequestKind.COMMUNITY and self.target_officer_id is None:
            raise ValueError("协作信号需指定社区民警 / name the community officer")
        if self.kind is RequestKind.UNIT and not self.target_unit:
            raise ValueError("协查请求需填写单位 / name the unit")
        return self


class AnswerIn(_In):
    answer: PlainText = Field(min_length=1, max_length=4000)
    building: PlainText = Field(default="", max_length=32, description="栋")
    floor: PlainText = Field(default="", max_length=16, description="层")
    room: PlainText = Field(default="", max_length=16, description="室")
    address_id: int | None = Field(default=None, ge=1)


# ---- out ----


class ClockOut(BaseModel):
    key: str
    label: str
    seconds: float | None
    limit_s: float
    late: bool


class OfficerRef(BaseModel):
    id: int
    name: str
    duty: str = ""


class SquadMemberOut(BaseModel):
    officer_id: int
    name: str
    mentor_id: int | None
    mentor_name: str | None
    apprentices: list[str]
    assault_team: bool
    specialty: str
    open_cases: int


class PersonOut(BaseModel):
    id: int
    role: str
    role_label: str
    name: str
    id_number: str
    phone: str
    address: str
    resident_id: int | None
    suspect_status: str | None
    suspect_status_label: str | None
    description: str
    unmasked: bool


class ArrestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    arrested_at: datetime
    place: str
    measure: str
    note: str


class CustodyOut(BaseModel):
    at: datetime
    action: str
    action_label: str
    from_name: str | None
    to_name: str | None
    location: str
    note: str


class EvidenceOut(BaseModel):
    id: int
    number: str
    name: str
    kind: str
    description: str
    collected_at: datetime
    holder_name: str | None
    location: str
    state: str
    state_label: str
    custody: list[CustodyOut]


class LossOut(BaseModel):
    id: int
    item: str
    quantity: str
    value_yuan: float
    reported_at: datetime
    note: str


class RecoveryOut(BaseModel):
    id: int
    loss_id: int | None
    value_yuan: float
    recovered_at: datetime
    note: str


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    evidence_id: int | None
    request_id: int | None
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    url: str = ""


class RequestOut(BaseModel):
    id: int
    case_id: int
    case_number: str
    case_title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    question: str
    target_officer_id: int | None
    target_name: str
    beat_id: int | None
    target_unit: str
    camera_ids: list[int]
    camera_names: list[str]
    window_start: datetime | None
    window_end: datetime | None
    deadline: datetime
    created_at: datetime
    created_by_name: str | None
    answer: str
    answer_data: dict[str, Any]
    answered_by_name: str | None
    answered_at: datetime | None
    overdue: bool
    overdue_s: float
    attachments: list[AttachmentOut]


class JointEntry(BaseModel):
    at: datetime
    source: str
    source_label: str
    kind: str
    text: str
    actor_name: str | None


class CaseSummary(BaseModel):
    id: int
    number: str
    title: str
    case_type: str
    type_label: str
    status: str
    status_label: str
    reported_at: datetime
    address_text: str
    incident_id: int | None
    lead_officer_name: str | None
    suspects: int
    arrested: int
    open_requests: int
    overdue_requests: int
    loss_yuan: float
    recovered_yuan: float


class CaseOut(CaseSummary):
    summary: str
    status_reason: str
    lat: float | None
    lon: float | None
    beat_id: int | None
    incident_number: str | None
    filed_at: datetime | None
    solved_at: datetime | None
    finished_at: datetime | None
    allowed_moves: list[str]
    clocks: list[ClockOut]
    officers: list[OfficerRef]
    persons: list[PersonOut]
    arrests: list[ArrestOut]
    evidence: list[EvidenceOut]
    losses: list[LossOut]
    recoveries: list[RecoveryOut]
    requests: list[RequestOut]
    attachments: list[AttachmentOut]
    timeline: list[JointEntry]


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]


class MonthFasts(BaseModel):
    month: str
    cases: int
    medians_s: dict[str, float | None]


class FastsBoard(BaseModel):
    labels: dict[str, str]
    months: list[MonthFasts]


class ClearanceRate(BaseModel):
    """破案率: of the cases filed (立案) in the period, how many are solved (破案)."""

    start: datetime
    end: datetime
    case_type: str | None
    filed: int
    cleared: int
    rate: float | None


class TasksOut(BaseModel):
    cases: list[CaseSummary]
    requests: list[RequestOut]


class Created(BaseModel):
    """What a write returns: the new row's id and the case as it now stands."""

    id: int
    case: CaseSummary
