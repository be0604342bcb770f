"""The station board (所情看板): each headline figure is a small provider function.

A provider answers for one period; the board asks it for the period, for the same period a
year before and for the eleven periods before (the sparkline). A figure whose provider is
missing — its domain has not been built, or answers nothing — shows "暂无数据" with the
reason, and the board still renders.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingwu.analytics.frame import (
    CODES,
    IS_CRIMINAL,
    IS_EXTREME,
    BoolArray,
    IncidentFrame,
    codes_under,
    load_frame,
)
from jingwu.analytics.models import Commendation, PublicFeedback
from jingwu.analytics.periods import Period, PeriodKind, slices
from jingwu.analytics.stats import pct_change

log = logging.getLogger(__name__)
SPARK_POINTS = 12
# a range this long sparks over its own twelve slices, not over the twelve ranges before it
SLICED_SPARK_DAYS = 90
NO_DATA = "暂无数据"
NUMERATORS = ("numerator", "cleared", "resolved")
DENOMINATORS = ("denominator", "filed", "total")


@dataclass(frozen=True)
class FigureValue:
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""


class FigureContext:
    """One board request: the session, and incidents loaded once for every figure."""

    def __init__(self, session: Session, *, start: datetime, end: datetime) -> None:
        self.session = session
        self._start, self._end = start, end
        self._frame: IncidentFrame | None = None

    def frame(self, period: Period) -> IncidentFrame:
        if period.start_utc < self._start or period.end_utc > self._end:
            return load_frame(self.session, start=period.start_utc, end=period.end_utc)
        if self._frame is None:
            self._frame = load_frame(self.session, start=self._start, end=self._end)
        return self._frame.between(period.start_utc, period.end_utc)


Provider = Callable[[FigureContext, Period], FigureValue | None]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    provider: Provider
    higher_is_better: bool = False
    source: str = "command"
    codes: frozenset[str] = field(default_factory=frozenset)  # incident figures: what to list
    records: str | None = None  # what the drill-down lists: "incidents", "commendations", …


def incident_count(mask: BoolArray) -> Provider:
    def provide(ctx: FigureContext, period: Period) -> FigureValue:
        frame = ctx.frame(period)
        return FigureValue(float(np.count_nonzero(mask[frame.code])))

    return provide


def _commendations(ctx: FigureContext, period: Period) -> FigureValue:
    count = ctx.session.scalar(
        select(func.count(Commendation.id)).where(
            Commendation.received_at >= period.start_utc, Commendation.received_at < period.end_utc
        )
    )
    return FigureValue(float(count or 0))


def _satisfaction(ctx: FigureContext, period: Period) -> FigureValue:
    in_period = (
        PublicFeedback.received_at >= period.start_utc,
        PublicFeedback.received_at < period.end_utc,
    )
    total = ctx.session.scalar(select(func.count(PublicFeedback.id)).where(*in_period)) or 0
    if total == 0:
        return FigureValue(None, 0, 0, "本期无群众评价 / no feedback in this period")
    happy = (
        ctx.session.scalar(
            select(func.count(PublicFeedback.id)).where(*in_period, PublicFeedback.score >= 4)
        )
        or 0
    )
    return FigureValue(happy / total * 100.0, happy, total)


def coerce(result: Any) -> FigureValue | None:
    """Accept what another domain's service may answer: a number, (num, den), or an object."""
    if result is None or isinstance(result, FigureValue):
        return result
    if isinstance(result, bool):
        return None
    if isinstance(result, int | float):
        return FigureValue(float(result))
    if isinstance(result, tuple) and len(result) == 2:
        numerator, denominator = int(result[0]), int(result[1])
        value = numerator / denominator * 100.0 if denominator else None
        return FigureValue(value, numerator, denominator)
    if isinstance(result, dict):
        result = type("_Answer", (), result)
    for attribute in ("rate", "value", "percent"):
        value = getattr(result, attribute, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            num: object = next((getattr(result, n) for n in NUMERATORS if hasattr(result, n)), None)
            den: object = next(
                (getattr(result, n) for n in DENOMINATORS if hasattr(result, n)), None
            )
            rate = float(value) * (100.0 if attribute == "rate" and value <= 1.0 else 1.0)
            return FigureValue(
                rate,
                num if isinstance(num, int) else None,
                den if isinstance(den, int) else None,
            )
    return None


def external(module: str, names: tuple[str, ...], owner: str) -> Provider:
    """A figure another domain computes: ``fn(session, *, start, end)`` if it exists yet."""

    def provide(ctx: FigureContext, period: Period) -> FigureValue | None:
        try:
            target = importlib.import_module(module)
        except ImportError:
            return FigureValue(None, note=f"{owner}模块尚未提供 / {module} is not there yet")
        function = next(
            (getattr(target, n) for n in names if callable(getattr(target, n, None))), None
        )
        if function is None:
            return FigureValue(None, note=f"{owner}模块尚未提供 / {module}.{names[0]} is missing")
        try:
            answer = coerce(function(ctx.session, start=period.start_utc, end=period.end_utc))
        except TypeError:
            log.exception("%s.%s does not take (session, *, start, end)", module, function.__name__)
            return FigureValue(None, note=f"{owner}模块接口不符 / unexpected signature")
        return answer or FigureValue(None, note=NO_DATA)

    return provide


def _codes(mask: BoolArray) -> frozenset[str]:
    return frozenset(code for i, code in enumerate(CODES) if mask[i])


_FRAUD = codes_under("08")
_FIRE = codes_under("06") | codes_under("07")
_ALL = np.ones(len(CODES) + 1, dtype=np.bool_)

FIGURES: tuple[Figure, ...] = (
    Figure(
        "incidents", "警情总量", "起", incident_count(_ALL), codes=_codes(_ALL), records="incidents"
    ),
    Figure(
        "criminal",
        "刑事警情",
        "起",
        incident_count(IS_CRIMINAL),
        codes=_codes(IS_CRIMINAL),
        records="incidents",
    ),
    Figure(
        "telecom_fraud",
        "电信诈骗警情",
        "起",
        incident_count(_FRAUD),
        codes=_codes(_FRAUD),
        records="incidents",
    ),
    Figure(
        "extreme_violence",
        "极端暴力警情",
        "起",
        incident_count(IS_EXTREME),
        codes=_codes(IS_EXTREME),
        records="incidents",
    ),
    Figure(
        "clearance_rate",
        "破案率",
        "%",
        external("jingwu.cases.queries", ("clearance_rate",), "案件"),
        higher_is_better=True,
        source="cases",
    ),
    Figure(
        "dispute_resolution_rate",
        "矛盾纠纷化解率",
        "%",
        external(
            "jingwu.community.disputes",
            ("dispute_resolution_rate",),
            "社区",
        ),
        higher_is_better=True,
        source="community",
    ),
    Figure(
        "fire_rescue",
        "火灾及抢险救援警情",
        "起",
        incident_count(_FIRE),
        codes=_codes(_FIRE),
        records="incidents",
    ),
    Figure(
        "commendations",
        "锦旗及表扬",
        "次",
        _commendations,
        higher_is_better=True,
        source="analytics",
        records="commendations",
    ),
    Figure(
        "satisfaction",
        "群众满意率",
        "%",
        _satisfaction,
        higher_is_better=True,
        source="analytics",
        records="feedback",
    ),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    unit: str
    value: float | None
    year_before: float | None
    change_pct: float | None
    trend: str  # "up" | "down" | "flat" | "none"
    good: bool | None  # is the change good news?
    spark: list[float | None]
    spark_labels: list[str]
    numerator: int | None
    denominator: int | None
    note: str
    source: str
    records: str | None


def _safe(figure: Figure, ctx: FigureContext, period: Period) -> FigureValue:
    try:
        answer = figure.provider(ctx, period)
    except Exception:  # one broken figure must not take the board down
        log.exception("figure %s failed", figure.key)
        return FigureValue(None, note="计算出错，请查看日志 / failed, see the log")
    return answer or FigureValue(None, note=NO_DATA)


def tile_of(figure: Figure, ctx: FigureContext, period: Period) -> Tile:
    now = _safe(figure, ctx, period)
    before = _safe(figure, ctx, period.year_before())
    series = spark_periods(period)
    spark = [now.value if p == period else _safe(figure, ctx, p).value for p in series]
    change = None
    if now.value is not None and before.value is not None:
        change = (
            now.value - before.value if figure.unit == "%" else pct_change(now.value, before.value)
        )
    trend = "none"
    if now.value is not None and before.value is not None:
        trend = "up" if now.value > before.value else "down" if now.value < before.value else "flat"
    good = None if trend in ("none", "flat") else (trend == "up") == figure.higher_is_better
    return Tile(
        key=figure.key,
        label=figure.label,
        unit=figure.unit,
        value=now.value,
        year_before=before.value,
        change_pct=change,
        trend=trend,
        good=good,
        spark=spark,
        spark_labels=[p.first.isoformat() for p in series],
        numerator=now.numerator,
        denominator=now.denominator,
        note=now.note if now.value is None else "",
        source=figure.source,
        records=figure.records,
    )


def spark_periods(period: Period) -> list[Period]:
    """The sparkline's points: the twelve periods up to this one, or a long range in slices."""
    if period.kind is PeriodKind.RANGE and period.days >= SLICED_SPARK_DAYS:
        return slices(period, SPARK_POINTS)
    return [period.shifted(k) for k in range(SPARK_POINTS - 1, -1, -1)]


def board(session: Session, *, period: Period) -> list[Tile]:
    """Every headline figure for the period, against the same period a year before."""
    earliest = min(spark_periods(period)[0].start_utc, period.year_before().start_utc)
    ctx = FigureContext(session, start=earliest, end=period.end_utc)
    return [tile_of(figure, ctx, period) for figure in FIGURES]
