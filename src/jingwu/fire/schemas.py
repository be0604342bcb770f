"""What the fire API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jingwu.command.schemas import IncidentIn, IncidentSummary, PlainText
from jingwu.fire.models import ApparatusKind, QualificationKind, Readiness, WaterSourceKind

MAX_YUAN = 100_000_000_000  # 1000亿: beyond any single operation


class TrainingKind(StrEnum):
    DRILL = "drill"
    TRAINING = "training"
    FITNESS = "fitness"
    STUDY = "study"


TRAINING_LABELS = {
    TrainingKind.DRILL: "实战演练",
    TrainingKind.TRAINING: "业务训练",
    TrainingKind.FITNESS: "体能训练",
    TrainingKind.STUDY: "理论学习",
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApparatusCreate(_In):
    call_sign: PlainText = Field(min_length=1, max_length=64)
    kind: ApparatusKind
    plate: PlainText = Field(default="", max_length=16)
    water_l: int = Field(default=0, ge=0, le=60_000)
    pump_lps: float = Field(default=0.0, ge=0, le=2_000, allow_inf_nan=False)
    seats: int = Field(default=4, ge=1, le=12)
    crew_officer_ids: list[int] = Field(default_factory=list, max_length=12)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)


class ReadinessIn(_In):
    readiness: Readiness
    note: PlainText = Field(default="", max_length=255)


class QualificationIn(_In):
    kind: QualificationKind
    issued_on: date
    expires_on: date

    @model_validator(mode="after")
    def _ordered(self) -> QualificationIn:
        if self.expires_on <= self.issued_on:
            raise ValueError("有效期须晚于发证日期 / expiry must follow the issue date")
        return self


class TrainingIn(_In):
    member_ids: list[int] = Field(min_length=1, max_length=20)
    kind: TrainingKind
    title: PlainText = Field(min_length=1, max_length=120)
    minutes: int = Field(ge=1, le=720)
    at: datetime | None = Field(default=None, description="when it began; now if omitted")
    score: int | None = Field(default=None, ge=0, le=100)
    note: PlainText = Field(default="", max_length=500)


class RunCardIn(_In):
    category_code: str = Field(min_length=2, max_length=8)
    alarm_level: int = Field(ge=1, le=3)
    name: PlainText = Field(min_length=1, max_length=80)
    apparatus_kinds: list[ApparatusKind] = Field(min_length=1, max_length=12)
    min_crew: int = Field(default=4, ge=1, le=60)
    note: PlainText = Field(default="", max_length=500)


class WaterSourceIn(_In):
    code: PlainText = Field(min_length=1, max_length=32)
    kind: WaterSourceKind
    name: PlainText = Field(min_length=1, max_length=80)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    flow_lps: float = Field(default=0.0, ge=0, le=5_000, allow_inf_nan=False)
    working: bool = True


class HazardPlanIn(_In):
    key_site_id: int = Field(ge=1)
    hazards: PlainText = Field(default="", max_length=2000)
    access: PlainText = Field(default="", max_length=2000)
    water: PlainText = Field(default="", max_length=2000)
    occupants: int = Field(default=0, ge=0, le=1_000_000)


class FireCallIn(_In):
    """A call taken in the fire station's own watch room."""

    incident: IncidentIn
    alarm_level: int = Field(default=1, ge=1, le=3)
    dispatch: bool = Field(default=True, description="send the run card's apparatus at once")


class PlanDispatchIn(_In):
    alarm_level: int = Field(default=1, ge=1, le=3)
    unit_ids: list[int] | None = Field(
        default=None, max_length=20, description="override the run card's proposal"
    )
    instruction: PlainText = Field(default="", max_length=500)


class ShiftIn(_In):
    member_ids: list[int] = Field(min_length=1, max_length=30)
    leader_member_id: int
    started_at: datetime | None = Field(default=None, description="handover time; now if omitted")
    note: PlainText = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _leader_on_shift(self) -> ShiftIn:
        if self.leader_member_id not in self.member_ids:
            raise ValueError("带班人须在本班人员中 / the leader must be on the shift")
        return self


class ReportIn(_In):
    people_rescued: int = Field(ge=0, le=100_000)
    property_protected_yuan: int = Field(ge=0, le=MAX_YUAN)
    property_lost_yuan: int = Field(default=0, ge=0, le=MAX_YUAN)
    summary: PlainText = Field(default="", max_length=4000)
    ended_at: datetime | None = Field(default=None, description="when it ended; now if omitted")


class ApparatusOut(BaseModel):
    id: int
    unit_id: int
    call_sign: str
    kind: str
    kind_label: str
    plate: str
    water_l: int
    pump_lps: float
    seats: int
    readiness: str
    readiness_label: str
    readiness_note: str
    unit_status: str
    unit_status_label: str
    lat: float | None
    lon: float | None
    current_incident_id: int | None
    ready: bool
    crew: list[str]


class QualificationOut(BaseModel):
    kind: str
    label: str
    issued_on: date
    expires_on: date
    expired: bool
    expiring_soon: bool


class MemberOut(BaseModel):
    id: int
    officer_id: int
    name: str
    post: str
    born_year: int | None
    joined_on: date
    active: bool
    ready: bool
    not_ready_reasons: list[str]
    qualifications: list[QualificationOut]
    on_operation_id: int | None


class TrainingOut(BaseModel):
    id: int
    member_id: int
    member_name: str
    at: datetime
    kind: str
    kind_label: str
    title: str
    minutes: int
    score: int | None
    note: str


class TrainingPage(BaseModel):
    items: list[TrainingOut]
    total: int
    page: int
    per_page: int


class RoutineOut(BaseModel):
    starts: str
    ends: str
    title: str
    kind: str
    now: bool


class RunCardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    category_code: str
    alarm_level: int
    name: str
    apparatus_kinds: list[str]
    min_crew: int
    note: str


class WaterSourceOut(BaseModel):
    id: int
    code: str
    kind: str
    kind_label: str
    name: str
    lat: float
    lon: float
    flow_lps: float
    working: bool
    distance_m: float | None = None


class HazardPlanOut(BaseModel):
    id: int
    key_site_id: int
    site_name: str
    lat: float
    lon: float
    hazards: str
    access: str
    water: str
    occupants: int
    distance_m: float | None = None


class ProposedUnit(BaseModel):
    unit_id: int
    call_sign: str
    kind: str
    kind_label: str
    distance_m: float | None


class PlanOut(BaseModel):
    incident_id: int
    alarm_level: int
    run_card: RunCardOut
    proposed: list[ProposedUnit]
    shortfall: list[str]
    water_sources: list[WaterSourceOut]
    hazard_plans: list[HazardPlanOut]


class ShiftOut(BaseModel):
    id: int
    number: int
    leader: str
    started_at: datetime
    ended_at: datetime | None
    members: list[str]
    member_ids: list[int]
    note: str


class OperationOut(BaseModel):
    id: int
    incident_id: int | None
    incident_number: str | None
    category_code: str
    category_label: str
    title: str
    alarm_level: int
    status: str
    started_at: datetime
    ended_at: datetime | None
    duration_s: float | None
    people_rescued: int
    property_protected_yuan: int
    property_lost_yuan: int
    summary: str
    historic: bool
    shifts: list[ShiftOut]


class OperationPage(BaseModel):
    items: list[OperationOut]
    total: int
    page: int
    per_page: int


class FireIncidentOut(BaseModel):
    incident: IncidentSummary
    operation_id: int | None
    alarm_level: int | None
    fire_units: list[str]
    police_units: list[str]


class HonourOut(BaseModel):
    year: int
    title: str
    level: str


class YearFigures(BaseModel):
    year: int
    operations: int
    people_rescued: int
    property_protected_yuan: int


class SquadRecordOut(BaseModel):
    founded_year: int
    as_of: datetime
    operations: int
    people_rescued: int
    property_protected_yuan: int
    property_lost_yuan: int
    honours: list[HonourOut]
    by_year: list[YearFigures]


class CategoryFigures(BaseModel):
    category_code: str
    category_label: str
    operations: int
    people_rescued: int
    property_protected_yuan: int


class OperationsSummaryOut(BaseModel):
    start: datetime
    end: datetime
    operations: int
    people_rescued: int
    property_protected_yuan: int
    property_lost_yuan: int
    hours: float
    by_category: list[CategoryFigures]


class ReadinessBoard(BaseModel):
    apparatus_ready: int
    apparatus_total: int
    members_ready: int
    members_total: int
    expiring_soon: int
