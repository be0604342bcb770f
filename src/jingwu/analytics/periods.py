"""Reporting periods in the station's local calendar: a day, an ISO week, a month, or any range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise

from jingwu.core.clock import LOCAL_ZONE, to_local, utcnow
from jingwu.core.errors import InvalidInput

MAX_RANGE_DAYS = 3 * 366


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    RANGE = "range"


KIND_LABELS = {
    PeriodKind.DAY: "每日复盘",
    PeriodKind.WEEK: "每周分析",
    PeriodKind.MONTH: "每月总结",
    PeriodKind.RANGE: "专题分析",
}


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE).astimezone(UTC)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Local dates [first, end) — ``end`` is the day after the last day."""

    kind: PeriodKind
    first: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.first).days

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def start_utc(self) -> datetime:
        return _local_midnight_utc(self.first)

    @property
    def end_utc(self) -> datetime:
        return _local_midnight_utc(self.end)

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.DAY:
            return f"{self.first:%Y年%m月%d日}"
        if self.kind is PeriodKind.WEEK:
            year, week, _ = self.first.isocalendar()
            return f"{year}年第{week}周（{self.first:%m.%d}—{self.last:%m.%d}）"
        if self.kind is PeriodKind.MONTH:
            return f"{self.first.year}年{self.first.month}月"
        return f"{self.first:%Y.%m.%d}—{self.last:%Y.%m.%d}"

    def previous(self) -> Period:
        """The period just before (环比)."""
        if self.kind is PeriodKind.MONTH:
            return Period(self.kind, _add_months(self.first, -1), self.first)
        return Period(self.kind, self.first - timedelta(days=self.days), self.first)

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` lengths earlier (negative: later)."""
        if self.kind is PeriodKind.MONTH:
            first = _add_months(self.first, -steps)
            return Period(self.kind, first, _add_months(first, 1))
        delta = timedelta(days=self.days * steps)
        return Period(self.kind, self.first - delta, self.end - delta)

    def year_before(self) -> Period:
        """The same period a year before (同比): same dates; a week keeps its weekdays."""
        if self.kind is PeriodKind.WEEK:
            return Period(
                self.kind, self.first - timedelta(weeks=52), self.end - timedelta(weeks=52)
            )
        if self.kind is PeriodKind.MONTH:
            first = _add_months(self.first, -12)
            return Period(self.kind, first, _add_months(first, 1))
        return Period(self.kind, _year_before(self.first), _year_before(self.end))


def period_of(kind: PeriodKind, anchor: date) -> Period:
    """The day, ISO week or month that contains ``anchor``."""
    if kind is PeriodKind.DAY:
        return Period(kind, anchor, anchor + timedelta(days=1))
    if kind is PeriodKind.WEEK:
        first = anchor - timedelta(days=anchor.weekday())
        return Period(kind, first, first + timedelta(days=7))
    if kind is PeriodKind.MONTH:
        first = anchor.replace(day=1)
        return Period(kind, first, _add_months(first, 1))
    raise InvalidInput("范围请用 check_range / use check_range for ranges", code="bad_period")


def check_range(first: date, last: date) -> Period:
    """Any range of whole local days, both ends included."""
    if last < first:
        raise InvalidInput(
            "结束日期早于开始日期 / the end date is before the start date",
            code="bad_period",
            start=first.isoformat(),
            end=last.isoformat(),
        )
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput(
            f"时间范围最长 {MAX_RANGE_DAYS} 天 / a range spans at most {MAX_RANGE_DAYS} days",
            code="bad_period",
        )
    if first.year < 1990 or last.year > 2200:
        raise InvalidInput("日期超出范围 / date out of range", code="bad_period")
    return Period(PeriodKind.RANGE, first, last + timedelta(days=1))


def last_twelve_months(last: date) -> Period:
    """The twelve months up to and including ``last``: the span of the station's annual figures."""
    check_range(last, last)  # a date out of range is refused before any arithmetic on it
    return check_range(_year_before(last) + timedelta(days=1), last)


def slices(period: Period, count: int) -> list[Period]:
    """``count`` consecutive ranges, as equal as whole days allow, that together make ``period``."""
    edges = [period.first + timedelta(days=period.days * k // count) for k in range(count + 1)]
    return [Period(PeriodKind.RANGE, a, b) for a, b in pairwise(edges) if b > a]


def last_complete(kind: PeriodKind, now: datetime | None = None) -> Period:
    """The most recent period of this kind that has ended (what a scheduled job reports)."""
    today = to_local(now or utcnow()).date()
    return period_of(kind, today).previous()
