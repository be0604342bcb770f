"""Routing bench: rank every unit by exact road ETA on a city of 100,000+ junctions.

    python bench/routing.py            # 100k-node generated city, 500 units, 300 incidents
    python bench/routing.py --quick    # same city, fewer incidents and networkx samples
    python bench/routing.py --osm FILE # a real extract instead of the generated city

The networkx baseline is what a straightforward implementation does: one
`single_source_dijkstra` from each unit to the incident. Running it 500 times per incident
would take minutes, so it is timed on a sample of units and extrapolated to all of them;
every sampled ETA must agree with ours. A second, compiled baseline is SciPy's one-to-all
Dijkstra over the reversed graph (what routing falls back on while a hierarchy is built): it is
timed for every incident, and every junction's time to the incident must equal the hierarchy's.
The contraction itself is timed once, before the queries. The last line printed is one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from datetime import UTC, datetime

import networkx as nx
import numpy as np

from jingwu.places.citygen import generate_grid_city
from jingwu.places.hierarchy import hierarchy_for
from jingwu.places.osm_import import read_osm
from jingwu.places.roadgraph import RoadGraph, SnappedPoint, build_graph
from jingwu.places.routing import (
    Recommendation,
    UnitPosition,
    dijkstra_toward,
    incident_seeds,
    rank_units,
)

AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="finish within a minute")
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--moving-share", type=float, default=0.1)
    parser.add_argument("--nx-incidents", type=int, default=4)
    parser.add_argument("--nx-units", type=int, default=6)
    parser.add_argument("--osm", help="route on this .osm.pbf / .osm file instead")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.incidents, arguments.nx_incidents, arguments.nx_units = 60, 2, 4
    return arguments


def random_position(graph: RoadGraph, rng: np.random.Generator) -> tuple[float, float]:
    """Somewhere near a random junction, so positions follow where the roads are."""
    node = int(rng.integers(graph.node_count))
    jitter = rng.normal(0.0, 0.0002, size=2)
    return float(graph.node_lat[node] + jitter[0]), float(graph.node_lon[node] + jitter[1])


def networkx_graph(graph: RoadGraph) -> nx.DiGraph:
    seconds = graph.weights(AT).seconds
    reference = nx.DiGraph()
    reference.add_nodes_from(range(graph.node_count))
    for tail, head, cost in zip(
        graph.arc_tail.tolist(), graph.arc_head.tolist(), seconds.tolist(), strict=True
    ):
        if math.isfinite(cost) and cost < reference.get_edge_data(tail, head, {"w": math.inf})["w"]:
            reference.add_edge(tail, head, w=cost)
    return reference


def split_edge(
    reference: nx.DiGraph, graph: RoadGraph, spot: SnappedPoint, label: str, *, leaving: bool
) -> None:
    open_seconds = graph.weights(AT).open_seconds
    edge, fraction = spot.edge, spot.fraction
    source, target = int(graph.edge_source[edge]), int(graph.edge_target[edge])
    forward = float(open_seconds[graph.edge_forward_arc[edge]])
    legs = [(target, (1 - fraction) * forward)] if leaving else [(source, fraction * forward)]
    backward_arc = int(graph.edge_backward_arc[edge])
    if backward_arc >= 0:
        backward = float(open_seconds[backward_arc])
        legs.append(
            (source, fraction * backward) if leaving else (target, (1 - fraction) * backward)
        )
    for node, cost in legs:
        tail, head = (label, node) if leaving else (node, label)
        known = reference.get_edge_data(tail, head, {"w": math.inf})["w"]
        reference.add_edge(tail, head, w=min(cost, known))


def networkx_eta(
    reference: nx.DiGraph, graph: RoadGraph, incident: SnappedPoint, unit: SnappedPoint
) -> tuple[float, float]:
    """(ETA, seconds spent in networkx's Dijkstra) for one unit, the way a baseline would."""
    if unit.edge == incident.edge:
        raise LookupError("unit shares the incident's edge; not sampled")
    split_edge(reference, graph, incident, "incident", leaving=False)
    split_edge(reference, graph, unit, "unit", leaving=True)
    try:
        started = time.perf_counter()
        eta, _ = nx.single_source_dijkstra(reference, "unit", target="incident", weight="w")
        return float(eta), time.perf_counter() - started
    except nx.NetworkXNoPath:
        return math.inf, time.perf_counter() - started
    finally:
        reference.remove_nodes_from(["unit", "incident"])


def dijkstra_agrees(graph: RoadGraph, result: Recommendation) -> float:
    """SciPy's one-to-all Dijkstra toward the same incident: its milliseconds, after checking
    that every junction's time equals the hierarchy's."""
    weights = graph.weights(AT)
    seeds = incident_seeds(graph, result.incident, weights)
    started = time.perf_counter()
    expected, _ = dijkstra_toward(graph, weights, seeds)
    spent_ms = (time.perf_counter() - started) * 1000
    ours, expected = result.search.seconds_to_incident, expected[: graph.node_count]
    assert np.array_equal(np.isinf(ours), np.isinf(expected))
    finite = np.isfinite(ours)
    assert np.allclose(ours[finite], expected[finite], rtol=1e-9)
    return spent_ms


def main() -> None:
    arguments = parse_arguments()
    rng = np.random.default_rng(arguments.seed)
    started = time.perf_counter()
    if arguments.osm:
        network = read_osm(arguments.osm)
        source = arguments.osm
    else:
        network = generate_grid_city(arguments.nodes, arguments.seed)
        source = f"generated city, seed {arguments.seed}"
    graph = build_graph(network.nodes, network.edges)
    print(
        f"graph: {source}: {graph.node_count:,} nodes, {graph.edge_count:,} edges, "
        f"{graph.arc_count:,} arcs, {graph.memory_bytes() / 2**20:.1f} MiB of arrays, "
        f"built in {time.perf_counter() - started:.1f} s"
    )

    contracted = time.perf_counter()
    hierarchy = hierarchy_for(graph, graph.weights(AT), wait=True)
    assert hierarchy is not None
    hierarchy_seconds = time.perf_counter() - contracted
    print(
        f"hierarchy: {hierarchy.level_count} levels, {hierarchy.shortcut_count:,} shortcuts, "
        f"core of {hierarchy.core_size} junctions, {hierarchy.memory_bytes() / 2**20:.1f} MiB, "
        f"built in {hierarchy_seconds:.1f} s (first run includes compiling the kernels)"
    )

    units = [UnitPosition(i, *random_position(graph, rng)) for i in range(arguments.units)]
    rank_units(graph, lat=units[0].lat, lon=units[0].lon, units=units, at=AT)
    moving = max(0, round(arguments.moving_share * len(units)))
    latencies_ms: list[float] = []
    dijkstra_ms: list[float] = []
    # Keep whole recommendations only for the networkx sample: hundreds of thousands of kept
    # objects would make the garbage collector's pauses part of the measurement.
    recommendations: list[Recommendation] = []
    for _ in range(arguments.incidents):
        for index in rng.choice(len(units), size=moving, replace=False).tolist():
            units[index] = UnitPosition(index, *random_position(graph, rng))
        lat, lon = random_position(graph, rng)
        begun = time.perf_counter()
        result = rank_units(graph, lat=lat, lon=lon, units=units, at=AT)
        latencies_ms.append((time.perf_counter() - begun) * 1000)
        dijkstra_ms.append(dijkstra_agrees(graph, result))
        if len(recommendations) < arguments.nx_incidents:
            recommendations.append(result)
    p50 = float(np.percentile(latencies_ms, 50))
    p99 = float(np.percentile(latencies_ms, 99))
    print(
        f"ours: {len(latencies_ms)} incidents x {len(units)} units ranked "
        f"({moving} units moved before each): p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    print(
        f"SciPy Dijkstra over the reversed graph (one-to-all, compiled; the search alone): "
        f"median {statistics.median(dijkstra_ms):.2f} ms; every junction's time to every incident "
        f"equal to the hierarchy's (rel 1e-9)"
    )

    built = time.perf_counter()
    reference = networkx_graph(graph)
    print(f"networkx graph built in {time.perf_counter() - built:.1f} s (not timed below)")
    per_unit_seconds: list[float] = []
    checked = 0
    for result in recommendations[: arguments.nx_incidents]:
        sample = rng.choice(len(result.ranked), size=arguments.nx_units, replace=False)
        for position in sample.tolist():
            entry = result.ranked[position]
            try:
                expected, spent = networkx_eta(reference, graph, result.incident, entry.snapped)
            except LookupError:
                continue
            per_unit_seconds.append(spent)
            checked += 1
            assert math.isclose(entry.eta_s, expected, rel_tol=1e-9, abs_tol=1e-9), (
                f"unit {entry.unit_id}: ours {entry.eta_s} s, networkx {expected} s"
            )
    networkx_ms = statistics.mean(per_unit_seconds) * 1000 * len(units)
    speedup = networkx_ms / statistics.mean(latencies_ms)
    print(
        f"networkx: single_source_dijkstra from each unit to the incident, mean "
        f"{statistics.mean(per_unit_seconds) * 1000:.1f} ms per unit over {checked} sampled "
        f"units, EXTRAPOLATED to {len(units)} units: {networkx_ms / 1000:.1f} s per incident"
    )
    print(
        f"agreement: all {checked} sampled ETAs equal networkx's (rel 1e-9); "
        f"speedup {speedup:,.0f}x (networkx extrapolated / our mean)"
    )
    summary = {
        "bench": "routing",
        "graph": "osm" if arguments.osm else "generated",
        "nodes": graph.node_count,
        "arcs": graph.arc_count,
        "units": len(units),
        "incidents": len(latencies_ms),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "speedup_vs_networkx": round(speedup),
        "networkx_extrapolated_from_units": checked,
        "agree": True,
        "scipy_dijkstra_search_median_ms": round(statistics.median(dijkstra_ms), 2),
        "speedup_vs_scipy_dijkstra_search": round(statistics.median(dijkstra_ms) / p50, 1),
        "graph_mb": round(graph.memory_bytes() / 2**20, 1),
        "hierarchy_mb": round(hierarchy.memory_bytes() / 2**20, 1),
        "hierarchy_build_s": round(hierarchy_seconds, 1),
        "shortcuts": hierarchy.shortcut_count,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
