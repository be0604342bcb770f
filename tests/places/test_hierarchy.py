"""The contraction hierarchy answers exactly what a plain Dijkstra answers, on any graph."""

from __future__ import annotations

import itertools
import math
import threading
from datetime import UTC, datetime

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingwu.places import hierarchy as hierarchy_module
from jingwu.places.citygen import generate_grid_city
from jingwu.places.hierarchy import build_hierarchy, hierarchy_for
from jingwu.places.roadgraph import RoadGraph, build_graph
from jingwu.places.routing import Recommendation, UnitPosition, rank_units

NOON_LOCAL = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def seconds_by_networkx(
    node_count: int,
    tails: np.ndarray,
    heads: np.ndarray,
    seconds: np.ndarray,
    seeds: list[tuple[int, float]],
    *,
    toward: bool = True,
) -> np.ndarray:
    """The reference: networkx's Dijkstra from a node joined to the seeds, over reversed arcs
    (time to the seeds) or forward arcs (time from them)."""
    reference = nx.DiGraph()
    reference.add_nodes_from(range(node_count))
    for tail, head, cost in zip(tails.tolist(), heads.tolist(), seconds.tolist(), strict=True):
        start, end = (head, tail) if toward else (tail, head)
        known = reference.get_edge_data(start, end, {"w": math.inf})["w"]
        if math.isfinite(cost) and cost < known:
            reference.add_edge(start, end, w=cost)
    for node, cost in seeds:
        known = reference.get_edge_data("target", node, {"w": math.inf})["w"]
        reference.add_edge("target", node, w=min(cost, known))
    found = nx.single_source_dijkstra_path_length(reference, "target", weight="w")
    return np.asarray([found.get(node, math.inf) for node in range(node_count)])


@st.composite
def arc_lists(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Small directed graphs with everything awkward: loops, parallel, free and closed arcs."""
    node_count = draw(st.integers(1, 30))
    node = st.integers(0, node_count - 1)
    cost = st.one_of(st.floats(0.0, 500.0), st.just(0.0), st.just(math.inf))
    arcs = draw(st.lists(st.tuples(node, node, cost), max_size=90))
    tails = np.asarray([a[0] for a in arcs], dtype=np.int64)
    heads = np.asarray([a[1] for a in arcs], dtype=np.int64)
    seconds = np.asarray([a[2] for a in arcs], dtype=np.float64)
    return node_count, tails, heads, seconds


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=arc_lists(), data=st.data())
def test_fully_contracted_hierarchy_equals_dijkstra_on_any_graph(
    graph: tuple[int, np.ndarray, np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    node_count, tails, heads, seconds = graph
    seeds = data.draw(
        st.lists(
            st.tuples(st.integers(0, node_count - 1), st.floats(0.0, 100.0)),
            min_size=1,
            max_size=2,
        )
    )
    contracted = build_hierarchy(node_count, tails, heads, seconds, core_limit=0)
    expected = seconds_by_networkx(node_count, tails, heads, seconds, seeds)
    np.testing.assert_allclose(contracted.seconds_to(seeds), expected, rtol=1e-9, atol=1e-9)
    outward = seconds_by_networkx(node_count, tails, heads, seconds, seeds, toward=False)
    np.testing.assert_allclose(contracted.seconds_from(seeds), outward, rtol=1e-9, atol=1e-9)


@pytest.fixture(scope="module")
def town() -> RoadGraph:
    network = generate_grid_city(3000, seed=4)
    return build_graph(network.nodes, network.edges)


def test_town_hierarchy_has_levels_and_matches_dijkstra_everywhere(town: RoadGraph) -> None:
    seconds = town.weights(NOON_LOCAL).seconds
    tails, heads = town.arc_tail.astype(np.int64), town.arc_head.astype(np.int64)
    contracted = build_hierarchy(town.node_count, tails, heads, seconds, core_limit=40)
    assert contracted.level_count > 8
    assert contracted.shortcut_count > 0
    assert contracted.core_size <= 40
    assert contracted.memory_bytes() > 0
    rng = np.random.default_rng(7)
    for _ in range(6):
        seeds = [(int(rng.integers(town.node_count)), float(rng.uniform(0, 30))) for _ in range(2)]
        expected = seconds_by_networkx(town.node_count, tails, heads, seconds, seeds)
        np.testing.assert_allclose(contracted.seconds_to(seeds), expected, rtol=1e-9)
        outward = seconds_by_networkx(town.node_count, tails, heads, seconds, seeds, toward=False)
        np.testing.assert_allclose(contracted.seconds_from(seeds), outward, rtol=1e-9)


def route_seconds(graph: RoadGraph, path_nodes: list[int]) -> float:
    seconds = graph.weights(NOON_LOCAL).seconds
    total = 0.0
    for tail, head in itertools.pairwise(path_nodes):
        arcs = range(int(graph.indptr[tail]), int(graph.indptr[tail + 1]))
        total += min(seconds[a] for a in arcs if graph.arc_head[a] == head)
    return total


def test_routes_walked_down_the_hierarchy_cost_what_the_eta_says(town: RoadGraph) -> None:
    rng = np.random.default_rng(3)
    picks = rng.integers(0, town.node_count, 9)
    units = [
        UnitPosition(i, float(town.node_lat[n]), float(town.node_lon[n]))
        for i, n in enumerate(picks[1:].tolist())
    ]
    incident = int(picks[0])
    result = rank_units(
        town,
        lat=float(town.node_lat[incident]),
        lon=float(town.node_lon[incident]),
        units=units,
        at=NOON_LOCAL,
        routes_for_top=8,
    )
    assert result.search.labels is not None, "answered by the hierarchy"
    for entry in result.ranked:
        assert entry.route is not None
        junctions = [
            int(np.flatnonzero((town.node_lat == lat) & (town.node_lon == lon))[0])
            for lat, lon in entry.route.path[1:-1]
        ]
        leaving = entry.eta_s - route_seconds(town, junctions)
        assert leaving >= -1e-6, "the route can't be faster than the ETA"
        assert leaving <= 120, "what's left is the partial legs at each end"


def test_large_graph_answers_by_dijkstra_while_its_hierarchy_builds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    network = generate_grid_city(3000, seed=4)
    graph = build_graph(network.nodes, network.edges)
    release = threading.Event()
    real_build = build_hierarchy

    def slow_build(*args: object, **kwargs: object) -> object:
        release.wait(30)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hierarchy_module, "SYNC_BUILD_NODE_LIMIT", 100)
    monkeypatch.setattr(hierarchy_module, "build_hierarchy", slow_build)
    units = [UnitPosition(i, *_point(graph, i)) for i in range(12)]
    lat, lon = _point(graph, 99)

    def ask() -> Recommendation:
        return rank_units(graph, lat=lat, lon=lon, units=units, at=NOON_LOCAL)

    while_building = ask()
    assert while_building.search.labels is None, "Dijkstra fallback"
    release.set()
    assert hierarchy_for(graph, graph.weights(NOON_LOCAL), wait=True) is not None
    built = ask()
    assert built.search.labels is not None, "the hierarchy, once ready"
    assert [e.unit_id for e in built.ranked] == [e.unit_id for e in while_building.ranked]
    for old, new in zip(while_building.ranked, built.ranked, strict=True):
        assert new.eta_s == pytest.approx(old.eta_s, rel=1e-9)
    assert built.ranked[0].route is not None
    assert while_building.ranked[0].route is not None
    assert built.ranked[0].route.distance_m == pytest.approx(
        while_building.ranked[0].route.distance_m, rel=1e-6
    )


def _point(graph: RoadGraph, index: int) -> tuple[float, float]:
    node = (index * 7919) % graph.node_count
    return float(graph.node_lat[node]), float(graph.node_lon[node])
