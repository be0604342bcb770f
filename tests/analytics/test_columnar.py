"""The review over columns: time-ordered frames (binary search) and any order (scan) agree."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import numpy as np

from jingwu.analytics.frame import CODES, IncidentFrame
from jingwu.analytics.periods import PeriodKind, period_of
from jingwu.analytics.reviews import Places, compute_review, span_of
from jingwu.core.clock import LOCAL_ZONE


def _frame(rows: int, seed: int) -> IncidentFrame:
    rng = np.random.default_rng(seed)
    period = period_of(PeriodKind.MONTH, date(2026, 3, 1))
    earliest, _ = span_of(period)
    t = rng.uniform(earliest.start_utc.timestamp(), period.end_utc.timestamp(), rows)
    t = np.sort(np.floor(t))
    community = rng.integers(1, 5, rows)
    lat = 28.21 + community * 0.004 + rng.normal(0, 0.001, rows)
    lat[rng.random(rows) < 0.05] = np.nan
    return IncidentFrame(
        ids=np.arange(1, rows + 1, dtype=np.int64),
        t=t,
        code=rng.integers(0, len(CODES) + 1, rows).astype(np.int64),
        lat=lat,
        lon=112.90 + community * 0.004 + rng.normal(0, 0.001, rows),
        beat=np.where(rng.random(rows) < 0.1, -1, community % 2 + 1).astype(np.int64),
        community=community.astype(np.int64),
    )


def test_sorted_and_shuffled_frames_give_the_same_review() -> None:
    frame = _frame(20_000, seed=3)
    assert frame.time_sorted
    order = np.random.default_rng(4).permutation(len(frame))
    shuffled = IncidentFrame(
        frame.ids[order],
        frame.t[order],
        frame.code[order],
        frame.lat[order],
        frame.lon[order],
        frame.beat[order],
        frame.community[order],
    )
    assert not shuffled.time_sorted
    period = period_of(PeriodKind.MONTH, date(2026, 3, 1))
    places = Places(
        beats={1: "一区", 2: "二区"},
        communities={i: f"社区{i}" for i in range(1, 5)},
        sites=[("谢家桥站", 28.222, 112.912)],
    )
    a = compute_review(frame, period, places=places).model_dump(exclude={"generated_at"})
    b = compute_review(shuffled, period, places=places).model_dump(exclude={"generated_at"})
    assert a == b

    # the 24-hour curve and heat map, counted one incident at a time
    now = frame.between(period.start_utc, period.end_utc)
    local = [datetime.fromtimestamp(float(t), LOCAL_ZONE) for t in now.t]
    hours = Counter(d.hour for d in local)
    assert a["hours"] == [hours[h] for h in range(24)]
    cells = Counter((d.weekday(), d.hour) for d in local)
    assert a["heat"] == [[cells[(w, h)] for h in range(24)] for w in range(7)]
    assert a["total"] == len(local) == now.count_between(period.start_utc, period.end_utc)
    beats = {r["key"]: r["count"] for r in a["beats"]}
    assert beats == {str(b): int(np.count_nonzero(now.beat == b)) for b in (1, 2)}
