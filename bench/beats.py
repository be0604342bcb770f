"""Beat plans (jingwu.analytics.beats) beside PySAL spopt's regionalisation, on the Leifeng case.

Two problems, both over the seed's jurisdiction (jingwu.sim.leifeng: 7 communities, 2 beats
today) with a year of generated incidents — a rate per community in proportion to its
households, extra incidents around the key sites, a daytime 24-hour profile in the villages and
an evening one in the urban communities:

1. the 7 communities → 2 beats (the seed's case; ours is exact by enumeration);
2. a 10 × 10 and a 20 × 20 grid over the jurisdiction (100 and 400 cells), k = 2 … 6 (ours:
   region growing + AZP-style local search, ``jingwu.analytics.beats.solve``).

spopt (Feng, Wei, Knaap, Rey et al., "spopt: a python package for solving spatial optimization
problems in PySAL", JOSS 2022, https://pysal.org/spopt/) is run on the same areas, the same
rook adjacency (as a libpysal ``W``) and the same workload:

- ``spopt.region.AZP`` (Openshaw & Rao 1995) with ``n_clusters = k`` and the workload as its
  attribute — its objective is within-region homogeneity of the attribute, not balance;
- ``spopt.region.MaxPHeuristic`` (Duque, Anselin & Rey 2012; Wei, Rey & Knaap 2021) with the
  workload as the threshold variable and threshold = 1.02 × total / (k + 1), so that at most k
  regions can reach it and max-p looks for k regions of about equal workload. Its construction
  and simulated-annealing phases are cut to 3 and 1 iterations (spopt's defaults, 99 and 10,
  took minutes per k on 144 cells here), and it runs on the 10 × 10 grid only (on 400 cells
  even the cut-down run had not finished after several minutes).

Every plan is measured by one function (``beats.measure``): balance = max/mean workload (1.0 is
perfect), compactness = area / area of the circle on the beat's diameter (Reock, 1 = a disc),
workload-weighted mean distance to the beat's centre, contiguity, and seconds to solve.
Last line: one JSON object. ``--quick``: the 10 × 10 grid only, k = 2 … 4.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from jingwu.analytics import beats
from jingwu.analytics.frame import IncidentFrame
from jingwu.sim.leifeng import BEATS, COMMUNITIES, KEY_SITES, NORTH, SOUTH

DAY_S = 86400.0
START = 1_735_660_800.0  # 2025-01-01 00:00 Asia/Shanghai
VILLAGE_HOURS = np.array([1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 7, 7, 8, 8, 8, 7, 5, 4, 3, 2, 2, 1])
URBAN_HOURS = np.array([4, 3, 2, 1, 1, 1, 2, 3, 4, 5, 5, 6, 6, 5, 5, 6, 7, 8, 9, 10, 10, 9, 7, 5])


def jurisdiction() -> list[tuple[int, str, list[list[float]], str | None]]:
    beat_names = dict(BEATS)
    result = []
    for index, spec in enumerate(COMMUNITIES):
        west, south, east, north = spec.cell
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        result.append((index, spec.name, ring, beat_names[spec.beat]))
    return result


def incidents(per_household: float = 2.0, seed: int = 11) -> IncidentFrame:
    """A year of incidents: per community ∝ households, plus clusters around the key sites."""
    rng = np.random.default_rng(seed)
    ts, lats, lons, communities = [], [], [], []
    for index, spec in enumerate(COMMUNITIES):
        west, south, east, north = spec.cell
        n = int(spec.households * per_household)
        profile = VILLAGE_HOURS if spec.kind == "village" else URBAN_HOURS
        hours = rng.choice(24, size=n, p=profile / profile.sum())
        ts.append(START + rng.integers(0, 365, n) * DAY_S + hours * 3600 + rng.uniform(0, 3600, n))
        lats.append(rng.uniform(south, north, n))
        lons.append(rng.uniform(west, east, n))
        communities.append(np.full(n, index))
    for _, _, lat, lon in KEY_SITES:
        n = 600
        hours = rng.choice(24, size=n, p=URBAN_HOURS / URBAN_HOURS.sum())
        ts.append(START + rng.integers(0, 365, n) * DAY_S + hours * 3600 + rng.uniform(0, 3600, n))
        lats.append(np.clip(lat + rng.normal(0, 0.0015, n), SOUTH, NORTH - 1e-9))
        lons.append(lon + rng.normal(0, 0.0015, n))
        owner = [
            i
            for i, c in enumerate(COMMUNITIES)
            if c.cell[0] <= lon < c.cell[2] and c.cell[1] <= lat < c.cell[3]
        ]
        communities.append(np.full(n, owner[0] if owner else -1))
    t = np.concatenate(ts)
    order = np.argsort(t)
    return IncidentFrame(
        ids=np.arange(1, t.size + 1, dtype=np.int64),
        t=t[order],
        code=np.zeros(t.size, dtype=np.int64),
        lat=np.concatenate(lats)[order],
        lon=np.concatenate(lons)[order],
        beat=np.full(t.size, -1, dtype=np.int64),
        community=np.concatenate(communities)[order].astype(np.int64),
    )


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = run()
    return time.perf_counter() - began, result


def spopt_plans(
    areas: list[beats.Area], graph: beats.Graph, k: int, *, maxp: bool
) -> dict[str, tuple[float, list[int] | None, int]]:
    import pandas as pd
    from libpysal.weights import W
    from spopt.region import AZP, MaxPHeuristic

    frame = pd.DataFrame({"workload": [a.workload for a in areas]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W({i: sorted(graph[i]) for i in range(len(areas))}, silence_warnings=True)
        azp = AZP(frame, w, ["workload"], n_clusters=k, random_state=0)
        azp_s, _ = timed(azp.solve)
        result: dict[str, tuple[float, list[int] | None, int]] = {
            "spopt_azp": (azp_s, [int(v) for v in azp.labels_], k)
        }
        if not maxp:
            return result
        total = float(frame["workload"].sum())
        maxp = MaxPHeuristic(
            frame,
            w,
            ["workload"],
            "workload",
            1.02 * total / (k + 1),
            top_n=2,
            max_iterations_construction=3,
            max_iterations_sa=1,
        )
        np.random.seed(0)  # max-p draws from NumPy's global generator
        maxp_s, _ = timed(maxp.solve)
    maxp_labels = [int(v) for v in maxp.labels_]
    found = len(set(maxp_labels))
    result["spopt_maxp"] = (maxp_s, _dense(maxp_labels), found)
    return result


def _dense(labels: list[int]) -> list[int]:
    names = {v: i for i, v in enumerate(sorted(set(labels)))}
    return [names[v] for v in labels]


def compare(areas: list[beats.Area], k: int, *, maxp: bool) -> dict[str, dict[str, Any]]:
    graph = beats.adjacency(areas)
    geo = beats.Geometry(areas)
    rows: dict[str, dict[str, Any]] = {}
    runs: dict[str, tuple[float, list[int] | None, int]] = {}
    for objective in ("balanced", "compact"):
        seconds, labels = timed(
            lambda o=objective: beats.solve(areas, k=k, objective=o, graph=graph, geometry=geo)
        )
        runs[f"ours_{objective}"] = (seconds, labels, k)
    runs.update(spopt_plans(areas, graph, k, maxp=maxp))
    for name, (seconds, labels, found) in runs.items():
        if labels is None:
            rows[name] = {"k": 0}
            continue
        m = beats.measure(areas, labels, found, geo)
        rows[name] = {
            "k": found,
            "balance": round(m.balance, 3),
            "compactness": round(m.compactness, 3),
            "travel_m": round(m.mean_travel_m),
            "contiguous": beats.contiguous(graph, labels, found),
            "seconds": round(seconds, 3),
        }
    return rows


def show(title: str, k: int, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}, k={k}")
    print(
        f"  {'plan':<16}{'k':>3}{'balance':>9}{'compact':>9}{'travel m':>10}{'contig':>8}{'s':>9}"
    )
    for name, r in rows.items():
        if not r.get("balance"):
            print(f"  {name:<16} no plan")
            continue
        print(
            f"  {name:<16}{r['k']:>3}{r['balance']:>9.3f}{r['compactness']:>9.3f}"
            f"{r['travel_m']:>10}{r['contiguous']!s:>8}{r['seconds']:>9.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="12 × 12 grid, k = 2 … 4")
    args = parser.parse_args()
    frame = incidents()
    places = jurisdiction()
    result: dict[str, Any] = {"bench": "beats", "incidents": len(frame)}

    communities = beats.areas_from(places, frame)
    today = [sorted({a.beat for a in communities}).index(a.beat) for a in communities]
    leifeng = compare(communities, 2, maxp=True)
    geo = beats.Geometry(communities)
    now = beats.measure(communities, today, 2, geo)
    leifeng["today"] = {
        "k": 2,
        "balance": round(now.balance, 3),
        "compactness": round(now.compactness, 3),
        "travel_m": round(now.mean_travel_m),
        "contiguous": True,
        "seconds": 0.0,
    }
    show("Leifeng: 7 communities", 2, leifeng)
    result["leifeng_7_to_2"] = leifeng

    grids: dict[str, dict[str, dict[str, Any]]] = {}
    for side in (10,) if args.quick else (10, 20):
        cells = beats.grid_areas(places, frame, side=side)
        grid: dict[str, dict[str, Any]] = {}
        for k in range(2, 5 if args.quick else 7):
            rows = compare(cells, k, maxp=side <= 10)
            show(f"Grid {side}×{side} ({len(cells)} cells)", k, rows)
            grid[str(k)] = rows
        grids[f"grid_{side}x{side}"] = grid
        result[f"grid_{side}x{side}"] = grid

    def mean_of(grid: dict[str, Any], plan: str, key: str) -> float:
        values = [r[plan][key] for r in grid.values() if plan in r and r[plan].get("k")]
        return round(sum(values) / len(values), 3) if values else math.nan

    for name, grid in grids.items():
        summary = {
            plan: {key: mean_of(grid, plan, key) for key in ("balance", "compactness", "seconds")}
            for plan in ("ours_balanced", "ours_compact", "spopt_azp", "spopt_maxp")
            if any(plan in r for r in grid.values())
        }
        print(f"\n{name}, mean over k:", summary)
        result[f"{name}_mean"] = summary
    result["ours_all_contiguous"] = all(
        r[p]["contiguous"]
        for g in grids.values()
        for r in [*g.values(), leifeng]
        for p in ("ours_balanced", "ours_compact")
    )
    print(json.dumps(result, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
