"""Hotspot models, walk-forward, on real incident data: hit rate and PAI at 1 %, 5 %, 10 % area.

Data: ../shared/data/incidents/montgomery-pa-911-2016-sample.csv — 3,051 real 911 calls of
Montgomery County, Pennsylvania (lat, lng, title, timestamp). The sample holds whole days
(mostly the 15th of each month, 2016–2018), so the "next day" here is the next sampled day,
and a "shift" is an 8-hour block of a sampled day predicted from everything before it.

Models (jingwu.analytics.hotspots): uniform (random cells: hit rate = area share, PAI 1),
naive counts, retrospective quartic kernel, prospective hotspot (Bowers, Johnson & Pease 2004),
Gaussian KDE, and the self-exciting point process (Mohler et al. 2011) fitted by EM.
The study area is the grid cells that hold an incident of the file, and their neighbours.
Parameters as in the papers / open_cp where they fix them: prospective 400 m (in cells of this
grid) and 8 whole weeks, retrospective window 56 days ("around two months"); the retrospective
quartic bandwidth is 3 cells (1.5 km on 500 m cells, open_cp's 200 m default being for 150 m
cells). Naive counts use the whole history before each window.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from jingwu.analytics import hotspots as hs

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "incidents" / "montgomery-pa-911-2016-sample.csv"
EPOCH = datetime(2016, 1, 1, tzinfo=UTC)  # local clock times, kept as they are


def load(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    times, lats, lons = [], [], []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                lat, lon = float(row["lat"]), float(row["lng"])
                at = datetime.strptime(row["timestamp"], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
            except (KeyError, ValueError):
                continue
            # a few rows sit far outside the county (bad geocodes): keep the county's box
            if not (39.9 < lat < 40.5 and -75.8 < lon < -74.9):
                continue
            times.append((at - EPOCH).total_seconds() / 86400.0)
            lats.append(lat)
            lons.append(lon)
    return np.asarray(times), np.asarray(lats), np.asarray(lons)


def windows(events: hs.Events, horizon: str, skip_days: int) -> list[tuple[float, float]]:
    days = np.unique(np.floor(events.t))
    chosen = days[skip_days:]
    if horizon == "day":
        return [(float(d), float(d) + 1.0) for d in chosen]
    blocks = []
    for day in chosen:
        for k in range(3):
            start, end = float(day) + k / 3, float(day) + (k + 1) / 3
            if len(events.between(start, end)):
                blocks.append((start, end))
    return blocks


def evaluate(
    events: hs.Events,
    grid: hs.Grid,
    mask: np.ndarray,
    settings: hs.Settings,
    horizon: str,
    skip_days: int,
) -> dict[str, hs.Score]:
    scores = {m: hs.Score() for m in ("uniform", *hs.MODELS)}
    for index, (start, end) in enumerate(windows(events, horizon, skip_days)):
        actual = events.between(start, end)
        if len(actual) == 0:
            continue
        for model, score in scores.items():
            began = time.perf_counter()
            if model == "uniform":
                flat = np.zeros((grid.rows, grid.cols))
                ranked = hs.ranked_cells(flat, mask, seed=index)
            else:
                prediction = hs.predict(
                    model, grid, events, start=start, end=end, settings=settings
                )
                ranked = hs.ranked_cells(prediction, mask, seed=index)
            hits = hs.hits_at(ranked, grid, actual, hs.COVERAGES)
            score.seconds += time.perf_counter() - began
            score.windows += 1
            score.events += len(actual)
            score.hits = [a + b for a, b in zip(score.hits, hits, strict=True)]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer windows, under a minute")
    parser.add_argument("--cell", type=float, default=500.0, help="grid cell, metres")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is missing")
        print(json.dumps({"skipped": f"missing {DATA.name}"}))
        return 0
    t, lat, lon = load(DATA)
    grid = hs.grid_over(lat, lon, cell_m=args.cell, margin_m=args.cell)
    events = hs.events_of(grid, t, lat, lon)
    mask = hs.study_mask(grid, events)
    settings = hs.Settings(
        bandwidth_m=args.cell * 1.5,
        retro_bandwidth_m=args.cell * 3.0,  # wider than open_cp's 200 m: cells here are 500 m
        training_days=1100.0,
        space_cells=hs.space_cells_for(args.cell),  # Bowers et al.: 400 m …
        time_weeks=hs.BOWERS_WEEKS,  # … and 8 weeks
        retro_window_days=hs.RETRO_WINDOW_DAYS,  # open_cp: "around two months"
        sampled_days=True,
        sepp_iterations=25 if args.quick else 40,
    )
    skip = 24 if args.quick else 3
    print(
        f"{len(events)} incidents, {len(np.unique(np.floor(events.t)))} sampled days; grid "
        f"{grid.rows}×{grid.cols} of {args.cell:.0f} m, study area {int(mask.sum())} cells"
    )
    result: dict[str, object] = {
        "data": DATA.name,
        "incidents": len(events),
        "cell_m": args.cell,
        "study_cells": int(mask.sum()),
        "coverages": list(hs.COVERAGES),
        "quick": args.quick,
    }
    for horizon in ("day", "shift"):
        scores = evaluate(events, grid, mask, settings, horizon, skip)
        print(
            f"\nhorizon {horizon}: {scores['uniform'].windows} windows, "
            f"{scores['uniform'].events} incidents predicted"
        )
        print(
            f"{'model':<12}" + "".join(f"  hit@{c:.0%}  PAI@{c:.0%}" for c in hs.COVERAGES) + "   s"
        )
        table = {}
        for model, score in scores.items():
            rates, pais = score.hit_rates(), score.pai()
            cells = "".join(f"  {r:7.3f}  {p:6.2f}" for r, p in zip(rates, pais, strict=True))
            print(f"{model:<12}{cells}  {score.seconds:5.1f}")
            table[model] = {
                "hit_rate": [round(r, 4) for r in rates],
                "pai": [round(p, 3) for p in pais],
                "seconds": round(score.seconds, 2),
            }
        base = table["kde"]["pai"]
        table["sepp_vs_kde_pai_ratio"] = [
            round(s / b, 3) if b else None for s, b in zip(table["sepp"]["pai"], base, strict=True)
        ]
        result[horizon] = table
    train = events.before(float(np.floor(events.t[-1])))
    fit = hs.fit_sepp(
        grid,
        train,
        bandwidth_m=settings.bandwidth_m,
        exposure_days=float(np.unique(np.floor(train.t)).size),
    )
    result["sepp_params_last_fit"] = fit.params
    print(f"\nSEPP fitted on all but the last day: {fit.params}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
