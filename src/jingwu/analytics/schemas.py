"""What the analytics API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jingwu.command.schemas import PlainText


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TileOut(Out):
    key: str
    label: str
    unit: str
    value: float | None
    year_before: float | None
    change: float | None = Field(description="per cent for counts, percentage points for rates")
    change_unit: Literal["%", "pp"]
    trend: Literal["up", "down", "flat", "none"]
    good: bool | None
    spark: list[float | None]
    spark_labels: list[str]
    numerator: int | None
    denominator: int | None
    note: str
    source: str
    records_url: str | None


class BoardOut(Out):
    period_label: str
    start: date
    end: date
    year_before_start: date
    year_before_end: date
    tiles: list[TileOut]


class RecordOut(Out):
    id: int
    kind: Literal["incident", "commendation", "feedback"]
    at: datetime
    title: str
    place: str
    detail: str
    url: str | None


class RecordPage(Out):
    figure: str
    label: str
    items: list[RecordOut]
    total: int
    page: int
    per_page: int


class CountRow(Out):
    key: str
    name: str
    count: int
    previous: int
    year_before: int
    change_prev_pct: float | None
    change_yoy_pct: float | None
    baseline: float
    z: float
    p_value: float
    unusual: bool
    records_url: str | None = None


class PlaceRow(Out):
    key: str
    name: str
    count: int
    previous: int
    year_before: int
    share_pct: float
    top_category: str


class KeyIncident(Out):
    id: int
    number: str
    at: datetime
    category: str
    place: str
    priority: int


class ReviewOut(Out):
    kind: Literal["day", "week", "month", "range"]
    title: str
    period_label: str
    first: date
    last: date
    generated_at: datetime
    total: int
    previous_total: int
    year_before_total: int
    change_prev_pct: float | None
    change_yoy_pct: float | None
    highlights: list[str]
    unusual: list[CountRow]
    categories: list[CountRow]
    subtypes: list[CountRow]
    beats: list[PlaceRow]
    communities: list[PlaceRow]
    hours: list[int]
    hours_reference: list[float]
    heat: list[list[int]] = Field(description="weekday (Mon=0) × hour")
    heat_days: int
    trend_labels: list[str]
    trend: list[int]
    trend_previous: list[int]
    history_labels: list[str]
    history: list[int]
    key_incidents: list[KeyIncident]
    tiles: list[TileOut] = Field(default_factory=list)


class StoredReviewOut(Out):
    id: int
    kind: str
    period_start: date
    period_end: date
    generated_at: datetime


CommendationKind = Literal["banner", "letter", "other"]
FeedbackChannel = Literal["callback", "rating", "hotline", "other"]


class CommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CommendationKind = "banner"
    received_at: datetime
    giver: PlainText = Field(default="", max_length=80)
    recipient: PlainText = Field(default="", max_length=80)
    officer_id: int | None = Field(default=None, ge=1)
    incident_id: int | None = Field(default=None, ge=1)
    words: PlainText = Field(default="", max_length=200, description="锦旗上的字 / the words")


class CommendationOut(Out):
    id: int
    kind: str
    received_at: datetime
    giver: str
    recipient: str
    officer_id: int | None
    incident_id: int | None
    words: str


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: FeedbackChannel = "callback"
    received_at: datetime
    incident_id: int | None = Field(default=None, ge=1)
    score: int = Field(ge=1, le=5, description="1 很不满意 … 5 很满意")
    text: PlainText = Field(default="", max_length=1000)


class FeedbackOut(Out):
    id: int
    channel: str
    received_at: datetime
    incident_id: int | None
    score: int
    text: str


class HotspotCell(Out):
    row: int
    col: int
    south: float
    west: float
    north: float
    east: float
    score: float
    rank: int


class HotspotOut(Out):
    model: Literal["sepp", "kde", "naive", "prospective"]
    horizon: Literal["shift", "day", "week"]
    start: datetime
    end: datetime
    cell_m: float
    events_used: int
    expected_events: float
    cells: list[HotspotCell]
    params: dict[str, float]


class BeatSummary(Out):
    name: str
    communities: list[str]
    workload: float
    share_pct: float
    mean_travel_m: float
    diameter_m: float
    peak_hour: int
    cells: int | None = Field(default=None, description="grid cells in the beat (grid plans)")


class BeatPlanOut(Out):
    name: str
    method: str
    k: int
    beats: list[BeatSummary]
    balance: float = Field(description="max/mean workload; 1.0 is perfect balance")
    compactness: float = Field(description="mean of beat areas / area of their bounding circle")
    mean_travel_m: float
    profile_spread: float
    contiguous: bool
    moved: list[str] = Field(description="communities that change beat against today's plan")
    seconds: float


class BeatComparisonOut(Out):
    k: int
    communities: list[str]
    workload: dict[str, float]
    plans: list[BeatPlanOut]
    cells: int = Field(default=0, description="grid cells planned over; 0: whole communities")
