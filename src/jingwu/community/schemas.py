"""What the community API reads and writes. Personal data leaves here masked unless unmasked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jingwu.command.schemas import Phone, PlainText
from jingwu.core.idcard import id_number_problem, normalize_id_number

HouseUse = Literal["自住", "出租", "商用", "空置", "其他"]
ResidentKindIn = Literal["registered", "resident", "floating"]
DisputeKind = Literal["邻里", "家庭", "婚恋", "经济", "物业", "土地", "劳资", "其他"]
RiskLevel = Literal["low", "medium", "high"]
MediationOutcome = Literal["agreed", "partial", "failed"]
WorkKind = Literal["visit", "campaign", "sentiment", "service"]
AgencyKind = Literal["department", "street_office", "alliance", "other"]
CapSeverity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
CapUrgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
CapCertainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=4000)


class _Point(_In):
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)

    @model_validator(mode="after")
    def _both_or_neither(self) -> Any:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("经纬度需同时提供 / give both lat and lon, or neither")
        return self


class CollectedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    collected_by_id: int | None
    collected_at: datetime
    verified_by_id: int | None
    verified_at: datetime | None
    check_failed: bool


class HouseIn(_In):
    address_id: int = Field(ge=1)
    owner_name: PlainText = Field(default="", max_length=64)
    owner_phone: Phone = Field(default="", max_length=20)
    use: HouseUse = "自住"
    rented: bool = False
    note: PlainText = Field(default="", max_length=500)


class HouseOut(CollectedOut):
    id: int
    address_id: int
    address_text: str
    community_id: int
    owner_name: str
    owner_phone: str
    use: str
    rented: bool
    note: str
    masked: bool


class ResidentIn(_In):
    name: PlainText = Field(min_length=1, max_length=64)
    id_number: str | None = Field(default=None, max_length=24)
    phone: Phone = Field(default="", max_length=20)
    kind: ResidentKindIn = "resident"
    tenant: bool = False
    house_id: int | None = Field(default=None, ge=1)
    community_id: int | None = Field(default=None, ge=1)
    note: PlainText = Field(default="", max_length=500)

    @field_validator("id_number")
    @classmethod
    def _valid_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        problem = id_number_problem(value)
        if problem:
            raise ValueError(problem)
        return normalize_id_number(value)

    @model_validator(mode="after")
    def _somewhere(self) -> ResidentIn:
        if self.house_id is None and self.community_id is None:
            raise ValueError("请指定房屋或社区 / give a house or a community")
        return self


class ResidentOut(CollectedOut):
    id: int
    name: str
    id_number: str | None
    phone: str
    sex: str
    birth_year: int | None
    kind: str
    tenant: bool
    house_id: int | None
    address_text: str
    community_id: int
    note: str
    masked: bool


class OrganisationIn(_In):
    name: PlainText = Field(min_length=1, max_length=120)
    kind: PlainText = Field(min_length=1, max_length=32)
    address_id: int | None = Field(default=None, ge=1)
    community_id: int | None = Field(default=None, ge=1)
    contact_name: PlainText = Field(default="", max_length=64)
    contact_phone: Phone = Field(default="", max_length=20)

    @model_validator(mode="after")
    def _somewhere(self) -> OrganisationIn:
        if self.address_id is None and self.community_id is None:
            raise ValueError("请指定地址或社区 / give an address or a community")
        return self


class OrganisationOut(CollectedOut):
    id: int
    name: str
    kind: str
    address_id: int | None
    community_id: int
    contact_name: str
    contact_phone: str


class VerifyIn(_In):
    ok: bool = True
    note: PlainText = Field(default="", max_length=500)


class QualityRow(BaseModel):
    scope: Literal["community", "beat", "officer"]
    id: int
    name: str
    houses: int
    expected_households: int
    house_rate: float | None
    residents: int
    expected_population: int
    people_rate: float | None
    records: int
    verified_recent: int
    failed_checks: int
    accuracy: float | None


class KeyPersonIn(_In):
    resident_id: int = Field(ge=1)
    category: PlainText = Field(min_length=1, max_length=32)
    control_level: int = Field(default=3, ge=1, le=3)
    officer_id: int | None = Field(default=None, ge=1)
    plan: PlainText = Field(default="", max_length=4000)
    visit_every_days: int = Field(default=30, ge=1, le=365)


class CheckInIn(_Point):
    note: PlainText = Field(min_length=1, max_length=2000)
    in_control: bool = True


class CheckInOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    officer_id: int
    at: datetime
    note: str
    in_control: bool
    lat: float | None
    lon: float | None


class KeyPersonOut(BaseModel):
    id: int
    resident_id: int
    name: str
    id_number: str | None
    category: str
    control_level: int
    officer_id: int
    officer_name: str
    plan: str
    visit_every_days: int
    next_visit_due: datetime
    overdue: bool
    overdue_days: int
    in_control: bool
    active: bool
    checkins: list[CheckInOut] = Field(default_factory=list)


class PartyIn(_In):
    name: PlainText = Field(min_length=1, max_length=64)
    phone: Phone = Field(default="", max_length=20)
    resident_id: int | None = Field(default=None, ge=1)


class DisputeIn(_In):
    kind: DisputeKind
    risk_level: RiskLevel = "low"
    summary: PlainText = Field(min_length=1, max_length=4000)
    address_text: PlainText = Field(default="", max_length=200)
    community_id: int | None = Field(default=None, ge=1)
    parties: list[PartyIn] = Field(min_length=1, max_length=10)


class FromIncidentIn(_In):
    kind: DisputeKind = "其他"
    risk_level: RiskLevel = "low"
    parties: list[PartyIn] = Field(default_factory=list, max_length=10)


class PartiesIn(_In):
    parties: list[PartyIn] = Field(min_length=1, max_length=10)


class MediationIn(_In):
    place: PlainText = Field(default="", max_length=200)
    notes: PlainText = Field(min_length=1, max_length=4000)
    outcome: MediationOutcome
    agreement: PlainText = Field(default="", max_length=4000)
    callback_days: int = Field(default=7, ge=1, le=90)


class CallbackIn(_In):
    satisfied: bool
    note: PlainText = Field(default="", max_length=2000)


class EscalateIn(_In):
    category_code: str = Field(default="0401", min_length=2, max_length=8)
    reason: PlainText = Field(min_length=1, max_length=500)
    priority: int | None = Field(default=None, ge=1, le=4)


class PartyOut(BaseModel):
    id: int
    resident_id: int | None
    name: str
    phone: str


class MediationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    officer_id: int
    at: datetime
    place: str
    notes: str
    outcome: str
    agreement: str


class CallbackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    due_at: datetime
    done_at: datetime | None
    officer_id: int | None
    satisfied: bool | None
    note: str


class DisputeSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    source: str
    incident_id: int | None
    kind: str
    risk_level: str
    status: str
    summary: str
    address_text: str
    community_id: int | None
    beat_id: int | None
    officer_id: int | None
    registered_at: datetime
    resolved_at: datetime | None
    repeat_of_id: int | None
    escalated_incident_id: int | None


class DisputeOut(DisputeSummary):
    outcome: str
    agreement: str
    parties: list[PartyOut]
    sessions: list[MediationOut]
    callbacks: list[CallbackOut]
    related: list[DisputeSummary]


class DisputePage(BaseModel):
    items: list[DisputeSummary]
    total: int


class ResolutionRate(BaseModel):
    start: datetime
    end: datetime
    beat_id: int | None
    officer_id: int | None
    total: int
    resolved: int
    escalated: int
    open: int
    rate: float | None


class BeatWorkIn(_Point):
    kind: WorkKind
    title: PlainText = Field(min_length=1, max_length=120)
    note: PlainText = Field(default="", max_length=4000)
    people_reached: int = Field(default=0, ge=0, le=100000)
    house_id: int | None = Field(default=None, ge=1)
    resident_id: int | None = Field(default=None, ge=1)
    community_id: int | None = Field(default=None, ge=1)


class BeatWorkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    officer_id: int
    beat_id: int | None
    community_id: int | None
    house_id: int | None
    resident_id: int | None
    at: datetime
    title: str
    note: str
    people_reached: int


class ContactIn(_In):
    name: PlainText = Field(min_length=1, max_length=64)
    title: PlainText = Field(default="", max_length=64)
    phone: Phone = Field(default="", max_length=20)


class AgencyIn(_In):
    name: PlainText = Field(min_length=1, max_length=120)
    kind: AgencyKind
    phone: Phone = Field(default="", max_length=20)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=20)
    categories: list[PlainText] = Field(default_factory=list, max_length=20)


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    phone: str
    contacts: list[dict[str, Any]]
    categories: list[str]
    active: bool


class MemberIn(_In):
    officer_id: int = Field(ge=1)


class WhistleIn(_Point):
    agency_id: int = Field(ge=1)
    category: PlainText = Field(min_length=1, max_length=32)
    title: PlainText = Field(min_length=1, max_length=120)
    description: PlainText = Field(default="", max_length=4000)
    place_text: PlainText = Field(default="", max_length=200)
    address_id: int | None = Field(default=None, ge=1)
    ack_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    arrive_minutes: int = Field(default=120, ge=1, le=30 * 24 * 60)
    resolve_minutes: int = Field(default=24 * 60, ge=1, le=90 * 24 * 60)
    dispute_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> WhistleIn:
        if not self.ack_minutes <= self.arrive_minutes <= self.resolve_minutes:
            raise ValueError(
                "时限应为 签收 ≤ 到场 ≤ 办结 / deadlines must be acknowledge ≤ arrive ≤ resolve"
            )
        if not self.place_text and self.address_id is None and self.lat is None:
            raise ValueError("请提供地点 / a place is needed")
        return self


class WhistleStepIn(_In):
    note: PlainText = Field(default="", max_length=2000)


class PartnerWhistleOut(BaseModel):
    """What a partner sees of a request: what, where, by when. No one's personal data."""

    id: int
    number: str
    agency_id: int
    agency_name: str
    category: str
    title: str
    description: str
    place_text: str
    lat: float | None
    lon: float | None
    status: str
    created_at: datetime
    ack_due_at: datetime
    arrive_due_at: datetime
    resolve_due_at: datetime
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    resolved_at: datetime | None
    late: list[str]
    escalation_level: int
    response_note: str


class WhistleOut(PartnerWhistleOut):
    created_by_id: int | None
    dispute_id: int | None
    escalated_at: datetime | None


class PartnerStats(BaseModel):
    agency_id: int
    agency_name: str
    requests: int
    acknowledged: int
    resolved: int
    late: int
    mean_ack_s: float | None
    mean_arrive_s: float | None
    mean_resolve_s: float | None


class NoticeIn(_In):
    event: PlainText = Field(min_length=1, max_length=200)
    headline: PlainText = Field(default="", max_length=300)
    description: PlainText = Field(default="", max_length=4000)
    instruction: PlainText = Field(default="", max_length=4000)
    area_desc: PlainText = Field(min_length=1, max_length=300)
    severity: CapSeverity = "Minor"
    urgency: CapUrgency = "Expected"
    certainty: CapCertainty = "Likely"
    expires_in_hours: int | None = Field(default=24, ge=1, le=24 * 365)


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    identifier: str
    sender: str
    sent_at: datetime
    status: str
    msg_type: str
    scope: str
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    expires_at: datetime | None
    source: str


class ParsedAddressOut(BaseModel):
    name: str
    phone: str
    province: str
    city: str
    district: str
    street: str
    community: str
    road: str
    door_no: str
    building: str
    unit: str
    floor: str
    room: str
    detail: str


class AddressCandidate(BaseModel):
    address_id: int
    full_text: str
    community_id: int
    score: float
    lat: float
    lon: float


class AddressMatchOut(BaseModel):
    parsed: ParsedAddressOut
    sure: bool
    candidates: list[AddressCandidate]


class DayPlanOut(BaseModel):
    """The community officer's today, on the phone."""

    date: date
    officer_id: int
    beats: list[int]
    visits_due: list[KeyPersonOut]
    callbacks_due: list[dict[str, Any]]
    disputes_open: list[DisputeSummary]
    whistles_open: list[WhistleOut]
    counts: dict[str, int]
