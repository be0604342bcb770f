"""Beat design (警务区划分): group communities into k beats by incident workload and 24-hour profile.

A plan is a partition of the communities into k contiguous beats (communities are neighbours
when their boundaries share an edge). Small jurisdictions (k^n up to ``EXHAUSTIVE_LIMIT``
assignments) are solved exactly by enumeration; larger ones by region growing from the k
busiest, mutually distant communities, then single-community moves that keep every beat
contiguous (the automatic zoning procedure's local search). Every plan is reported with the
same measures so that plans compare side by side against today's.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from jingwu.analytics.frame import IncidentFrame
from jingwu.analytics.schemas import BeatComparisonOut, BeatPlanOut, BeatSummary
from jingwu.core.errors import InvalidInput
from jingwu.core.geo import haversine_m

EXHAUSTIVE_LIMIT = 300_000
EDGE_TOLERANCE = 1e-7  # degrees: boundaries drawn from the same coordinates


@dataclass(frozen=True)
class Area:
    key: int
    name: str
    ring: list[list[float]]  # [[lon, lat], ...]
    beat: str | None  # today's beat name
    workload: float
    hours: np.ndarray  # 24 incident counts

    @property
    def centroid(self) -> tuple[float, float]:
        points = self.ring[:-1] if self.ring[0] == self.ring[-1] else self.ring
        return (
            sum(p[1] for p in points) / len(points),
            sum(p[0] for p in points) / len(points),
        )

    def area_m2(self) -> float:
        lat0 = self.centroid[0]
        kx, ky = 111_320.0 * math.cos(math.radians(lat0)), 111_320.0
        pts = [(p[0] * kx, p[1] * ky) for p in self.ring]
        return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(pts))) / 2


def _segments(
    ring: Sequence[Sequence[float]],
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    return [((a[0], a[1]), (b[0], b[1])) for a, b in itertools.pairwise(ring)]


def _overlap(
    s: tuple[tuple[float, float], tuple[float, float]],
    t: tuple[tuple[float, float], tuple[float, float]],
) -> bool:
    """Do two segments lie on one line and overlap by more than a point?"""
    (ax, ay), (bx, by) = s
    (cx, cy), (dx, dy) = t
    ux, uy = bx - ax, by - ay
    length = math.hypot(ux, uy)
    if length == 0:
        return False
    for px, py in ((cx, cy), (dx, dy)):
        if abs(ux * (py - ay) - uy * (px - ax)) / length > EDGE_TOLERANCE:
            return False
    project = [((px - ax) * ux + (py - ay) * uy) / length for px, py in ((cx, cy), (dx, dy))]
    lo, hi = max(0.0, min(project)), min(length, max(project))
    return hi - lo > EDGE_TOLERANCE


Graph = list[set[int]]


def adjacency(areas: Sequence[Area]) -> Graph:
    """Neighbours share a boundary edge (touching at a corner is not enough)."""
    graph: Graph = [set() for _ in areas]
    segments = [_segments(a.ring) for a in areas]
    for i, j in itertools.combinations(range(len(areas)), 2):
        if any(_overlap(s, t) for s in segments[i] for t in segments[j]):
            graph[i].add(j)
            graph[j].add(i)
    return graph


def _connected(graph: Graph, members: list[int]) -> bool:
    inside = set(members)
    seen, stack = {members[0]}, [members[0]]
    while stack:
        for j in graph[stack.pop()] & inside:
            if j not in seen:
                seen.add(j)
                stack.append(j)
    return len(seen) == len(inside)


def _contiguous(graph: Graph, labels: Sequence[int], k: int) -> bool:
    for beat in range(k):
        members = [i for i, b in enumerate(labels) if b == beat]
        if not members or not _connected(graph, members):
            return False
    return True


@dataclass(frozen=True)
class Measures:
    balance: float
    mean_travel_m: float
    compactness: float
    profile_spread: float


def measure(areas: Sequence[Area], labels: Sequence[int], k: int) -> Measures:
    loads = np.zeros(k)
    travel, weight_sum, compact, spread = 0.0, 0.0, [], []
    for beat in range(k):
        members = [areas[i] for i, b in enumerate(labels) if b == beat]
        if not members:
            continue
        w = np.array([max(a.workload, 1e-9) for a in members])
        loads[beat] = sum(a.workload for a in members)
        lat = float(np.average([a.centroid[0] for a in members], weights=w))
        lon = float(np.average([a.centroid[1] for a in members], weights=w))
        travel += sum(a.workload * haversine_m(lat, lon, *a.centroid) for a in members)
        weight_sum += sum(a.workload for a in members)
        points = [p for a in members for p in a.ring]
        diameter = max(
            haversine_m(p[1], p[0], q[1], q[0]) for p, q in itertools.combinations(points, 2)
        )
        compact.append(sum(a.area_m2() for a in members) / (math.pi * (diameter / 2) ** 2))
        profiles = [a.hours / max(a.hours.sum(), 1) for a in members]
        mean = np.mean(profiles, axis=0)
        spread.append(float(np.mean([np.abs(p - mean).sum() / 2 for p in profiles])))
    mean_load = loads.mean() if loads.mean() > 0 else 1.0
    return Measures(
        balance=float(loads.max() / mean_load),
        mean_travel_m=travel / weight_sum if weight_sum else 0.0,
        compactness=float(np.mean(compact)) if compact else 0.0,
        profile_spread=float(np.mean(spread)) if spread else 0.0,
    )


Objective = Callable[[Measures], float]
OBJECTIVES: dict[str, tuple[str, Objective]] = {
    "balanced": ("工作量均衡", lambda m: m.balance + 0.0001 * m.mean_travel_m / 1000),
    "compact": ("就近紧凑", lambda m: m.mean_travel_m / 1000 + 2.0 * max(0.0, m.balance - 1.25)),
    "profile": ("时段特征一致", lambda m: m.profile_spread + 2.0 * max(0.0, m.balance - 1.25)),
}


def _exhaustive(
    graph: Graph, areas: Sequence[Area], k: int, objective: Objective
) -> list[int] | None:
    best, best_score = None, math.inf
    n = len(areas)
    for tail in itertools.product(range(k), repeat=n - 1):
        labels = (0, *tail)  # the first community is in beat 0: no relabelled duplicates
        if len(set(labels)) < k or any(labels.index(b) > labels.index(b + 1) for b in range(k - 1)):
            continue
        if not _contiguous(graph, labels, k):
            continue
        score = objective(measure(areas, labels, k))
        if score < best_score:
            best, best_score = list(labels), score
    return best


def _local_search(
    graph: Graph, areas: Sequence[Area], k: int, objective: Objective
) -> list[int] | None:
    order = sorted(range(len(areas)), key=lambda i: -areas[i].workload)
    seeds = [order[0]]
    while len(seeds) < k:
        far = max(
            (i for i in order if i not in seeds),
            key=lambda i: min(haversine_m(*areas[i].centroid, *areas[s].centroid) for s in seeds),
        )
        seeds.append(far)
    labels = [-1] * len(areas)
    for beat, seed in enumerate(seeds):
        labels[seed] = beat
    loads = [areas[s].workload for s in seeds]
    while -1 in labels:
        options = [
            (loads[labels[j]], i, labels[j])
            for i in range(len(areas))
            if labels[i] == -1
            for j in graph[i]
            if labels[j] != -1
        ]
        if not options:
            return None
        _, area, beat = min(options)
        labels[area] = beat
        loads[beat] += areas[area].workload
    score = objective(measure(areas, labels, k))
    improved = True
    while improved:
        improved = False
        for i in range(len(areas)):
            for beat in {labels[j] for j in graph[i]} - {labels[i]}:
                trial = labels.copy()
                trial[i] = beat
                if _contiguous(graph, trial, k):
                    trial_score = objective(measure(areas, trial, k))
                    if trial_score < score - 1e-12:
                        labels, score, improved = trial, trial_score, True
    return labels


def _plan(
    name: str,
    method: str,
    areas: Sequence[Area],
    labels: Sequence[int],
    k: int,
    graph: Graph,
    seconds: float,
    beat_names: list[str],
) -> BeatPlanOut:
    m = measure(areas, labels, k)
    total = sum(a.workload for a in areas) or 1.0
    beats = []
    for beat in range(k):
        members = [areas[i] for i, b in enumerate(labels) if b == beat]
        single = measure(members, [0] * len(members), 1) if members else m
        hours = sum((a.hours for a in members), np.zeros(24))
        load = sum(a.workload for a in members)
        points = [p for a in members for p in a.ring]
        diameter = max(
            (haversine_m(p[1], p[0], q[1], q[0]) for p, q in itertools.combinations(points, 2)),
            default=0.0,
        )
        beats.append(
            BeatSummary(
                name=beat_names[beat] if beat < len(beat_names) else f"警务区{beat + 1}",
                communities=[a.name for a in members],
                workload=round(load, 1),
                share_pct=round(load / total * 100, 1),
                mean_travel_m=round(single.mean_travel_m, 0),
                diameter_m=round(diameter, 0),
                peak_hour=int(np.argmax(hours)) if hours.sum() else 0,
            )
        )
    today = {a.name: a.beat for a in areas}
    moved = []
    # a beat of the plan takes the name of today's beat that most of its workload comes from
    for summary in beats:
        weights: dict[str, float] = {}
        for a in areas:
            if a.name in summary.communities and a.beat:
                weights[a.beat] = weights.get(a.beat, 0.0) + a.workload + 1e-6
        if weights and name != "today":
            summary.name = max(weights, key=lambda b: weights[b])
        moved += [c for c in summary.communities if today.get(c) and today[c] != summary.name]
    return BeatPlanOut(
        name=name,
        method=method,
        k=k,
        beats=beats,
        balance=round(m.balance, 3),
        compactness=round(m.compactness, 3),
        mean_travel_m=round(m.mean_travel_m, 0),
        profile_spread=round(m.profile_spread, 3),
        contiguous=_contiguous(graph, labels, k),
        moved=sorted(moved),
        seconds=round(seconds, 4),
    )


def design(areas: Sequence[Area], *, k: int) -> BeatComparisonOut:
    """Today's plan (when the communities have beats) beside the proposed plans."""
    if not 1 <= k <= len(areas):
        raise InvalidInput(
            f"警务区数量须在 1 到 {len(areas)} 之间 / k must be 1…{len(areas)}", code="bad_k", k=k
        )
    graph = adjacency(areas)
    plans: list[BeatPlanOut] = []
    today_names = sorted({a.beat for a in areas if a.beat})
    if today_names and all(a.beat for a in areas):
        labels = [today_names.index(a.beat or "") for a in areas]
        plans.append(
            _plan("today", "现行划分", areas, labels, len(today_names), graph, 0.0, today_names)
        )
    exhaustive = k ** max(len(areas) - 1, 0) <= EXHAUSTIVE_LIMIT
    for key, (label, objective) in OBJECTIVES.items():
        began = time.perf_counter()
        solver = _exhaustive if exhaustive else _local_search
        labels_found = solver(graph, areas, k, objective)
        if labels_found is None:
            continue
        method = f"{label}（{'穷举最优' if exhaustive else '区域生长+局部搜索'}）"
        plans.append(
            _plan(
                key, method, areas, labels_found, k, graph, time.perf_counter() - began, today_names
            )
        )
    return BeatComparisonOut(
        k=k,
        communities=[a.name for a in areas],
        workload={a.name: round(a.workload, 1) for a in areas},
        plans=plans,
    )


def areas_from(
    communities: Sequence[tuple[int, str, list[list[float]], str | None]], frame: IncidentFrame
) -> list[Area]:
    """Communities with their workload (incidents) and 24-hour profile from a frame."""
    hours = frame.local_hours()
    result = []
    for key, name, ring, beat in communities:
        mask = frame.community == key
        result.append(
            Area(
                key,
                name,
                ring,
                beat,
                float(np.count_nonzero(mask)),
                np.bincount(hours[mask], minlength=24),
            )
        )
    return result
