"""Which unit gets there first: one exact one-to-all search per incident, toward the incident.

The incident sits part-way along an edge, so it is entered from that edge's ends at the
partial travel times (the *seeds*). One search gives the travel time from every junction to
it — normally a PHAST query over the contraction hierarchy (`places.hierarchy`), or, while a
large graph's hierarchy is still being built, SciPy's Dijkstra over the reversed arcs. Each
unit likewise sits on an edge and leaves it through whichever end gives the smaller total.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from jingwu.core.errors import NotFound
from jingwu.core.geo import check_point
from jingwu.places.hierarchy import Labels, hierarchy_for
from jingwu.places.kernels import walk_down
from jingwu.places.roadgraph import F64, I64, ArcWeights, RoadGraph, SnappedPoint

UnitKey = int | str
ROUTE_NAME_LIMIT = 2
SNAP_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class UnitPosition:
    unit_id: UnitKey
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class KeyPoint:
    key_point_id: UnitKey
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class RouteDetail:
    distance_m: float
    path: list[tuple[float, float]]
    road_names: list[str]
    explanation: str


class UnitEta(NamedTuple):
    """One unit's place in the ranking (a tuple: a recommendation makes hundreds at once)."""

    unit_id: UnitKey
    rank: int
    eta_s: float
    snapped: SnappedPoint
    route: RouteDetail | None

    @property
    def reachable(self) -> bool:
        return math.isfinite(self.eta_s)


@dataclass(frozen=True, slots=True)
class _Search:
    """The search toward one incident: how it is entered, and the seconds to it from every
    junction — hierarchy labels, or (Dijkstra fallback) an array plus the next junction."""

    graph: RoadGraph
    weights: ArcWeights
    incident: SnappedPoint
    seeds: list[tuple[int, float]]
    labels: Labels | None
    dijkstra_seconds: F64 | None
    next_toward_incident: npt.NDArray[np.int32] | None

    def seconds_at(self, nodes: I64) -> F64:
        if self.labels is not None:
            return self.labels.at(nodes)
        assert self.dijkstra_seconds is not None
        return self.dijkstra_seconds[nodes]

    @property
    def seconds_to_incident(self) -> F64:
        """From every junction (finishing every label: for checks, not the hot path)."""
        return self.seconds_at(np.arange(self.graph.node_count))


@dataclass(frozen=True, slots=True)
class Recommendation:
    incident: SnappedPoint
    ranked: list[UnitEta]
    search: _Search
    exits: dict[UnitKey, int]

    def route_for(self, unit_id: UnitKey) -> RouteDetail:
        for entry in self.ranked:
            if entry.unit_id == unit_id:
                return entry.route or _route(self.search, entry, self.exits[unit_id])
        raise NotFound("该单位不在推荐中 / unit not in this recommendation", unit_id=unit_id)


@dataclass(frozen=True, slots=True)
class KeyPointCoverage:
    key_point_id: UnitKey
    name: str
    eta_s: float
    within_minutes: int | None


@dataclass(frozen=True, slots=True)
class CoverageReport:
    minutes: tuple[int, ...]
    node_eta_s: F64
    node_share_within: dict[int, float]
    key_points: list[KeyPointCoverage]

    @property
    def uncovered(self) -> list[KeyPointCoverage]:
        return [point for point in self.key_points if point.within_minutes is None]


def rank_units(
    graph: RoadGraph,
    *,
    lat: float,
    lon: float,
    units: Sequence[UnitPosition],
    at: datetime | None = None,
    routes_for_top: int = 3,
) -> Recommendation:
    """Every unit ranked by exact road ETA to the incident at (lat, lon), fastest first.

    Routes (path, distance, road names, explanation) are built for the first `routes_for_top`
    units; `Recommendation.route_for` builds any other on demand from the same search.
    """
    check_point(lat, lon)
    incident = graph.snap(lat, lon)
    search = _search_from_incident(graph, incident, graph.weights(at))
    snapped = snap_units(graph, units)
    etas, exits = _unit_etas(search, snapped)
    order = np.argsort(etas, kind="stable").tolist()
    eta_list, exit_list = etas.tolist(), exits.tolist()
    ranked = [
        UnitEta(units[position].unit_id, rank, eta_list[position], snapped[position], None)
        for rank, position in enumerate(order, start=1)
    ]
    exit_by_unit = {units[position].unit_id: exit_list[position] for position in order}
    for rank, entry in enumerate(ranked[:routes_for_top]):
        if entry.reachable:
            route = _route(search, entry, exit_by_unit[entry.unit_id])
            ranked[rank] = entry._replace(route=route)
    return Recommendation(incident=incident, ranked=ranked, search=search, exits=exit_by_unit)


def snap_units(graph: RoadGraph, units: Sequence[UnitPosition]) -> list[SnappedPoint]:
    """Snap unit positions, remembering each: most units have not moved since the last query."""
    cache: dict[tuple[float, float], SnappedPoint] = graph.memo("unit_snaps", dict)
    if len(cache) > SNAP_CACHE_LIMIT:
        cache.clear()
    fresh = sorted({(u.lat, u.lon) for u in units if (u.lat, u.lon) not in cache})
    if fresh:
        lats, lons = zip(*fresh, strict=True)
        spots = graph.snap_many(np.asarray(lats, np.float64), np.asarray(lons, np.float64))
        cache.update(zip(fresh, spots, strict=True))
    return [cache[(u.lat, u.lon)] for u in units]


def _reverse_matrix(graph: RoadGraph, weights: ArcWeights) -> csr_matrix:
    """Reversed arcs plus a virtual last node with two spare arcs, rewritten per query."""
    arcs = graph.arc_count
    data = np.concatenate([weights.seconds[graph.rev_arc], np.zeros(2)])
    indices = np.concatenate([graph.rev_tail, np.zeros(2, np.int32)]).astype(np.int32)
    indptr = np.concatenate([graph.rev_indptr, [arcs + 2]]).astype(np.int32)
    size = graph.node_count + 1
    return csr_matrix((data, indices, indptr), shape=(size, size), copy=False)


def _search_from_incident(graph: RoadGraph, incident: SnappedPoint, weights: ArcWeights) -> _Search:
    seeds = incident_seeds(graph, incident, weights)
    hierarchy = hierarchy_for(graph, weights)
    if hierarchy is not None:
        return _Search(graph, weights, incident, seeds, hierarchy.labels_to(seeds), None, None)
    seconds, previous = dijkstra_toward(graph, weights, seeds)
    return _Search(graph, weights, incident, seeds, None, seconds, previous)


def dijkstra_toward(
    graph: RoadGraph, weights: ArcWeights, seeds: list[tuple[int, float]]
) -> tuple[F64, npt.NDArray[np.int32]]:
    """Seconds to the target from every junction, and the next junction toward it, by one
    SciPy Dijkstra over the reversed arcs: the answer while a hierarchy is being built, and
    the bench's compiled baseline."""
    matrix = graph.memo(("reverse_matrix", weights.key), lambda: _reverse_matrix(graph, weights))
    with graph.query_lock:
        matrix.indices[-2:] = [seeds[0][0], seeds[-1][0]]
        matrix.data[-2:] = [seeds[0][1], seeds[-1][1]]
        seconds, previous = dijkstra(
            matrix, directed=True, indices=graph.node_count, return_predecessors=True
        )
    return seconds, previous.astype(np.int32)


def incident_seeds(
    graph: RoadGraph, incident: SnappedPoint, weights: ArcWeights
) -> list[tuple[int, float]]:
    """Where the incident is entered: from its edge's source, and its target if two-way."""
    edge, fraction = incident.edge, incident.fraction
    forward, backward = graph.edge_forward_arc[edge], graph.edge_backward_arc[edge]
    seeds = [(int(graph.edge_source[edge]), float(fraction * weights.open_seconds[forward]))]
    if backward >= 0:
        to_target = (1.0 - fraction) * weights.open_seconds[backward]
        seeds.append((int(graph.edge_target[edge]), float(to_target)))
    return seeds


def _unit_etas(search: _Search, snapped: list[SnappedPoint]) -> tuple[F64, I64]:
    """ETA per unit and the node it leaves its own edge by (-1: straight along to the incident)."""
    graph, open_seconds = search.graph, search.weights.open_seconds
    edge = np.asarray([s.edge for s in snapped], dtype=np.int64)
    fraction = np.asarray([s.fraction for s in snapped], dtype=np.float64)
    forward, backward = graph.edge_forward_arc[edge], graph.edge_backward_arc[edge]
    head, tail = graph.edge_target[edge], graph.edge_source[edge]
    has_backward = backward >= 0
    at_ends = search.seconds_at(np.concatenate([head, tail]).astype(np.int64))
    via_head = (1.0 - fraction) * open_seconds[forward] + at_ends[: head.size]
    via_tail = np.where(
        has_backward,
        fraction * open_seconds[np.maximum(backward, 0)] + at_ends[head.size :],
        np.inf,
    )
    incident = search.incident
    same_edge = edge == incident.edge
    ahead = same_edge & (fraction <= incident.fraction)
    behind = same_edge & has_backward & (fraction >= incident.fraction)
    direct = np.full(edge.shape, np.inf)
    direct[ahead] = (incident.fraction - fraction[ahead]) * open_seconds[forward[ahead]]
    direct[behind] = np.minimum(
        direct[behind], (fraction[behind] - incident.fraction) * open_seconds[backward[behind]]
    )
    options = np.vstack([via_head, via_tail, direct]) if len(snapped) else np.zeros((3, 0))
    choice = np.argmin(options, axis=0)
    exits = np.choose(
        choice, [head.astype(np.int64), tail.astype(np.int64), np.full_like(edge, -1)]
    )
    return options.min(axis=0) if len(snapped) else np.zeros(0), exits


def _route(search: _Search, entry: UnitEta, exit_node: int) -> RouteDetail:
    graph, unit, incident = search.graph, entry.snapped, search.incident
    if exit_node < 0:
        distance = abs(incident.fraction - unit.fraction) * graph.edge_length_m[unit.edge]
        name_length = {graph.names[int(graph.edge_name[unit.edge])]: float(distance)}
        path = [(unit.lat, unit.lon), (incident.lat, incident.lon)]
        return _detail(float(distance), entry.eta_s, path, name_length)
    nodes = _nodes_toward_incident(search, exit_node)
    arcs = _cheapest_arcs(graph, search.weights.seconds, nodes[:-1], nodes[1:])
    leaving = graph.edge_length_m[unit.edge] * (
        1.0 - unit.fraction if exit_node == graph.edge_target[unit.edge] else unit.fraction
    )
    last = int(nodes[-1])
    arriving = graph.edge_length_m[incident.edge] * (
        incident.fraction if last == graph.edge_source[incident.edge] else 1.0 - incident.fraction
    )
    lengths = np.concatenate([[leaving], graph.edge_length_m[graph.arc_edge[arcs]], [arriving]])
    name_ids = np.concatenate(
        [
            [graph.edge_name[unit.edge]],
            graph.edge_name[graph.arc_edge[arcs]],
            [graph.edge_name[incident.edge]],
        ]
    ).astype(np.int64)
    totals = np.bincount(name_ids, weights=lengths)
    name_length = {graph.names[i]: float(totals[i]) for i in np.flatnonzero(totals).tolist()}
    junctions = zip(graph.node_lat[nodes].tolist(), graph.node_lon[nodes].tolist(), strict=True)
    path = [(unit.lat, unit.lon), *junctions, (incident.lat, incident.lon)]
    return _detail(float(lengths.sum()), entry.eta_s, path, name_length)


def _nodes_toward_incident(search: _Search, start: int) -> I64:
    """Junctions from `start` to where the incident is entered, along a fastest route."""
    labels = search.labels
    if labels is not None:
        graph, hierarchy = search.graph, labels.hierarchy
        route = np.empty(graph.node_count, dtype=np.int64)
        length = walk_down(
            graph.indptr,
            graph.arc_head,
            search.weights.seconds,
            hierarchy.position,
            *labels.finish_args(),
            start,
            np.asarray([node for node, _ in search.seeds], dtype=np.int64),
            np.asarray([cost for _, cost in search.seeds], dtype=np.float64),
            route,
        )
        return route[:length]
    virtual = search.graph.node_count
    previous = search.next_toward_incident
    assert previous is not None, "the Dijkstra fallback keeps its predecessors"
    nodes = [start]
    node = int(previous[start])
    while node != virtual:
        nodes.append(node)
        node = int(previous[node])
    return np.asarray(nodes, dtype=np.int64)


def _cheapest_arcs(graph: RoadGraph, seconds: F64, tails: I64, heads: I64) -> I64:
    """For each consecutive pair of route nodes, the fastest arc joining them."""
    first, stop = graph.indptr[tails].astype(np.int64), graph.indptr[tails + 1].astype(np.int64)
    best = np.full(tails.shape, -1, dtype=np.int64)
    best_seconds = np.full(tails.shape, np.inf)
    widest = int((stop - first).max()) if tails.size else 0
    for offset in range(widest):
        arc = np.minimum(first + offset, graph.arc_count - 1)
        better = (first + offset < stop) & (graph.arc_head[arc] == heads)
        better &= seconds[arc] <= best_seconds
        best = np.where(better, arc, best)
        best_seconds = np.where(better, seconds[arc], best_seconds)
    return best


def _detail(
    distance_m: float, eta_s: float, path: list[tuple[float, float]], name_length: dict[str, float]
) -> RouteDetail:
    named = sorted(((length, name) for name, length in name_length.items() if name), reverse=True)[
        :ROUTE_NAME_LIMIT
    ]
    names = [name for _, name in named]
    return RouteDetail(
        distance_m, path, names, explain(distance_m=distance_m, eta_s=eta_s, names=names)
    )


def explain(*, distance_m: float, eta_s: float, names: Sequence[str]) -> str:
    """ "2.3 km · 4 分钟 · 经雷锋大道" — what the dispatcher reads beside each unit."""
    distance = f"{distance_m / 1000:.1f} km" if distance_m >= 1000 else f"{distance_m:.0f} m"
    minutes = max(1, round(eta_s / 60))
    parts = [distance, f"{minutes} 分钟"]
    if names:
        parts.append("经" + "、".join(names))
    return " · ".join(parts)


def coverage(
    graph: RoadGraph,
    *,
    unit_positions: Sequence[UnitPosition],
    minutes: Sequence[int] = (3, 5, 10),
    key_points: Sequence[KeyPoint] = (),
    at: datetime | None = None,
) -> CoverageReport:
    """How fast the nearest unit reaches every node and key point (one multi-source search)."""
    bands = tuple(sorted(int(m) for m in minutes))
    weights = graph.weights(at)
    node_eta = _nearest_unit_seconds(graph, weights, unit_positions)
    shares = {m: float(np.mean(node_eta <= m * 60.0)) if node_eta.size else 0.0 for m in bands}
    reports: list[KeyPointCoverage] = []
    if key_points:
        snapped = graph.snap_many(
            np.asarray([p.lat for p in key_points]), np.asarray([p.lon for p in key_points])
        )
        for point, spot in zip(key_points, snapped, strict=True):
            eta = _seconds_to_point(graph, weights, node_eta, spot)
            band = next((m for m in bands if eta <= m * 60.0), None)
            reports.append(KeyPointCoverage(point.key_point_id, point.name, eta, band))
    return CoverageReport(bands, node_eta, shares, reports)


def _nearest_unit_seconds(
    graph: RoadGraph, weights: ArcWeights, unit_positions: Sequence[UnitPosition]
) -> F64:
    if not unit_positions:
        return np.full(graph.node_count, np.inf)
    snapped = snap_units(graph, unit_positions)  # shares the recommendations' snap cache
    edge = np.asarray([s.edge for s in snapped], dtype=np.int64)
    fraction = np.asarray([s.fraction for s in snapped])
    forward, backward = graph.edge_forward_arc[edge], graph.edge_backward_arc[edge]
    two_way = backward >= 0
    seed_nodes = np.concatenate([graph.edge_target[edge], graph.edge_source[edge][two_way]])
    seed_seconds = np.concatenate(
        [
            (1.0 - fraction) * weights.open_seconds[forward],
            fraction[two_way] * weights.open_seconds[backward[two_way]],
        ]
    )
    hierarchy = hierarchy_for(graph, weights)
    if hierarchy is not None:
        return hierarchy.seconds_from(
            list(zip(seed_nodes.tolist(), seed_seconds.tolist(), strict=True))
        )
    size = graph.node_count + 1
    matrix = csr_matrix(
        (
            np.concatenate([weights.seconds, seed_seconds]),
            np.concatenate([graph.arc_head, seed_nodes]).astype(np.int32),
            np.concatenate([graph.indptr, [graph.arc_count + seed_nodes.size]]).astype(np.int32),
        ),
        shape=(size, size),
    )
    seconds = dijkstra(matrix, directed=True, indices=graph.node_count)
    return np.asarray(seconds[: graph.node_count], dtype=np.float64)


def _seconds_to_point(
    graph: RoadGraph, weights: ArcWeights, node_eta: F64, spot: SnappedPoint
) -> float:
    source, target = graph.edge_source[spot.edge], graph.edge_target[spot.edge]
    best = (
        node_eta[source] + spot.fraction * weights.open_seconds[graph.edge_forward_arc[spot.edge]]
    )
    backward = graph.edge_backward_arc[spot.edge]
    if backward >= 0:
        best = min(best, node_eta[target] + (1.0 - spot.fraction) * weights.open_seconds[backward])
    return float(best)
