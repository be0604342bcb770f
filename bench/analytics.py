"""The monthly summary (每月总结) over 5 million incidents: the product against plain pandas.

Generates ``--rows`` synthetic incidents (NumPy, columnar) spread over the 13 months a monthly
summary reads (the month, the 11 before it for the trend, the same month a year before), with a
24-hour curve, a weekday effect, 46 category codes, 30 communities in 8 beats, 3 % without a
location, and a burst of burglaries near a key site in the reported month (so a rise is flagged
and a highlight names the place).

Timed: ``jingwu.analytics.reviews.compute_review`` — the function the review page, the PDF and
the XLSX call — on the frame (``summary_s``, best of ``--repeat``). Beside it, the same figures
computed with idiomatic pandas (groupby / value_counts / crosstab over a DataFrame with a
tz-aware datetime column), timed the same way; the bench asserts that both agree on every
figure: totals, category and subtype rows (counts, baselines, p-values, unusual flags), beats
and communities, 24-hour curve and its reference, weekday × hour heat map, daily trend,
12-month history and the highlights.

Last line: one JSON object. ``--quick``: 500 000 rows.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import poisson

from jingwu.analytics import reviews
from jingwu.analytics.frame import CODES, TOP_CODES, IncidentFrame
from jingwu.analytics.periods import PeriodKind, period_of
from jingwu.analytics.stats import ALPHA, MIN_BASELINE
from jingwu.command.categories import CATEGORIES

MONTH = date(2026, 10, 1)
CENTRE = (28.2135, 112.9012)  # the Leifeng jurisdiction, Changsha
N_BEATS, N_COMMUNITIES = 8, 30
SITE = ("地铁6号线谢家桥站", 28.2201, 112.8947)
BURGLARY = "0101"


# --------------------------------------------------------------------------- data


def places() -> reviews.Places:
    return reviews.Places(
        beats={b + 1: f"第{b + 1}警务区" for b in range(N_BEATS)},
        communities={100 + c: f"社区{c + 1:02d}" for c in range(N_COMMUNITIES)},
        sites=[SITE, ("雷锋纪念馆", 28.2050, 112.9100), ("梅溪湖公园", 28.1950, 112.8900)],
    )


def generate(rows: int, seed: int = 7) -> IncidentFrame:
    rng = np.random.default_rng(seed)
    period = period_of(PeriodKind.MONTH, MONTH)
    earliest, _ = reviews.span_of(period)
    t0, t1 = earliest.start_utc.timestamp(), period.end_utc.timestamp()
    burst = rows // 400  # burglaries near the site in the reported month
    n = rows - burst
    # a day-level rate that grows a little over the year, then the hour of day from a curve
    days = int((t1 - t0) // 86400)
    day_weight = np.where((np.arange(days) + 3) % 7 >= 4, 1.1, 1.0)  # Fri-Sun busier
    day = rng.choice(days, size=n, p=day_weight / day_weight.sum())
    hour_curve = 0.4 + np.sin((np.arange(24) - 9) / 24 * 2 * np.pi) ** 2 + (np.arange(24) >= 19)
    hour = rng.choice(24, size=n, p=hour_curve / hour_curve.sum())
    t = t0 + day * 86400.0 + hour * 3600.0 + rng.uniform(0, 3600, size=n)
    weights = np.array([3.0 if len(c) == 4 else 1.0 for c in CODES])
    weights[CODES.index("0801")] = 8.0
    code = rng.choice(len(CODES), size=n, p=weights / weights.sum())
    community = rng.integers(0, N_COMMUNITIES, size=n)
    lat = CENTRE[0] + (community % 6 - 2.5) * 0.006 + rng.normal(0, 0.002, size=n)
    lon = CENTRE[1] + (community // 6 - 2.0) * 0.007 + rng.normal(0, 0.002, size=n)
    # the burst
    bt = rng.uniform(period.start_utc.timestamp(), t1, size=burst)
    blat = SITE[1] + rng.normal(0, 0.002, size=burst)
    blon = SITE[2] + rng.normal(0, 0.002, size=burst)
    bcommunity = rng.integers(0, 3, size=burst)
    t = np.concatenate([t, bt])
    code = np.concatenate([code, np.full(burst, CODES.index(BURGLARY))])
    lat, lon = np.concatenate([lat, blat]), np.concatenate([lon, blon])
    community = np.concatenate([community, bcommunity])
    beat = community % N_BEATS + 1
    community = community + 100
    unplaced = rng.random(t.size) < 0.03
    lat[unplaced], lon[unplaced] = np.nan, np.nan
    beat[rng.random(t.size) < 0.02] = -1
    order = np.argsort(t, kind="stable")
    return IncidentFrame(
        ids=np.arange(1, t.size + 1, dtype=np.int64),
        t=t[order],
        code=code[order].astype(np.int64),
        lat=lat[order],
        lon=lon[order],
        beat=beat[order].astype(np.int64),
        community=community[order].astype(np.int64),
    )


def to_pandas(frame: IncidentFrame) -> pd.DataFrame:
    """What a pandas user would start from: one DataFrame, a tz-aware datetime column."""
    return pd.DataFrame(
        {
            "id": frame.ids,
            "reported_at": pd.to_datetime(frame.t, unit="s", utc=True),
            "category_code": pd.Categorical.from_codes(
                np.where(frame.code < len(CODES), frame.code, -1), categories=list(CODES)
            ),
            "lat": frame.lat,
            "lon": frame.lon,
            "beat_id": frame.beat,
            "community_id": frame.community,
        }
    )


# --------------------------------------------------------------------------- pandas baseline

TZ = "Asia/Shanghai"
TOP_NAMES = {c: CATEGORIES[c].name for c in CODES}
SUB_KEYS = [c for c in CODES if CATEGORIES[c].parent and CATEGORIES[c].criminal]


def _pct(current: float, before: float) -> float | None:
    return None if before == 0 else (current - before) / before * 100.0


def _haversine(lat: Any, lon: Any, lat0: float, lon0: float) -> Any:
    p1, p2 = np.radians(lat), math.radians(lat0)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * math.cos(p2) * np.sin(np.radians(lon0 - lon) / 2) ** 2
    )
    return 2 * 6_371_008.8 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def pandas_review(df: pd.DataFrame, where: reviews.Places) -> dict[str, Any]:
    """The monthly summary's figures, the way an analyst would write them with pandas."""
    period = period_of(PeriodKind.MONTH, MONTH)
    refs_p = [period.shifted(k) for k in range(1, reviews.REFERENCE_PERIODS + 1)]

    def cut(p: Any) -> pd.DataFrame:
        at = df["reported_at"]
        return df[(at >= pd.Timestamp(p.start_utc)) & (at < pd.Timestamp(p.end_utc))]

    now, refs, yoy = cut(period), [cut(p) for p in refs_p], cut(period.year_before())
    prev = refs[0]
    frames = [now, prev, *refs, yoy]

    # categories: top categories by the code's first two digits, criminal subtypes by code
    def by_top(d: pd.DataFrame) -> pd.Series:
        return (
            d["category_code"].astype(str).str[:2].value_counts().reindex(TOP_CODES, fill_value=0)
        )

    def by_sub(d: pd.DataFrame) -> pd.Series:
        return d["category_code"].value_counts().reindex(SUB_KEYS, fill_value=0)

    tests = len(TOP_CODES) + len(SUB_KEYS)
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, counter in (("categories", by_top), ("subtypes", by_sub)):
        table = pd.concat([counter(d) for d in frames], axis=1)
        table.columns = ["count", "previous", *[f"ref{i}" for i in range(len(refs))], "yoy"]
        reference = table[[*[f"ref{i}" for i in range(len(refs))], "yoy"]].mean(axis=1)
        table["baseline"] = reference.clip(lower=MIN_BASELINE)
        table["p"] = np.where(
            table["count"] > 0, poisson.sf(table["count"] - 1, table["baseline"]), 1.0
        )
        table["unusual"] = (table["count"] > table["baseline"]) & (table["p"] < ALPHA / tests)
        table = table[(table["count"] > 0) | (table["previous"] > 0) | (table["yoy"] > 0)]
        rows[name] = [
            {
                "key": key,
                "count": int(r["count"]),
                "previous": int(r["previous"]),
                "year_before": int(r["yoy"]),
                "baseline": round(float(r["baseline"]), 2),
                "p_value": float(r["p"]),
                "unusual": bool(r["unusual"]),
            }
            for key, r in table.iterrows()
        ]

    def places_of(column: str, names: dict[int, str]) -> list[dict[str, Any]]:
        keys = sorted(names)
        counts = pd.concat(
            [d.groupby(column).size().reindex(keys, fill_value=0) for d in (now, prev, yoy)],
            axis=1,
            keys=["count", "previous", "yoy"],
        )
        tops = (
            now.assign(top=now["category_code"].astype(str).str[:2])
            .groupby([column, "top"])
            .size()
            .unstack(fill_value=0)
            .reindex(index=keys, columns=list(TOP_CODES), fill_value=0)
        )
        counts["top"] = [
            TOP_NAMES[str(tops.loc[k].idxmax())] if counts.loc[k, "count"] else "" for k in keys
        ]
        counts = counts.sort_values("count", ascending=False, kind="stable")
        total = max(len(now), 1)
        return [
            {
                "key": str(k),
                "name": names[k],
                "count": int(r["count"]),
                "previous": int(r["previous"]),
                "year_before": int(r["yoy"]),
                "share_pct": round(int(r["count"]) / total * 100.0, 1),
                "top_category": r["top"],
            }
            for k, r in counts.iterrows()
        ]

    def local(d: pd.DataFrame) -> pd.Series:
        return d["reported_at"].dt.tz_convert(TZ)

    def hour_counts(d: pd.DataFrame) -> pd.Series:
        return local(d).dt.hour.value_counts().reindex(range(24), fill_value=0)

    hours = hour_counts(now)
    hours_reference = pd.concat([hour_counts(d) for d in refs], axis=1).mean(axis=1)
    at = local(now)
    heat = pd.crosstab(at.dt.day_of_week, at.dt.hour).reindex(
        index=range(7), columns=range(24), fill_value=0
    )

    def daily(d: pd.DataFrame, days: int) -> list[int]:
        return [
            int(v) for v in local(d).dt.day.value_counts().reindex(range(1, days + 1), fill_value=0)
        ]

    before = period.previous()
    everything = local(df)
    months = df.groupby([everything.dt.year, everything.dt.month]).size()
    history_periods = [period.shifted(k) for k in range(reviews.HISTORY_POINTS - 1, -1, -1)]
    history = [int(months.get((p.first.year, p.first.month), 0)) for p in history_periods]

    # highlights, by the product's rules (reviews._highlights), from these figures
    def concentrated(d: pd.DataFrame) -> str:
        located = d.dropna(subset=["lat", "lon"])
        if len(located) >= 2 and where.sites:
            lat, lon = float(located["lat"].median()), float(located["lon"].median())
            site, dist = min(
                (
                    (n, float(_haversine(np.array([a]), np.array([o]), lat, lon)[0]))
                    for n, a, o in where.sites
                ),
                key=lambda s: s[1],
            )
            near = _haversine(located["lat"].to_numpy(), located["lon"].to_numpy(), lat, lon)
            if (
                dist <= reviews.NEAR_SITE_M
                and np.mean(near <= reviews.NEAR_SITE_M * 1.5) >= reviews.CONCENTRATED_SHARE
            ):
                return f"，集中在{site}周边"
        shares = d.loc[d["community_id"] >= 0, "community_id"].value_counts()
        if len(shares):
            top = int(shares[shares == shares.max()].index.min())
            if shares[top] / len(d) >= reviews.CONCENTRATED_SHARE and top in where.communities:
                return f"，集中在{where.communities[top]}"
        return ""

    total, previous, year_before = len(now), len(prev), len(yoy)
    parts = [f"本期共接报有效警情{total}起"]
    for word, base in (("环比", previous), ("同比", year_before)):
        change = _pct(total, base)
        if change is not None:
            direction = "上升" if change > 0 else "下降"
            parts.append(f"{word}{direction}{abs(change):.0f}%" if round(change) else f"{word}持平")
    lines = ["，".join(parts) + "。"]
    flat = rows["categories"] + rows["subtypes"]
    for r in sorted(flat, key=lambda r: -abs(_pct(r["count"], r["previous"]) or 0.0)):
        change = _pct(r["count"], r["previous"])
        name = TOP_NAMES[r["key"]]
        mine = now[now["category_code"].astype(str).str.startswith(r["key"])]
        if r["unusual"]:
            lines.append(
                f"{name}警情{r['count']}起，显著高于基线{r['baseline']:.1f}起"
                f"（泊松检验 p={r['p_value']:.3g}）{concentrated(mine)}，建议重点关注。"
            )
        elif (
            change is not None
            and abs(change) >= reviews.NOTABLE_CHANGE_PCT
            and max(r["count"], r["previous"]) >= reviews.MIN_COUNT_FOR_HIGHLIGHT
        ):
            place = concentrated(mine) if change > 0 else ""
            direction = "上升" if change > 0 else "下降"
            lines.append(f"{name}警情环比{direction}{abs(change):.0f}%{place}。")
        if len(lines) >= 7:
            break
    if total >= 10:
        window = (
            hours
            + hours.shift(-1, fill_value=hours.iloc[0])
            + hours.shift(-2).fillna(pd.Series(hours.iloc[:2].to_numpy(), index=[22, 23]))
        )
        start = int(window.idxmax())
        lines.append(
            f"警情高发时段为{start}时至{(start + 3) % 24}时，占{window[start] / total * 100:.0f}%。"
        )
    beats = places_of("beat_id", where.beats)
    if beats and beats[0]["count"]:
        lines.append(
            f"{beats[0]['name']}警情最多，{beats[0]['count']}起，占{beats[0]['share_pct']:.0f}%。"
        )
    return {
        "total": total,
        "previous_total": previous,
        "year_before_total": year_before,
        "categories": rows["categories"],
        "subtypes": rows["subtypes"],
        "beats": beats,
        "communities": places_of("community_id", where.communities),
        "hours": [int(v) for v in hours],
        "hours_reference": [round(float(v), 2) for v in hours_reference],
        "heat": [[int(v) for v in row] for row in heat.to_numpy()],
        "trend": daily(now, period.days),
        "trend_previous": daily(cut(before), before.days),
        "history": history,
        "highlights": lines,
    }


def product_figures(review: Any) -> dict[str, Any]:
    keep = ("key", "count", "previous", "year_before", "baseline", "p_value", "unusual")
    return {
        "total": review.total,
        "previous_total": review.previous_total,
        "year_before_total": review.year_before_total,
        "categories": [{k: getattr(r, k) for k in keep} for r in review.categories],
        "subtypes": [{k: getattr(r, k) for k in keep} for r in review.subtypes],
        "beats": [r.model_dump() for r in review.beats],
        "communities": [r.model_dump() for r in review.communities],
        "hours": review.hours,
        "hours_reference": review.hours_reference,
        "heat": review.heat,
        "trend": review.trend,
        "trend_previous": review.trend_previous,
        "history": review.history,
        "highlights": review.highlights,
    }


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]")
        ]
    floats = isinstance(a, float) or isinstance(b, float)
    if floats and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-300):
        return []
    if a != b:
        return [f"{path}: {a!r} != {b!r}"]
    return []


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 000 rows")
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = 500_000 if args.quick else args.rows
    began = time.perf_counter()
    frame = generate(rows)
    df = to_pandas(frame)
    where = places()
    print(
        f"generated {len(frame):,} incidents in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )
    period = period_of(PeriodKind.MONTH, MONTH)
    summary_s, review = best_of(
        args.repeat, lambda: reviews.compute_review(frame, period, places=where)
    )
    pandas_s, baseline = best_of(args.repeat, lambda: pandas_review(df, where))
    diff = differences(product_figures(review), baseline)
    for line in diff[:20]:
        print("DIFFERENT", line, file=sys.stderr)
    for line in review.highlights:
        print("  ", line)
    print(
        f"monthly summary of {period.label}: {review.total:,} incidents in the month, "
        f"{len(frame):,} read; product {summary_s * 1000:.0f} ms, pandas {pandas_s * 1000:.0f} ms, "
        f"{pandas_s / summary_s:.1f}x; figures agree: {not diff}"
    )
    print(
        json.dumps(
            {
                "bench": "analytics",
                "rows": len(frame),
                "month_rows": review.total,
                "summary_s": round(summary_s, 4),
                "pandas_s": round(pandas_s, 4),
                "speedup_vs_pandas": round(pandas_s / summary_s, 1),
                "agree": not diff,
                "under_2s": summary_s < 2.0,
            }
        )
    )
    if diff:
        sys.exit(1)


if __name__ == "__main__":
    main()
