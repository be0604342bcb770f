"""每天一复盘，每周一分析，每月一总结: the review of a period, computed from the records.

:func:`compute_review` is pure (a frame in, a review out) so that it can be benchmarked and
tested on generated data; :func:`build_review` loads what it needs from the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.analytics import figures
from jingwu.analytics.frame import (
    CODE_INDEX,
    CODES,
    IS_CRIMINAL,
    TOP_CODES,
    IncidentFrame,
    codes_under,
    load_frame,
)
from jingwu.analytics.periods import KIND_LABELS, Period, PeriodKind
from jingwu.analytics.schemas import CountRow, KeyIncident, PlaceRow, ReviewOut, TileOut
from jingwu.analytics.stats import baseline_of, pct_change, poisson_rise
from jingwu.command.categories import CATEGORIES
from jingwu.command.models import Incident
from jingwu.core.clock import utcnow
from jingwu.core.geo import EARTH_RADIUS_M, haversine_m
from jingwu.places.models import Beat, Community, KeySite

REFERENCE_PERIODS = 4  # the periods just before that, with the year before, make the baseline
HISTORY_POINTS = 12
NEAR_SITE_M = 600.0
CONCENTRATED_SHARE = 0.4
NOTABLE_CHANGE_PCT = 20.0
MIN_COUNT_FOR_HIGHLIGHT = 3
STATION_NAME = "雷锋派出所"


@dataclass(frozen=True)
class Places:
    beats: dict[int, str]
    communities: dict[int, str]
    sites: list[tuple[str, float, float]]  # name, lat, lon


def load_places(session: Session) -> Places:
    return Places(
        beats=dict(session.execute(select(Beat.id, Beat.name)).all()),
        communities=dict(session.execute(select(Community.id, Community.name)).all()),
        sites=[
            (n, a, o) for n, a, o in session.execute(select(KeySite.name, KeySite.lat, KeySite.lon))
        ],
    )


def _periods(period: Period) -> tuple[Period, list[Period], Period]:
    return (
        period,
        [period.shifted(k) for k in range(1, REFERENCE_PERIODS + 1)],
        period.year_before(),
    )


def span_of(period: Period) -> tuple[Period, Period]:
    """The earliest and the latest period a review reads."""
    earliest = min(period.shifted(HISTORY_POINTS - 1), period.year_before(), key=lambda p: p.first)
    return earliest, period


def _name(code: str) -> str:
    return CATEGORIES[code].name


def _count_rows(
    keys: list[str],
    masks: list[np.ndarray],
    now: np.ndarray,
    prev: np.ndarray,
    refs: list[np.ndarray],
    yoy: np.ndarray,
    tests: int,
) -> list[CountRow]:
    """One row per category; ``now``, ``prev``, ``refs``, ``yoy`` are incidents per code."""
    rows = []
    for key, mask in zip(keys, masks, strict=True):
        count = int(now[mask].sum())
        previous = int(prev[mask].sum())
        year_before = int(yoy[mask].sum())
        reference = [float(r[mask].sum()) for r in refs] + [float(year_before)]
        rise = poisson_rise(count, baseline_of(reference), tests=tests)
        rows.append(
            CountRow(
                key=key,
                name=_name(key),
                count=count,
                previous=previous,
                year_before=year_before,
                change_prev_pct=pct_change(count, previous),
                change_yoy_pct=pct_change(count, year_before),
                baseline=round(rise.baseline, 2),
                z=round(rise.z, 2),
                p_value=rise.p_value,
                unusual=rise.unusual,
            )
        )
    return rows


def _per_place(ids: np.ndarray, size: int) -> np.ndarray:
    """Incidents per place id 0 … size - 1 (place ids are small database keys)."""
    known = ids[(ids >= 0) & (ids < size)]
    return np.bincount(known, minlength=size)


def _place_rows(
    ids: np.ndarray,
    names: dict[int, str],
    now: IncidentFrame,
    prev_ids: np.ndarray,
    yoy_ids: np.ndarray,
) -> list[PlaceRow]:
    total = max(len(now), 1)
    keys = np.array(sorted(names), dtype=np.int64)
    size = int(keys.max()) + 1 if keys.size else 0
    counts = _per_place(ids, size)
    previous = _per_place(prev_ids, size)
    year_before = _per_place(yoy_ids, size)
    # the most frequent top category of each place: one bincount over (place, category) pairs
    width = len(TOP_CODES) + 1
    known = (ids >= 0) & (ids < size)
    by_top = np.bincount(ids[known] * width + now.top[known], minlength=size * width)
    by_top = by_top.reshape(size, width)
    rows = []
    for place_id in keys.tolist():
        count = int(counts[place_id])
        top = ""
        if count:
            best = int(by_top[place_id].argmax())
            top = _name(TOP_CODES[best]) if best < len(TOP_CODES) else ""
        rows.append(
            PlaceRow(
                key=str(place_id),
                name=names[place_id],
                count=count,
                previous=int(previous[place_id]),
                year_before=int(year_before[place_id]),
                share_pct=round(count / total * 100.0, 1),
                top_category=top,
            )
        )
    rows.sort(key=lambda r: -r.count)
    return rows


def haversine_m_array(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    """:func:`jingwu.core.geo.haversine_m` from many points to one, vectorised."""
    p1, p2 = np.radians(lat), math.radians(lat0)
    dp, dl = p2 - p1, np.radians(lon0 - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dl / 2) ** 2
    result: np.ndarray = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return result


def _where(frame: IncidentFrame, mask: np.ndarray, places: Places) -> str:
    """Where the incidents ``mask`` picks concentrate: near a key site, or in one community."""
    picked = int(np.count_nonzero(mask))
    if not picked:
        return ""
    lat, lon = frame.lat[mask], frame.lon[mask]
    located = ~np.isnan(lat)
    if np.count_nonzero(located) >= 2 and places.sites:
        lat, lon = lat[located], lon[located]
        mid_lat, mid_lon = float(np.median(lat)), float(np.median(lon))
        name, dist = min(
            ((n, haversine_m(mid_lat, mid_lon, a, o)) for n, a, o in places.sites),
            key=lambda s: s[1],
        )
        if dist <= NEAR_SITE_M:
            near = haversine_m_array(lat, lon, mid_lat, mid_lon) <= NEAR_SITE_M * 1.5
            if np.mean(near) >= CONCENTRATED_SHARE:
                return f"，集中在{name}周边"
    community = frame.community[mask]
    known = community[community >= 0]
    if known.size:
        counts = np.bincount(known)
        top = int(counts.argmax())  # the lowest id among equals, as np.unique would give
        if counts[top] / picked >= CONCENTRATED_SHARE and top in places.communities:
            return f"，集中在{places.communities[top]}"
    return ""


def _direction(change: float) -> str:
    return "上升" if change > 0 else "下降"


def _highlights(
    review_total: tuple[int, int, int],
    rows: list[CountRow],
    now: IncidentFrame,
    places: Places,
    hours: np.ndarray,
    beats: list[PlaceRow],
    prev_label: str,
) -> list[str]:
    total, previous, year_before = review_total
    lines: list[str] = []
    parts = [f"本期共接报有效警情{total}起"]
    for word, before in ((prev_label, previous), ("同比", year_before)):
        change = pct_change(total, before)
        if change is not None:
            parts.append(
                f"{word}{_direction(change)}{abs(change):.0f}%" if round(change) else f"{word}持平"
            )
    lines.append("，".join(parts) + "。")
    for row in sorted(rows, key=lambda r: -abs(r.change_prev_pct or 0.0)):
        change = row.change_prev_pct
        if row.unusual:
            mask = codes_under(row.key)[now.code]
            lines.append(
                f"{row.name}警情{row.count}起，显著高于基线{row.baseline:.1f}起"
                f"（泊松检验 p={row.p_value:.3g}）{_where(now, mask, places)}，建议重点关注。"
            )
        elif (
            change is not None
            and abs(change) >= NOTABLE_CHANGE_PCT
            and max(row.count, row.previous) >= MIN_COUNT_FOR_HIGHLIGHT
        ):
            mask = codes_under(row.key)[now.code]
            where = _where(now, mask, places) if change > 0 else ""
            lines.append(
                f"{row.name}警情{prev_label}{_direction(change)}{abs(change):.0f}%{where}。"
            )
        if len(lines) >= 7:
            break
    if total >= 10:
        window = np.array([hours[h] + hours[(h + 1) % 24] + hours[(h + 2) % 24] for h in range(24)])
        start = int(window.argmax())
        lines.append(
            f"警情高发时段为{start}时至{(start + 3) % 24}时，占{window[start] / total * 100:.0f}%。"
        )
    if beats and beats[0].count:
        lines.append(f"{beats[0].name}警情最多，{beats[0].count}起，占{beats[0].share_pct:.0f}%。")
    if total == 0:
        lines = ["本期无有效警情记录。"]
    return lines


def _trend(frame: IncidentFrame, period: Period) -> tuple[list[str], list[int]]:
    if period.days == 1:
        counts = np.bincount(frame.local_hours(), minlength=24)
        return [f"{h:02d}时" for h in range(24)], [int(c) for c in counts]
    first_day = (period.first - date(1970, 1, 1)).days
    offsets = frame.local_days() - first_day
    counts = np.bincount(offsets[(offsets >= 0) & (offsets < period.days)], minlength=period.days)
    labels = [f"{period.first + timedelta(days=d):%m-%d}" for d in range(period.days)]
    return labels, [int(c) for c in counts]


def _key_incidents(
    frame: IncidentFrame, session: Session | None, limit: int = 30
) -> list[KeyIncident]:
    if session is None or len(frame) == 0:
        return []
    serious = frame.ids[IS_CRIMINAL[frame.code]]
    if serious.size == 0:
        return []
    ids = [int(i) for i in serious[-500:]]
    rows = session.scalars(
        select(Incident)
        .where(Incident.id.in_(ids))
        .order_by(Incident.priority, Incident.reported_at.desc())
        .limit(limit)
    ).all()
    return [
        KeyIncident(
            id=r.id,
            number=r.number,
            at=r.reported_at,
            category=_label(r.category_code),
            place=r.address_text,
            priority=r.priority,
        )
        for r in rows
    ]


def _label(code: str) -> str:
    category = CATEGORIES.get(code)
    if category is None:
        return code
    return (
        f"{CATEGORIES[category.parent].name}·{category.name}" if category.parent else category.name
    )


def compute_review(
    frame: IncidentFrame,
    period: Period,
    *,
    places: Places,
    session: Session | None = None,
    tiles: list[TileOut] | None = None,
) -> ReviewOut:
    """The review of ``period`` from a frame that covers :func:`span_of` the period."""
    current, references, year_before = _periods(period)
    now = frame.between(current.start_utc, current.end_utc)
    refs = [frame.between(p.start_utc, p.end_utc) for p in references]
    prev = refs[0]
    yoy = frame.between(year_before.start_utc, year_before.end_utc)
    ref_codes = [r.code_counts() for r in refs]  # incidents per code: every count reads these

    top_keys = list(TOP_CODES)
    sub_keys = [c for c in CODES if CATEGORIES[c].parent and CATEGORIES[c].criminal]
    tests = len(top_keys) + len(sub_keys)
    counts = (now.code_counts(), ref_codes[0], ref_codes, yoy.code_counts(), tests)
    categories = _count_rows(top_keys, [codes_under(k) for k in top_keys], *counts)
    subtypes = _count_rows(sub_keys, [codes_under(k) for k in sub_keys], *counts)
    for row in categories + subtypes:
        row.records_url = (
            f"/analytics/records?category={row.key}&start={period.first}&end={period.last}"
        )
    categories = [r for r in categories if r.count or r.previous or r.year_before]
    subtypes = [r for r in subtypes if r.count or r.previous or r.year_before]

    hours = np.bincount(now.local_hours(), minlength=24)
    ref_hours = np.zeros(24)
    for ref in refs:
        ref_hours += np.bincount(ref.local_hours(), minlength=24)
    ref_hours /= max(len(refs), 1)

    heat_period = (
        period
        if period.days >= 7
        else Period(PeriodKind.RANGE, period.end - timedelta(days=28), period.end)
    )
    heat_frame = frame.between(heat_period.start_utc, heat_period.end_utc)
    heat = np.bincount(heat_frame.local_weekday_hours(), minlength=7 * 24).reshape(7, 24)

    beats = _place_rows(now.beat, places.beats, now, prev.beat, yoy.beat)
    communities = _place_rows(now.community, places.communities, now, prev.community, yoy.community)

    trend_labels, trend = _trend(now, current)
    prev_period = current.previous()
    _, trend_previous = _trend(
        frame.between(prev_period.start_utc, prev_period.end_utc), prev_period
    )
    history_periods = [period.shifted(k) for k in range(HISTORY_POINTS - 1, -1, -1)]
    history = [frame.count_between(p.start_utc, p.end_utc) for p in history_periods]

    prev_label = "环比" if period.kind is not PeriodKind.DAY else "较前一日"
    all_rows = categories + subtypes
    highlights = _highlights(
        (len(now), len(prev), len(yoy)), all_rows, now, places, hours, beats, prev_label
    )
    return ReviewOut(
        kind=period.kind.value,
        title=f"{STATION_NAME}{KIND_LABELS[period.kind]}",
        period_label=period.label,
        first=period.first,
        last=period.last,
        generated_at=utcnow(),
        total=len(now),
        previous_total=len(prev),
        year_before_total=len(yoy),
        change_prev_pct=pct_change(len(now), len(prev)),
        change_yoy_pct=pct_change(len(now), len(yoy)),
        highlights=highlights,
        unusual=[r for r in all_rows if r.unusual],
        categories=categories,
        subtypes=subtypes,
        beats=beats,
        communities=communities,
        hours=[int(h) for h in hours],
        hours_reference=[round(float(h), 2) for h in ref_hours],
        heat=[[int(v) for v in row] for row in heat],
        heat_days=heat_period.days,
        trend_labels=trend_labels,
        trend=trend,
        trend_previous=trend_previous,
        history_labels=[p.first.isoformat() for p in history_periods],
        history=history,
        key_incidents=_key_incidents(now, session),
        tiles=tiles or [],
    )


def build_review(session: Session, *, period: Period, with_board: bool = True) -> ReviewOut:
    earliest, latest = span_of(period)
    frame = load_frame(session, start=earliest.start_utc, end=latest.end_utc)
    tiles = [tile_out(t) for t in figures.board(session, period=period)] if with_board else []
    return compute_review(frame, period, places=load_places(session), session=session, tiles=tiles)


def tile_out(tile: figures.Tile) -> TileOut:
    url = None
    if tile.records:
        url = f"/analytics/records?figure={tile.key}"
    return TileOut(
        key=tile.key,
        label=tile.label,
        unit=tile.unit,
        value=None if tile.value is None else round(tile.value, 2),
        year_before=None if tile.year_before is None else round(tile.year_before, 2),
        change=None if tile.change_pct is None else round(tile.change_pct, 1),
        change_unit="pp" if tile.unit == "%" else "%",
        trend=tile.trend,
        good=tile.good,
        spark=[None if v is None else round(v, 2) for v in tile.spark],
        spark_labels=tile.spark_labels,
        numerator=tile.numerator,
        denominator=tile.denominator,
        note=tile.note,
        source=tile.source,
        records_url=url,
    )


__all__ = [
    "CODE_INDEX",
    "Places",
    "build_review",
    "compute_review",
    "load_places",
    "span_of",
    "tile_out",
]
