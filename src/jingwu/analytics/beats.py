"""Beat design (警务区划分): group areas into k beats by incident workload and 24-hour profile.

The areas are the communities, or the cells of a fine grid laid over them (:func:`grid_areas`).
A plan is a partition of the areas into k contiguous beats (areas are neighbours when their
boundaries share an edge). Small problems (k^(n-1) up to ``EXHAUSTIVE_LIMIT`` assignments — the
seed's 7 communities → 2 beats) are solved exactly by enumeration; larger ones by region growing
from the k busiest, mutually distant areas (each beat, the least loaded first, takes the
bordering area nearest its seed), then single-area moves between neighbouring beats that keep
the donor contiguous, accepted when they lower the plan's objective — the local search of
Openshaw's automatic zoning procedure (AZP; Openshaw 1977, Openshaw & Rao 1995), evaluated
incrementally (only the two beats a move touches are recomputed). Every plan is reported with
the same measures so that plans compare side by side against today's; bench/beats.py sets them
beside PySAL spopt's AZP and max-p regionalisation (Duque, Anselin & Rey 2012).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from jingwu.analytics.frame import FloatArray, IncidentFrame, IntArray
from jingwu.analytics.schemas import BeatComparisonOut, BeatPlanOut, BeatSummary
from jingwu.core.errors import InvalidInput
from jingwu.core.geo import EARTH_RADIUS_M, haversine_m, point_in_ring

EXHAUSTIVE_LIMIT = 300_000
EDGE_TOLERANCE = 1e-7  # degrees: boundaries drawn from the same coordinates
MAX_PASSES = 60  # local search: whole passes over the areas without an improving move end it
GRID_SIDES = (10, 30)  # a fine grid: from 10 × 10 to 30 × 30 cells over the jurisdiction


@dataclass(frozen=True)
class Area:
    key: int
    name: str
    ring: list[list[float]]  # [[lon, lat], ...]
    beat: str | None  # today's beat name
    workload: float
    hours: np.ndarray  # 24 incident counts
    group: str | None = None  # a grid cell: the community it lies in

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
    corners = [np.asarray(a.ring, dtype=np.float64) for a in areas]
    boxes = np.array([[*c.min(axis=0), *c.max(axis=0)] for c in corners], dtype=np.float64).reshape(
        -1, 4
    )
    pad = EDGE_TOLERANCE * 10
    touching = (
        (boxes[:, None, 0] <= boxes[None, :, 2] + pad)
        & (boxes[None, :, 0] <= boxes[:, None, 2] + pad)
        & (boxes[:, None, 1] <= boxes[None, :, 3] + pad)
        & (boxes[None, :, 1] <= boxes[:, None, 3] + pad)
    )
    for i, j in zip(*np.nonzero(np.triu(touching, 1)), strict=True):
        i, j = int(i), int(j)
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


def contiguous(graph: Graph, labels: Sequence[int], k: int) -> bool:
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


def _pairwise_max_m(lat: FloatArray, lon: FloatArray) -> float:
    """The largest great-circle distance between any two of the points."""
    if lat.size < 2:
        return 0.0
    p, q = np.radians(lat), np.radians(lon)
    a = (
        np.sin((p[:, None] - p[None, :]) / 2) ** 2
        + np.cos(p[:, None]) * np.cos(p[None, :]) * np.sin((q[:, None] - q[None, :]) / 2) ** 2
    )
    return float(2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a.max()))))


def _diameter_m(points: FloatArray) -> float:
    """Diameter of a set of (lon, lat) points: the farthest pair lies on their convex hull."""
    points = np.unique(points, axis=0)
    if len(points) > 8:
        planar = points * np.array([math.cos(math.radians(float(points[:, 1].mean()))), 1.0])
        with contextlib.suppress(QhullError):  # all on one line: keep every point
            points = points[ConvexHull(planar).vertices]
    return _pairwise_max_m(points[:, 1], points[:, 0])


class Geometry:
    """What the measures need of the areas, as arrays computed once per design."""

    def __init__(self, areas: Sequence[Area]) -> None:
        self.n = len(areas)
        centroids = [a.centroid for a in areas]
        self.lat = np.array([c[0] for c in centroids], dtype=np.float64)
        self.lon = np.array([c[1] for c in centroids], dtype=np.float64)
        self.workload = np.array([a.workload for a in areas], dtype=np.float64)
        self.weight = np.maximum(self.workload, 1e-9)
        self.area_m2 = np.array([a.area_m2() for a in areas], dtype=np.float64)
        hours = np.array([np.asarray(a.hours, dtype=np.float64) for a in areas]).reshape(-1, 24)
        self.profile = hours / np.maximum(hours.sum(axis=1, keepdims=True), 1.0)
        self.points = [np.asarray(a.ring, dtype=np.float64) for a in areas]

    def stats(self, members: IntArray) -> tuple[float, float, float, float]:
        """(workload, workload × distance to the beat's centre, workload, profile spread)."""
        w = self.weight[members]
        lat = float(np.average(self.lat[members], weights=w))
        lon = float(np.average(self.lon[members], weights=w))
        p1, p2 = np.radians(self.lat[members]), math.radians(lat)
        h = (
            np.sin((p2 - p1) / 2) ** 2
            + np.cos(p1) * math.cos(p2) * np.sin(np.radians(lon - self.lon[members]) / 2) ** 2
        )
        distance = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        load = float(self.workload[members].sum())
        travel = float((self.workload[members] * distance).sum())
        profiles = self.profile[members]
        spread = float((np.abs(profiles - profiles.mean(axis=0)).sum(axis=1) / 2).mean())
        return load, travel, load, spread

    def compactness(self, members: IntArray) -> float:
        diameter = _diameter_m(np.concatenate([self.points[i] for i in members]))
        if diameter == 0:
            return 0.0
        return float(self.area_m2[members].sum() / (math.pi * (diameter / 2) ** 2))

    def diameter(self, members: IntArray) -> float:
        if members.size == 0:
            return 0.0
        return _diameter_m(np.concatenate([self.points[i] for i in members]))


def _combine(stats: Sequence[tuple[float, float, float, float] | None], k: int) -> Measures:
    """The plan's measures from its beats' statistics (compactness is left to :func:`measure`)."""
    loads = np.array([s[0] if s else 0.0 for s in stats] + [0.0] * (k - len(stats)))
    mean_load = loads.mean() if loads.mean() > 0 else 1.0
    travel = sum(s[1] for s in stats if s)
    weight = sum(s[2] for s in stats if s)
    spreads = [s[3] for s in stats if s]
    return Measures(
        balance=float(loads.max() / mean_load),
        mean_travel_m=travel / weight if weight else 0.0,
        compactness=0.0,
        profile_spread=float(np.mean(spreads)) if spreads else 0.0,
    )


def _members(labels: Sequence[int], k: int) -> list[IntArray]:
    array = np.asarray(labels)
    return [np.flatnonzero(array == beat) for beat in range(k)]


def measure(
    areas: Sequence[Area], labels: Sequence[int], k: int, geometry: Geometry | None = None
) -> Measures:
    """Balance (max/mean workload), workload-weighted distance to the beat's centre,
    compactness (area / area of the circle on the beat's diameter, Reock) and profile spread."""
    geo = geometry or Geometry(areas)
    groups = _members(labels, k)
    stats = [geo.stats(m) if m.size else None for m in groups]
    combined = _combine(stats, k)
    compact = [geo.compactness(m) for m in groups if m.size]
    return Measures(
        balance=combined.balance,
        mean_travel_m=combined.mean_travel_m,
        compactness=float(np.mean(compact)) if compact else 0.0,
        profile_spread=combined.profile_spread,
    )


Objective = Callable[[Measures], float]
OBJECTIVES: dict[str, tuple[str, Objective]] = {
    "balanced": ("工作量均衡", lambda m: m.balance + 0.0001 * m.mean_travel_m / 1000),
    "compact": ("就近紧凑", lambda m: m.mean_travel_m / 1000 + 2.0 * max(0.0, m.balance - 1.25)),
    "profile": ("时段特征一致", lambda m: m.profile_spread + 2.0 * max(0.0, m.balance - 1.25)),
}


def _exhaustive(graph: Graph, geo: Geometry, k: int, objective: Objective) -> list[int] | None:
    best, best_score = None, math.inf
    for tail in itertools.product(range(k), repeat=geo.n - 1):
        labels = (0, *tail)  # the first area is in beat 0: no relabelled duplicates
        if len(set(labels)) < k or any(labels.index(b) > labels.index(b + 1) for b in range(k - 1)):
            continue
        if not contiguous(graph, labels, k):
            continue
        groups = _members(labels, k)
        score = objective(_combine([geo.stats(m) for m in groups], k))
        if score < best_score:
            best, best_score = list(labels), score
    return best


def _grow(graph: Graph, geo: Geometry, k: int) -> list[int] | None:
    """Region growing: seeds at the busiest and then the farthest areas; the least loaded beat
    takes the bordering area nearest its seed, until every area is in a beat."""
    order = sorted(range(geo.n), key=lambda i: -geo.workload[i])
    seeds = [order[0]]
    nearest = np.full(geo.n, np.inf)
    while True:
        last = seeds[-1]
        nearest = np.minimum(
            nearest,
            [
                haversine_m(geo.lat[last], geo.lon[last], geo.lat[i], geo.lon[i])
                for i in range(geo.n)
            ],
        )
        if len(seeds) == k:
            break
        seeds.append(max((i for i in order if i not in seeds), key=lambda i: nearest[i]))
    labels = [-1] * geo.n
    loads = [0.0] * k
    frontier: list[set[int]] = [set() for _ in range(k)]
    for beat, seed in enumerate(seeds):
        labels[seed] = beat
        loads[beat] = float(geo.workload[seed])
    for beat, seed in enumerate(seeds):
        frontier[beat] = {j for j in graph[seed] if labels[j] == -1}
    left = geo.n - k
    while left:
        open_beats = [b for b in range(k) if frontier[b]]
        if not open_beats:
            return None  # the areas are not all connected
        beat = min(open_beats, key=lambda b: (loads[b], b))
        seed = seeds[beat]
        area = min(
            frontier[beat],
            key=lambda i: (
                (geo.lat[i] - geo.lat[seed]) ** 2
                + ((geo.lon[i] - geo.lon[seed]) * math.cos(math.radians(geo.lat[seed]))) ** 2,
                i,
            ),
        )
        labels[area] = beat
        loads[beat] += float(geo.workload[area])
        left -= 1
        for b in range(k):
            frontier[b].discard(area)
        frontier[beat] |= {j for j in graph[area] if labels[j] == -1}
    return labels


def _local_search(graph: Graph, geo: Geometry, k: int, objective: Objective) -> list[int] | None:
    """AZP's local search from the grown plan: move one border area to a neighbouring beat when
    that lowers the objective and leaves the beat it leaves contiguous."""
    grown = _grow(graph, geo, k)
    if grown is None:
        return None
    labels = grown
    members = [set(m.tolist()) for m in _members(labels, k)]
    stats = [geo.stats(np.fromiter(sorted(m), dtype=np.int64)) for m in members]
    score = objective(_combine(stats, k))
    for _ in range(MAX_PASSES):
        improved = False
        for i in range(geo.n):
            donor = labels[i]
            targets = sorted({labels[j] for j in graph[i]} - {donor})
            if not targets or len(members[donor]) == 1:
                continue
            rest = np.fromiter(sorted(members[donor] - {i}), dtype=np.int64)
            donor_stats = geo.stats(rest)
            best: tuple[float, int, tuple[float, float, float, float]] | None = None
            for beat in targets:
                grown_stats = geo.stats(np.fromiter(sorted(members[beat] | {i}), dtype=np.int64))
                trial = list(stats)
                trial[donor], trial[beat] = donor_stats, grown_stats
                trial_score = objective(_combine(trial, k))
                if trial_score < score - 1e-12 and (best is None or trial_score < best[0]):
                    best = (trial_score, beat, grown_stats)
            if best is None or not _connected(graph, rest.tolist()):
                continue
            score, beat, grown_stats = best
            labels[i] = beat
            members[donor].discard(i)
            members[beat].add(i)
            stats[donor], stats[beat] = donor_stats, grown_stats
            improved = True
        if not improved:
            break
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
    geo: Geometry,
) -> BeatPlanOut:
    m = measure(areas, labels, k, geo)
    total = sum(a.workload for a in areas) or 1.0
    gridded = any(a.group for a in areas)
    groups = _members(labels, k)
    beats = []
    names = []
    for beat, members in enumerate(groups):
        load = float(geo.workload[members].sum())
        hours = sum((np.asarray(areas[i].hours) for i in members), np.zeros(24))
        single = _combine([geo.stats(members)], 1) if members.size else m
        # a beat of the plan takes the name of today's beat that most of its workload comes from
        weights: dict[str, float] = {}
        for i in members.tolist():
            today = areas[i].beat
            if today:
                weights[today] = weights.get(today, 0.0) + areas[i].workload + 1e-6
        own = beat_names[beat] if beat < len(beat_names) else f"警务区{beat + 1}"
        if weights and name != "today":
            # today's beats, busiest share first, that no earlier beat of this plan has taken
            free = [b for b in sorted(weights, key=lambda b: -weights[b]) if b not in names]
            own = free[0] if free else f"新警务区{beat + 1}"
        names.append(own)
        if gridded:
            counts: dict[str, int] = {}
            for i in members.tolist():
                counts[areas[i].group or "—"] = counts.get(areas[i].group or "—", 0) + 1
            listed = [f"{g}（{c}格）" for g, c in sorted(counts.items(), key=lambda x: -x[1])]
        else:
            listed = [areas[i].name for i in members.tolist()]
        beats.append(
            BeatSummary(
                name=names[-1],
                communities=listed,
                workload=round(load, 1),
                share_pct=round(load / total * 100, 1),
                mean_travel_m=round(single.mean_travel_m, 0),
                diameter_m=round(geo.diameter(members), 0),
                peak_hour=int(np.argmax(hours)) if hours.sum() else 0,
                cells=int(members.size) if gridded else None,
            )
        )
    moved_count: dict[str, int] = {}
    for i, area in enumerate(areas):
        if area.beat and area.beat != names[labels[i]]:
            label = area.group or area.name
            moved_count[label] = moved_count.get(label, 0) + 1
    moved = sorted(f"{g}（{c}格）" if gridded else g for g, c in moved_count.items())
    return BeatPlanOut(
        name=name,
        method=method,
        k=k,
        beats=beats,
        balance=round(m.balance, 3),
        compactness=round(m.compactness, 3),
        mean_travel_m=round(m.mean_travel_m, 0),
        profile_spread=round(m.profile_spread, 3),
        contiguous=contiguous(graph, labels, k),
        moved=moved,
        seconds=round(seconds, 4),
    )


def solve(
    areas: Sequence[Area],
    *,
    k: int,
    objective: str = "balanced",
    graph: Graph | None = None,
    geometry: Geometry | None = None,
) -> list[int] | None:
    """One plan: each area's beat (0 … k-1), or None when no contiguous plan was found."""
    graph = graph if graph is not None else adjacency(areas)
    geo = geometry or Geometry(areas)
    solver = _exhaustive if k ** max(len(areas) - 1, 0) <= EXHAUSTIVE_LIMIT else _local_search
    return solver(graph, geo, k, OBJECTIVES[objective][1])


def design(areas: Sequence[Area], *, k: int) -> BeatComparisonOut:
    """Today's plan (when every area has a beat) beside the proposed plans."""
    if not 1 <= k <= len(areas):
        raise InvalidInput(
            f"警务区数量须在 1 到 {len(areas)} 之间 / k must be 1…{len(areas)}", code="bad_k", k=k
        )
    graph = adjacency(areas)
    geo = Geometry(areas)
    plans: list[BeatPlanOut] = []
    today_names = sorted({a.beat for a in areas if a.beat})
    if today_names and all(a.beat for a in areas):
        labels = [today_names.index(a.beat or "") for a in areas]
        plans.append(
            _plan(
                "today", "现行划分", areas, labels, len(today_names), graph, 0.0, today_names, geo
            )
        )
    exhaustive = k ** max(len(areas) - 1, 0) <= EXHAUSTIVE_LIMIT
    for key, (label, _objective) in OBJECTIVES.items():
        began = time.perf_counter()
        labels_found = solve(areas, k=k, objective=key, graph=graph, geometry=geo)
        if labels_found is None:
            continue
        method = f"{label}（{'穷举最优' if exhaustive else '区域生长+局部搜索'}）"
        seconds = time.perf_counter() - began
        plans.append(_plan(key, method, areas, labels_found, k, graph, seconds, today_names, geo))
    gridded = any(a.group for a in areas)
    workload: dict[str, float] = {}
    for a in areas:
        key = (a.group or a.name) if gridded else a.name
        workload[key] = round(workload.get(key, 0.0) + a.workload, 1)
    return BeatComparisonOut(
        k=k,
        communities=list(workload),
        workload=workload,
        plans=plans,
        cells=len(areas) if gridded else 0,
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


def grid_areas(
    communities: Sequence[tuple[int, str, list[list[float]], str | None]],
    frame: IncidentFrame,
    *,
    side: int = 20,
) -> list[Area]:
    """A ``side`` × ``side`` grid over the communities: the cells whose centre lies in one
    (the largest connected block of them), each with its workload and 24-hour profile, its
    community and that community's beat today."""
    if not GRID_SIDES[0] <= side <= GRID_SIDES[1]:
        raise InvalidInput(
            f"网格边长须在 {GRID_SIDES[0]} 到 {GRID_SIDES[1]} 之间 / grid side out of range",
            code="bad_grid",
            side=side,
        )
    lons = [p[0] for _, _, ring, _ in communities for p in ring]
    lats = [p[1] for _, _, ring, _ in communities for p in ring]
    if not lons:
        return []
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    dx, dy = (east - west) / side, (north - south) / side
    if dx <= 0 or dy <= 0:
        return []
    owner = np.full(side * side, -1, dtype=np.int64)
    for index in range(side * side):
        r, c = divmod(index, side)
        lat, lon = south + (r + 0.5) * dy, west + (c + 0.5) * dx
        for n, (_, _, ring, _) in enumerate(communities):
            if point_in_ring(lat, lon, ring):
                owner[index] = n
                break
    located = ~(np.isnan(frame.lat) | np.isnan(frame.lon))
    row = np.floor((frame.lat[located] - south) / dy).astype(np.int64)
    col = np.floor((frame.lon[located] - west) / dx).astype(np.int64)
    inside = (row >= 0) & (row < side) & (col >= 0) & (col < side)
    cell = row[inside] * side + col[inside]
    hours = frame.local_hours()[located][inside]
    per_cell = np.bincount(cell * 24 + hours, minlength=side * side * 24).reshape(-1, 24)
    kept = _largest_block(owner >= 0, side)
    result = []
    for index in np.flatnonzero(kept).tolist():
        r, c = divmod(index, side)
        w, s = west + c * dx, south + r * dy
        _, name, _, beat = communities[int(owner[index])]
        result.append(
            Area(
                index,
                f"{name}·{r + 1:02d}-{c + 1:02d}",
                [[w, s], [w + dx, s], [w + dx, s + dy], [w, s + dy], [w, s]],
                beat,
                float(per_cell[index].sum()),
                per_cell[index],
                group=name,
            )
        )
    return result


def _largest_block(inside: np.ndarray, side: int) -> np.ndarray:
    """The largest 4-connected block of cells (a beat cannot cross a gap in the jurisdiction)."""
    block = np.full(inside.size, -1, dtype=np.int64)
    sizes: list[int] = []
    for start in np.flatnonzero(inside).tolist():
        if block[start] >= 0:
            continue
        label, stack, size = len(sizes), [start], 0
        block[start] = label
        while stack:
            cell = stack.pop()
            size += 1
            r, c = divmod(cell, side)
            for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                other = rr * side + cc
                if 0 <= rr < side and 0 <= cc < side and inside[other] and block[other] < 0:
                    block[other] = label
                    stack.append(other)
        sizes.append(size)
    if not sizes:
        return np.zeros(inside.size, dtype=np.bool_)
    kept: np.ndarray = block == int(np.argmax(sizes))
    return kept
