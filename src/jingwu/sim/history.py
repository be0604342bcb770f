"""Two years of the station's past, drawn from a parametrised point process.

Each incident family has a base daily rate and an annual change; its intensity over the
window is the product of that trend with a 24-hour curve, a weekly rhythm, a season, holiday
surges and a day-to-day weather-like noise. Events are placed by systematic sampling of the
cumulative intensity (so yearly totals follow the trend closely while days still vary), then
located at hotspots, at standard addresses, or — for thefts and burglaries — next to a recent
earlier event (near-repeats). Every event then runs the closed loop with plausible delays.

Nothing here writes a headline figure: the station's year-on-year changes come out of the
rates and trends in `FAMILIES`, and tests measure them from the generated rows.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from jingwu.command.categories import CATEGORIES, label
from jingwu.command.models import Assignment, Incident, IncidentCaller, TimelineEntry
from jingwu.command.states import AssignmentStatus, IncidentStatus, Route
from jingwu.core.clock import LOCAL_ZONE, to_local
from jingwu.core.geo import haversine_m
from jingwu.places.models import Community, KeySite, StandardAddress
from jingwu.units.models import CrewMember, Unit, UnitPosition

Progress = Callable[[int], None]
INSERT_CHUNK = 5_000
M_PER_DEG_LAT = 111_195.0

# 24 local hours, relative weights (normalised below)
HOUR_CURVES: dict[str, tuple[float, ...]] = {
    "general": (4, 3, 2, 2, 1.5, 1.5, 2, 4, 6, 8, 9, 9, 8, 8, 8, 8, 8, 9, 10, 11, 11, 10, 8, 6),
    "night": (9, 9, 8, 7, 5, 3, 2, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 9, 10, 10),
    "rush": (2, 1, 1, 1, 1, 2, 4, 10, 12, 8, 6, 6, 7, 6, 6, 7, 9, 12, 11, 7, 5, 4, 3, 2),
    "evening": (5, 3, 2, 1, 1, 1, 1, 2, 4, 5, 6, 6, 6, 5, 5, 6, 7, 8, 11, 12, 12, 10, 8, 6),
    "day": (1, 1, 0.5, 0.5, 0.5, 1, 2, 5, 9, 11, 11, 10, 8, 9, 10, 10, 9, 8, 6, 5, 4, 3, 2, 1),
}
# Monday .. Sunday
WEEK_RHYTHMS: dict[str, tuple[float, ...]] = {
    "flat": (1, 1, 1, 1, 1, 1, 1),
    "weekend": (0.9, 0.9, 0.9, 0.95, 1.05, 1.3, 1.3),
    "weekday": (1.1, 1.1, 1.1, 1.1, 1.05, 0.8, 0.75),
}

# Holidays on the local calendar, with how strongly each draws crowds to the memorial.
HOLIDAYS: dict[str, tuple[tuple[str, int], ...]] = {
    "端午节": (("2024-06-10", 1), ("2025-05-31", 3), ("2026-06-19", 3), ("2027-06-09", 3)),
    "学雷锋纪念日": (("2024-03-05", 1), ("2025-03-05", 1), ("2026-03-05", 1), ("2027-03-05", 1)),
    "清明节": (("2024-04-04", 3), ("2025-04-04", 3), ("2026-04-05", 3), ("2027-04-05", 3)),
    "国庆节": (("2024-10-01", 7), ("2025-10-01", 8), ("2026-10-01", 8), ("2027-10-01", 7)),
    "春节": (("2024-02-10", 8), ("2025-01-28", 8), ("2026-02-16", 9), ("2027-02-05", 8)),
}
HOLIDAY_PULL = {"端午节": 14.0, "学雷锋纪念日": 12.0, "清明节": 5.0, "国庆节": 6.0, "春节": 3.0}


@dataclass(frozen=True)
class Family:
    """One kind of incident and the parameters of its process."""

    code: str
    per_day: float  # at the start of the window
    annual_change: float  # e.g. -0.25: a quarter fewer a year later, continuously
    subtypes: tuple[tuple[str, float], ...]
    hours: str = "general"
    week: str = "flat"
    hotspot_share: float = 0.3
    near_repeat_share: float = 0.0
    holiday_pull: float = 0.0  # 1.0: a holiday's whole pull applies, at the memorial
    summer: float = 1.0  # June–August factor
    route_shares: tuple[tuple[str, float], ...] = (("patrol", 1.0),)
    words: tuple[str, ...] = ("",)


FAMILIES: tuple[Family, ...] = (
    Family(
        "01",
        2.2,
        -0.25,
        (
            ("0101", 0.36),
            ("0106", 0.15),
            ("0107", 0.12),
            ("0104", 0.12),
            ("0103", 0.05),
            ("0102", 0.03),
            ("0105", 0.17),
        ),
        hours="night",
        hotspot_share=0.35,
        near_repeat_share=0.22,
        route_shares=(("patrol", 1.0),),
        words=("电动车被盗", "家中被盗，门锁被撬", "手机被抢", "有人打架受伤", "车内财物被盗"),
    ),
    Family(
        "08",
        0.7,
        -0.34,
        (("0801", 0.3), ("0802", 0.35), ("0803", 0.2), ("0804", 0.15)),
        hours="day",
        week="weekday",
        hotspot_share=0.0,
        route_shares=(("case_team", 0.7), ("patrol", 0.3)),
        words=("接到冒充客服电话被骗", "刷单返利被骗", "自称公安要求转账", "网贷被骗"),
    ),
    Family(
        "02",
        2.4,
        -0.05,
        (("0201", 0.3), ("0202", 0.2), ("0203", 0.1), ("0204", 0.3), ("0205", 0.1)),
        hours="evening",
        week="weekend",
        hotspot_share=0.4,
        holiday_pull=0.3,
        words=("有人打架", "有人闹事", "疑似聚众赌博", "楼上噪音扰民", "广场人员聚集"),
    ),
    Family(
        "03",
        2.9,
        0.02,
        (("0301", 0.55), ("0302", 0.2), ("0303", 0.25)),
        hours="rush",
        week="weekday",
        hotspot_share=0.3,
        holiday_pull=0.15,
        words=("两车相撞", "路口堵死了", "车辆乱停挡住出口"),
    ),
    Family(
        "04",
        3.1,
        -0.08,
        (("0401", 0.35), ("0402", 0.25), ("0403", 0.15), ("0404", 0.1), ("0405", 0.15)),
        hours="evening",
        week="weekend",
        hotspot_share=0.15,
        route_shares=(("community", 0.6), ("patrol", 0.4)),
        words=("邻居因漏水吵架", "家庭矛盾", "欠款纠纷", "工地讨薪", "物业停车纠纷"),
    ),
    Family(
        "05",
        2.6,
        0.0,
        (("0501", 0.2), ("0502", 0.55), ("0503", 0.25)),
        hours="day",
        hotspot_share=0.25,
        holiday_pull=0.4,
        words=("老人走失", "有人需要帮助", "钥匙锁在家里"),
    ),
    Family(
        "06",
        0.14,
        0.0,
        (("0601", 0.6), ("0602", 0.4)),
        route_shares=(("fire", 1.0),),
        words=("楼道冒烟", "车辆起火"),
    ),
    Family(
        "07",
        0.09,
        0.0,
        (("0701", 0.45), ("0702", 0.4), ("0703", 0.15)),
        hours="day",
        summer=4.0,
        route_shares=(("fire", 1.0),),
        words=("道路积水有车被困", "有人被困电梯", "有人落水"),
    ),
    Family(
        "09",
        0.6,
        0.0,
        (("0901", 0.6), ("0902", 0.4)),
        hours="day",
        route_shares=(("community", 0.7), ("patrol", 0.3)),
        words=("困难老人求助", "精神障碍人员情绪激动"),
    ),
    Family(
        "10",
        0.5,
        0.0,
        (("1001", 1.0),),
        hours="day",
        week="weekday",
        route_shares=(("case_team", 0.8), ("patrol", 0.2)),
        words=("举报可疑人员",),
    ),
)


@dataclass(frozen=True)
class Hotspot:
    name: str
    lat: float
    lon: float
    sigma_m: float
    families: frozenset[str]


@dataclass
class _Unit:
    id: int
    kind: str
    beat_id: int | None
    crew_officer_id: int | None
    home: tuple[float, float]
    free_at: datetime


@dataclass
class _Event:
    at: datetime
    family: Family
    code: str
    lat: float
    lon: float
    address_id: int | None
    address_text: str
    community_id: int | None
    beat_id: int | None
    route: str
    words: str
    repeat_of: int | None = None


@dataclass
class HistoryReport:
    incidents: int = 0
    timeline_rows: int = 0
    assignments: int = 0
    positions: int = 0
    by_family: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Place:
    lat: float
    lon: float
    address_id: int | None
    text: str
    community_id: int | None
    beat_id: int | None


def _holiday_days(start: date, end: date) -> dict[date, tuple[str, float]]:
    days: dict[date, tuple[str, float]] = {}
    for name, spans in HOLIDAYS.items():
        for first, length in spans:
            day0 = date.fromisoformat(first)
            for offset in range(length):
                day = day0 + timedelta(days=offset)
                # the pull is strongest on the day itself and fades over a long holiday
                weight = HOLIDAY_PULL[name] / (1.0 + 0.5 * offset)
                if start <= day <= end and weight > days.get(day, ("", 0.0))[1]:
                    days[day] = (name, weight)
    return days


def _hour_grid(start: datetime, hours: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local hour-of-day, weekday and date ordinal for each hour in the window."""
    local0 = to_local(start)
    offsets = np.arange(hours)
    hour_of_day = (local0.hour + offsets) % 24
    day_index = (local0.hour + offsets) // 24
    weekdays = (local0.weekday() + day_index) % 7
    return hour_of_day, weekdays, day_index


def intensity(
    family: Family,
    *,
    start: datetime,
    hours: int,
    day_noise: np.ndarray,
    holidays: dict[date, tuple[str, float]],
) -> np.ndarray:
    """Expected events per hour for each hour of the window."""
    hour_of_day, weekdays, day_index = _hour_grid(start, hours)
    curve = np.asarray(HOUR_CURVES[family.hours], dtype=np.float64)
    curve = curve / curve.mean()
    week = np.asarray(WEEK_RHYTHMS[family.week], dtype=np.float64)
    week = week / week.mean()
    years = np.arange(hours) / (365.0 * 24.0)
    trend = np.exp(math.log1p(family.annual_change) * years)
    rate = family.per_day / 24.0 * trend * curve[hour_of_day] * week[weekdays]
    rate = rate * day_noise[day_index]
    first_day = to_local(start).date()
    if family.summer != 1.0 or family.holiday_pull:
        for day in range(int(day_index[-1]) + 1):
            current = first_day + timedelta(days=day)
            factor = family.summer if current.month in (6, 7, 8) else 1.0
            if family.holiday_pull and current in holidays:
                factor *= 1.0 + family.holiday_pull * holidays[current][1]
            if factor != 1.0:
                rate[day_index == day] *= factor
    return np.asarray(rate, dtype=np.float64)


def systematic_times(rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Event times (hours from the start) at the integer crossings of the cumulative rate."""
    cumulative = np.concatenate(([0.0], np.cumsum(rate)))
    marks = rng.uniform() + np.arange(int(cumulative[-1]) + 1)
    marks = marks[marks < cumulative[-1]]
    hour = np.searchsorted(cumulative, marks, side="right") - 1
    within = (marks - cumulative[hour]) / np.maximum(rate[hour], 1e-12)
    return np.asarray(hour + np.clip(within, 0.0, 0.999), dtype=np.float64)


class HistoryBuilder:
    """Generates and inserts the history; one instance per scenario build."""

    def __init__(
        self,
        session: Session,
        *,
        seed: int,
        days: int,
        track_days: int = 0,
        now: datetime | None = None,
        families: Sequence[Family] = FAMILIES,
        progress: Progress | None = None,
    ) -> None:
        self.session = session
        self.rng = np.random.default_rng(seed)
        self.days = days
        self.track_days = track_days
        # history ends an hour ago, on the hour: the live station takes over from there
        now = (now or datetime.now(UTC)).astimezone(UTC)
        self.end = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        self.start = self.end - timedelta(days=days)
        self.families = list(families)
        self.progress = progress or (lambda _n: None)
        self.report = HistoryReport()

    # -- the places ------------------------------------------------------------------
    def _load_places(self) -> None:
        session = self.session
        self.addresses = [
            _Place(a.lat, a.lon, a.id, a.full_text, a.community_id, None)
            for a in session.scalars(select(StandardAddress).order_by(StandardAddress.id))
        ]
        self.communities = list(session.scalars(select(Community).order_by(Community.id)))
        beat_of = {c.id: c.beat_id for c in self.communities}
        self.addresses = [
            _Place(p.lat, p.lon, p.address_id, p.text, p.community_id, beat_of[p.community_id or 0])
            for p in self.addresses
        ]
        sites = list(session.scalars(select(KeySite).order_by(KeySite.id)))
        hotspots = []
        for site in sites:
            families = {"01", "02", "03", "05"}
            if site.kind == "construction":
                families = {"01", "04"}
            hotspots.append(Hotspot(site.name, site.lat, site.lon, 120.0, frozenset(families)))
        # a few places the records keep returning to: markets, a nightlife street, a village edge
        for index, (names, fams) in enumerate(
            [
                ("菜市场周边", {"01", "02", "04"}),
                ("夜宵一条街", {"02", "01", "03"}),
                ("城中村出租屋片区", {"01", "04", "09"}),
                ("物流园路口", {"03", "01"}),
            ]
        ):
            anchor = self.addresses[int(self.rng.integers(len(self.addresses)))]
            hotspots.append(
                Hotspot(names, anchor.lat, anchor.lon, 180.0 + 40 * index, frozenset(fams))
            )
        self.hotspots = hotspots
        lats = [p.lat for p in self.addresses]
        lons = [p.lon for p in self.addresses]
        self.bounds = (min(lats), min(lons), max(lats), max(lons))
        self.memorial = next((h for h in hotspots if "纪念馆" in h.name), hotspots[0])

    def _locate(self, lat: float, lon: float) -> tuple[int | None, int | None]:
        for community in self.communities:
            ring = community.boundary
            lons = [p[0] for p in ring]
            lats = [p[1] for p in ring]
            if min(lons) <= lon <= max(lons) and min(lats) <= lat <= max(lats):
                return community.id, community.beat_id
        return None, None

    def _near(self, lat: float, lon: float, sigma_m: float) -> tuple[float, float]:
        north, east = self.rng.normal(0.0, sigma_m, size=2)
        return (
            lat + north / M_PER_DEG_LAT,
            lon + east / (M_PER_DEG_LAT * math.cos(math.radians(lat))),
        )

    def _place(self, family: Family, on_holiday: bool) -> _Place:
        rng = self.rng
        if on_holiday and family.holiday_pull and rng.uniform() < 0.6:
            lat, lon = self._near(self.memorial.lat, self.memorial.lon, 90.0)
            return self._placed(lat, lon, f"{self.memorial.name}附近")
        candidates = [h for h in self.hotspots if family.code in h.families]
        if candidates and rng.uniform() < family.hotspot_share:
            spot = candidates[int(rng.integers(len(candidates)))]
            lat, lon = self._near(spot.lat, spot.lon, spot.sigma_m)
            return self._placed(lat, lon, f"{spot.name}附近")
        return self.addresses[int(rng.integers(len(self.addresses)))]

    def _placed(self, lat: float, lon: float, text_: str) -> _Place:
        community_id, beat_id = self._locate(lat, lon)
        return _Place(lat, lon, None, text_, community_id, beat_id)

    # -- drawing the events -------------------------------------------------------------
    def draw_events(self) -> list[_Event]:
        self._load_places()
        hours = self.days * 24
        holidays = _holiday_days(to_local(self.start).date(), to_local(self.end).date())
        # one shared "weather" of the day plus a little of each family's own
        shared = self.rng.gamma(50.0, 1 / 50.0, size=self.days + 2)
        events: list[_Event] = []
        for family in self.families:
            own = self.rng.gamma(80.0, 1 / 80.0, size=self.days + 2)
            rate = intensity(
                family, start=self.start, hours=hours, day_noise=shared * own, holidays=holidays
            )
            offsets = systematic_times(rate, self.rng)
            codes, weights = zip(*family.subtypes, strict=True)
            picks = self.rng.choice(
                len(codes), size=len(offsets), p=np.asarray(weights) / sum(weights)
            )
            routes, route_weights = zip(*family.route_shares, strict=True)
            route_picks = self.rng.choice(
                len(routes), size=len(offsets), p=np.asarray(route_weights) / sum(route_weights)
            )
            for offset, pick, route_pick in zip(offsets, picks, route_picks, strict=True):
                at = self.start + timedelta(hours=float(offset))
                on_holiday = to_local(at).date() in holidays
                place = self._place(family, on_holiday)
                events.append(
                    _Event(
                        at=at,
                        family=family,
                        code=codes[int(pick)],
                        lat=place.lat,
                        lon=place.lon,
                        address_id=place.address_id,
                        address_text=place.text,
                        community_id=place.community_id,
                        beat_id=place.beat_id,
                        route=routes[int(route_pick)],
                        words=family.words[int(self.rng.integers(len(family.words)))],
                    )
                )
            self.report.by_family[family.code] = len(offsets)
        events.sort(key=lambda e: e.at)
        self._near_repeats(events)
        return events

    def _near_repeats(self, events: list[_Event]) -> None:
        """A share of thefts and burglaries strike again close to a recent one (近重复)."""
        recent: dict[str, list[int]] = {}
        window = timedelta(days=14)
        for index, event in enumerate(events):
            family = event.family
            if not family.near_repeat_share:
                continue
            earlier = recent.setdefault(family.code, [])
            while earlier and event.at - events[earlier[0]].at > window:
                earlier.pop(0)
            if earlier and self.rng.uniform() < family.near_repeat_share:
                source_index = earlier[int(self.rng.integers(len(earlier)))]
                source = events[source_index]
                lat, lon = self._near(source.lat, source.lon, 70.0)
                event.lat, event.lon = lat, lon
                event.address_id = None
                event.address_text = f"{source.address_text.removesuffix('附近')}附近"
                event.community_id, event.beat_id = self._locate(lat, lon)
                event.code = source.code
                event.repeat_of = source_index
            earlier.append(index)

    # -- the loop, in rows ----------------------------------------------------------------
    def _load_units(self) -> list[_Unit]:
        crew: dict[int, int] = {}
        for unit_id, officer_id in self.session.execute(
            select(CrewMember.unit_id, CrewMember.officer_id).order_by(CrewMember.id)
        ):
            crew.setdefault(unit_id, officer_id)
        units = []
        for unit in self.session.scalars(select(Unit).order_by(Unit.id)):
            if unit.kind == "fire_engine":
                continue
            units.append(
                _Unit(
                    unit.id,
                    unit.kind,
                    unit.beat_id,
                    crew.get(unit.id),
                    (unit.lat or 28.22, unit.lon or 112.836),
                    self.start,
                )
            )
        return units

    def _delay(self, median_s: float, spread: float = 0.5) -> timedelta:
        return timedelta(seconds=float(median_s * math.exp(self.rng.normal(0.0, spread))))

    def _pick_unit(self, units: list[_Unit], event: _Event) -> tuple[_Unit, datetime]:
        def cost(unit: _Unit) -> float:
            wait = max(0.0, (unit.free_at - event.at).total_seconds())
            distance = haversine_m(unit.home[0], unit.home[1], event.lat, event.lon)
            beat_penalty = 0.0 if unit.beat_id == event.beat_id else 600.0
            slow = {"car": 1.0, "ebike": 1.6, "foot": 5.0}.get(unit.kind, 1.0)
            return wait + distance / 8.0 * slow + beat_penalty

        unit = min(units, key=cost)
        return unit, max(event.at, unit.free_at)

    def build_rows(
        self, events: list[_Event], *, first_id: int, dispatcher_id: int | None
    ) -> tuple[list[dict[str, Any]], ...]:
        units = self._load_units()
        incidents: list[dict[str, Any]] = []
        callers: list[dict[str, Any]] = []
        assignments: list[dict[str, Any]] = []
        timeline: list[dict[str, Any]] = []
        self.trips: list[tuple[int, datetime, datetime, datetime, float, float]] = []
        rng = self.rng

        def step(incident_id: int, at: datetime, kind: str, words: str, **extra: Any) -> None:
            timeline.append(
                {
                    "incident_id": incident_id,
                    "at": at,
                    "kind": kind,
                    "actor_id": extra.pop("actor_id", dispatcher_id),
                    "unit_id": extra.pop("unit_id", None),
                    "text": words,
                    "data": extra,
                }
            )

        for offset, event in enumerate(events):
            incident_id = first_id + offset
            category = CATEGORIES[event.code]
            priority = category.default_priority
            if event.code == "0104" and rng.uniform() < 0.3:
                priority = 1
            number = f"JQ{to_local(event.at):%Y%m%d}-{incident_id:05d}"
            phone = f"1{int(rng.integers(30, 99))}{int(rng.integers(0, 10**8)):08d}"
            row: dict[str, Any] = {
                "id": incident_id,
                "number": number,
                "priority": priority,
                "category_code": event.code,
                "caller_name": "",
                "caller_phone": phone,
                "address_text": event.address_text,
                "address_id": event.address_id,
                "lat": event.lat,
                "lon": event.lon,
                "community_id": event.community_id,
                "beat_id": event.beat_id,
                "description": event.words,
                "route": event.route,
                "route_reason": "",
                "is_drill": False,
                "merged_into_id": None,
                "created_by_id": dispatcher_id,
                "reported_at": event.at,
                "dispatched_at": None,
                "acknowledged_at": None,
                "en_route_at": None,
                "on_scene_at": None,
                "feedback_at": None,
                "closed_at": None,
                "evaluated_at": None,
                "close_note": "",
                "evaluation_score": None,
                "evaluation_note": "",
            }
            callers.append(
                {
                    "incident_id": incident_id,
                    "name": "",
                    "phone": phone,
                    "called_at": event.at,
                    "words": event.words,
                    "original_incident_id": incident_id,
                }
            )
            step(
                incident_id,
                event.at,
                "received",
                f"接警：{label(event.code)}，{event.address_text}",
                priority=priority,
                category=event.code,
            )
            if event.route == Route.PATROL.value and units:
                closed = self._patrol_loop(row, event, units, assignments, step)
            else:
                closed = self._diverted_loop(row, event, step)
            row["status"] = IncidentStatus.CLOSED.value
            row["closed_at"] = closed
            row["close_note"] = "处置完毕"
            step(incident_id, closed, "closed", "结警：处置完毕")
            if rng.uniform() < 0.55:
                score = int(rng.choice([3, 4, 4, 5, 5, 5]))
                evaluated = closed + self._delay(6 * 3600, 0.6)
                row.update(
                    status=IncidentStatus.EVALUATED.value,
                    evaluated_at=evaluated,
                    evaluation_score=score,
                )
                step(incident_id, evaluated, "evaluated", f"评估：{score} 分", score=score)
            incidents.append(row)
        return incidents, callers, assignments, timeline

    def _patrol_loop(
        self,
        row: dict[str, Any],
        event: _Event,
        units: list[_Unit],
        assignments: list[dict[str, Any]],
        step: Callable[..., None],
    ) -> datetime:
        incident_id = row["id"]
        unit, free = self._pick_unit(units, event)
        urgent = row["priority"] <= 2
        dispatched = free + self._delay(35 if urgent else 70)
        acknowledged = dispatched + self._delay(18)
        en_route = acknowledged + self._delay(8)
        distance = haversine_m(unit.home[0], unit.home[1], event.lat, event.lon) * 1.3
        speed = {"car": 8.5, "ebike": 5.0, "foot": 1.4}.get(unit.kind, 8.0)
        on_scene = en_route + timedelta(seconds=min(distance / speed, 1800) + 30)
        reported = on_scene + self._delay(25 * 60, 0.6)
        closed = reported + self._delay(8 * 60, 0.6)
        unit.free_at = reported + timedelta(minutes=2)
        self.trips.append((unit.id, dispatched, on_scene, reported, event.lat, event.lon))
        crew = unit.crew_officer_id
        row.update(
            dispatched_at=dispatched,
            acknowledged_at=acknowledged,
            en_route_at=en_route,
            on_scene_at=on_scene,
            feedback_at=reported,
        )
        assignments.append(
            {
                "incident_id": incident_id,
                "unit_id": unit.id,
                "status": AssignmentStatus.REPORTED.value,
                "dispatched_by_id": row["created_by_id"],
                "dispatched_at": dispatched,
                "acknowledged_at": acknowledged,
                "en_route_at": en_route,
                "on_scene_at": on_scene,
                "reported_at": reported,
                "ack_overdue_at": None,
                "instruction": "",
                "feedback": "现场已处置，报告完毕",
            }
        )
        self.report.assignments += 1
        step(incident_id, dispatched, "dispatched", "指令：请迅速赶往现场处置", unit_id=unit.id)
        for kind, at, words in (
            ("acknowledged", acknowledged, "收到"),
            ("en_route", en_route, "出发"),
            ("on_scene", on_scene, "到场"),
            ("reported", reported, "报告完毕：现场已处置"),
        ):
            step(incident_id, at, kind, words, unit_id=unit.id, actor_id=crew)
        return closed

    def _diverted_loop(
        self, row: dict[str, Any], event: _Event, step: Callable[..., None]
    ) -> datetime:
        triaged = event.at + self._delay(90)
        route = Route(event.route)
        reason = {
            Route.COMMUNITY: "属矛盾纠纷/求助，转社区警务队化解",
            Route.CASE_TEAM: "涉案线索，转案件办理队",
            Route.FIRE: "火灾/抢险，转消防救援站",
            Route.PARTNER: "转联动单位处置",
            Route.PATROL: "巡逻处警",
        }[route]
        row["route_reason"] = reason
        step(row["id"], triaged, "triaged", f"分流：{reason}", route=route.value)
        return triaged + self._delay(2 * 3600 if route is not Route.FIRE else 50 * 60, 0.7)

    # -- tracks for replay ----------------------------------------------------------------
    def build_tracks(self, every_s: int = 30) -> list[dict[str, Any]]:
        """Every unit's fixes over the last `track_days` days: patrol drift and trips."""
        if self.track_days <= 0:
            return []
        rows: list[dict[str, Any]] = []
        begin = self.end - timedelta(days=self.track_days)
        steps = int(self.track_days * 86400 / every_s)
        by_unit: dict[int, list[tuple[datetime, datetime, datetime, float, float]]] = {}
        for unit_id, dispatched, on_scene, reported, lat, lon in self.trips:
            if reported >= begin:
                by_unit.setdefault(unit_id, []).append((dispatched, on_scene, reported, lat, lon))
        for unit in self._load_units():
            trips = by_unit.get(unit.id, [])
            starts = [t[0] for t in trips]
            lat, lon = unit.home
            heading = float(self.rng.uniform(0, 2 * math.pi))
            for index in range(steps):
                at = begin + timedelta(seconds=index * every_s)
                trip_index = bisect_left(starts, at) - 1
                trip = trips[trip_index] if trip_index >= 0 else None
                if trip and trip[0] <= at <= trip[2]:
                    dispatched, on_scene, _reported, tlat, tlon = trip
                    if at >= on_scene:
                        lat, lon, speed = tlat, tlon, 0.0
                    else:
                        left = max((on_scene - at).total_seconds(), every_s)
                        share = min(1.0, every_s / left)
                        lat, lon = lat + (tlat - lat) * share, lon + (tlon - lon) * share
                        speed = 8.0
                else:
                    # drift back toward the beat's home while patrolling
                    heading += float(self.rng.normal(0.0, 0.4))
                    step_m = {"car": 90.0, "ebike": 60.0, "foot": 20.0}.get(unit.kind, 60.0)
                    lat += math.cos(heading) * step_m / M_PER_DEG_LAT + (unit.home[0] - lat) * 0.02
                    lon += math.sin(heading) * step_m / M_PER_DEG_LAT + (unit.home[1] - lon) * 0.02
                    speed = step_m / every_s
                    lat = min(max(lat, self.bounds[0]), self.bounds[2])
                    lon = min(max(lon, self.bounds[1]), self.bounds[3])
                rows.append(
                    {
                        "unit_id": unit.id,
                        "at": at,
                        "lat": lat,
                        "lon": lon,
                        "heading": math.degrees(heading) % 360,
                        "speed_mps": speed,
                        "accuracy_m": 8.0,
                        "source": "history",
                        "received_at": at,
                    }
                )
        return rows

    # -- writing ----------------------------------------------------------------------------
    def _insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        for chunk in range(0, len(rows), INSERT_CHUNK):
            part = rows[chunk : chunk + INSERT_CHUNK]
            self.session.execute(insert(model), part)
            self.progress(len(part))

    def run(self, *, dispatcher_id: int | None) -> HistoryReport:
        events = self.draw_events()
        first_id = (self.session.scalar(select(func.max(Incident.id))) or 0) + 1
        incidents, callers, assignments, timeline = self.build_rows(
            events, first_id=first_id, dispatcher_id=dispatcher_id
        )
        tracks = self.build_tracks()
        self.report.incidents = len(incidents)
        self.report.timeline_rows = len(timeline)
        self.report.positions = len(tracks)
        self._insert(Incident, incidents)
        self._insert(IncidentCaller, callers)
        self._insert(Assignment, assignments)
        self._insert(TimelineEntry, timeline)
        self._insert(UnitPosition, tracks)
        self._resync_sequences()
        self.session.flush()
        return self.report

    def _resync_sequences(self) -> None:
        """Explicit ids leave PostgreSQL's sequence behind; move it past them."""
        bind = self.session.get_bind()
        if bind.dialect.name != "postgresql":
            return
        self.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('incidents', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM incidents))"
            )
        )


def yearly_counts(
    rows: Iterable[tuple[str, datetime]], *, end: datetime, prefixes: Sequence[str]
) -> tuple[int, int]:
    """(previous year, last year) counts of incidents whose category starts with a prefix."""
    last_start = end - timedelta(days=365)
    prev_start = end - timedelta(days=730)
    previous = latest = 0
    for code, at in rows:
        if not code.startswith(tuple(prefixes)):
            continue
        moment = at if at.tzinfo else at.replace(tzinfo=UTC)
        if last_start <= moment < end:
            latest += 1
        elif prev_start <= moment < last_start:
            previous += 1
    return previous, latest


def local_hour(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_ZONE).hour
