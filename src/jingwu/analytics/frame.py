"""Incidents as columns (NumPy arrays): the one shape every figure, chart and model reads.

Drills and incidents merged into another are never counted: a drill is not a call from the
public, and a merged duplicate is already counted in the incident it joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.command.categories import CATEGORIES, EXTREME_VIOLENCE
from jingwu.command.models import Incident
from jingwu.core.clock import LOCAL_ZONE, as_utc

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CODES: tuple[str, ...] = tuple(sorted(CATEGORIES))
CODE_INDEX = {code: i for i, code in enumerate(CODES)}
TOP_CODES: tuple[str, ...] = tuple(c for c in CODES if CATEGORIES[c].parent is None)
TOP_INDEX = {code: i for i, code in enumerate(TOP_CODES)}
UNKNOWN_CODE = len(CODES)


def _code_table(pick: set[str]) -> BoolArray:
    table = np.zeros(len(CODES) + 1, dtype=np.bool_)
    for code in pick:
        table[CODE_INDEX[code]] = True
    return table


CODE_TO_TOP: IntArray = np.array(
    [TOP_INDEX[CATEGORIES[c].parent or c] for c in CODES] + [len(TOP_CODES)], dtype=np.int64
)
IS_CRIMINAL = _code_table({c for c in CODES if CATEGORIES[c].criminal})
IS_EXTREME = _code_table(set(EXTREME_VIOLENCE))


def codes_under(prefix: str) -> BoolArray:
    """Which codes a filter like ``01`` (a top category) or ``0101`` (a subtype) selects."""
    return _code_table({c for c in CODES if c.startswith(prefix)})


@dataclass(frozen=True)
class IncidentFrame:
    """Parallel columns, one row per incident.

    Rows in time order (what :func:`load_frame` gives) let :meth:`between` cut a period out by
    binary search, as views; a frame in any other order still works, by a scan.
    """

    ids: IntArray
    t: FloatArray  # UTC epoch seconds
    code: IntArray  # index into CODES, UNKNOWN_CODE for codes not in the table
    lat: FloatArray  # NaN where unknown
    lon: FloatArray
    beat: IntArray  # -1 where none
    community: IntArray  # -1 where none
    time_sorted: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        t = self.t
        object.__setattr__(self, "time_sorted", bool(t.size < 2 or np.all(t[1:] >= t[:-1])))

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def where(self, mask: BoolArray) -> IncidentFrame:
        return IncidentFrame(
            self.ids[mask],
            self.t[mask],
            self.code[mask],
            self.lat[mask],
            self.lon[mask],
            self.beat[mask],
            self.community[mask],
        )

    def rows(self, first: int, stop: int) -> IncidentFrame:
        """Rows ``first`` to ``stop`` (views, no copy)."""
        cut = slice(first, stop)
        return IncidentFrame(
            self.ids[cut],
            self.t[cut],
            self.code[cut],
            self.lat[cut],
            self.lon[cut],
            self.beat[cut],
            self.community[cut],
        )

    def between(self, start: datetime, end: datetime) -> IncidentFrame:
        lo, hi = as_utc(start).timestamp(), as_utc(end).timestamp()
        if self.time_sorted:
            first, stop = np.searchsorted(self.t, (lo, hi), side="left")
            return self.rows(int(first), int(stop))
        return self.where((self.t >= lo) & (self.t < hi))

    def count_between(self, start: datetime, end: datetime) -> int:
        if self.time_sorted:
            lo, hi = as_utc(start).timestamp(), as_utc(end).timestamp()
            first, stop = np.searchsorted(self.t, (lo, hi), side="left")
            return int(stop - first)
        return len(self.between(start, end))

    def code_counts(self) -> IntArray:
        """Incidents per code index (the last slot: codes not in the table)."""
        return np.bincount(self.code, minlength=len(CODES) + 1).astype(np.int64)

    @property
    def top(self) -> IntArray:
        return CODE_TO_TOP[self.code]

    def _local_seconds(self) -> IntArray:
        # whole seconds on the local clock; integer arithmetic from here on is exact and fast
        return np.floor(self.t + _utc_offset_s()).astype(np.int64)

    def local_hours(self) -> IntArray:
        return self._local_seconds() // 3600 % 24

    def local_weekdays(self) -> IntArray:
        """Monday 0 … Sunday 6 (1970-01-01 was a Thursday)."""
        return (self._local_seconds() // 86400 + 3) % 7

    def local_weekday_hours(self) -> IntArray:
        """Weekday × 24 + hour: the cell of the weekday × hour heat map."""
        seconds = self._local_seconds()
        return (seconds // 86400 + 3) % 7 * 24 + seconds // 3600 % 24

    def local_days(self) -> IntArray:
        """Days since 1970-01-01 in local time."""
        return self._local_seconds() // 86400


def _utc_offset_s() -> float:
    # China keeps one offset all year; a station in a zone with summer time would need per-row offsets
    offset = datetime(2000, 1, 1, tzinfo=LOCAL_ZONE).utcoffset()
    return offset.total_seconds() if offset else 0.0


def empty_frame() -> IncidentFrame:
    f = np.zeros(0, dtype=np.float64)
    i = np.zeros(0, dtype=np.int64)
    return IncidentFrame(i, f, i, f, f, i, i)


def from_columns(
    *,
    ids: list[int],
    times: list[datetime],
    codes: list[str],
    lats: list[float | None],
    lons: list[float | None],
    beats: list[int | None],
    communities: list[int | None],
) -> IncidentFrame:
    return IncidentFrame(
        ids=np.asarray(ids, dtype=np.int64),
        t=np.asarray([as_utc(t).timestamp() for t in times], dtype=np.float64),
        code=np.asarray([CODE_INDEX.get(c, UNKNOWN_CODE) for c in codes], dtype=np.int64),
        lat=np.asarray([np.nan if v is None else v for v in lats], dtype=np.float64),
        lon=np.asarray([np.nan if v is None else v for v in lons], dtype=np.float64),
        beat=np.asarray([-1 if v is None else v for v in beats], dtype=np.int64),
        community=np.asarray([-1 if v is None else v for v in communities], dtype=np.int64),
    )


def load_frame(session: Session, *, start: datetime, end: datetime) -> IncidentFrame:
    """Every counted incident reported in [start, end)."""
    rows = session.execute(
        select(
            Incident.id,
            Incident.reported_at,
            Incident.category_code,
            Incident.lat,
            Incident.lon,
            Incident.beat_id,
            Incident.community_id,
        )
        .where(
            Incident.reported_at >= start,
            Incident.reported_at < end,
            Incident.is_drill.is_(False),
            Incident.merged_into_id.is_(None),
        )
        .order_by(Incident.reported_at, Incident.id)
    ).all()
    if not rows:
        return empty_frame()
    ids, times, codes, lats, lons, beats, communities = (list(c) for c in zip(*rows, strict=True))
    return from_columns(
        ids=ids,
        times=times,
        codes=codes,
        lats=lats,
        lons=lons,
        beats=beats,
        communities=communities,
    )
