from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from road_reference import nearest_edge_metres
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from jingwu.core.errors import InvalidInput, NotFound
from jingwu.places.citygen import generate_grid_city
from jingwu.places.roadgraph import (
    RoadEdgeRecord,
    RoadGraph,
    RoadNodeRecord,
    build_graph,
    haversine_m_array,
)

NOON_LOCAL = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
RUSH_LOCAL = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)


def triangle() -> RoadGraph:
    nodes = [
        RoadNodeRecord(100, 28.0, 112.0),
        RoadNodeRecord(200, 28.0, 112.002),
        RoadNodeRecord(300, 28.002, 112.0),
    ]
    edges = [
        RoadEdgeRecord(100, 200, "primary", name="雷锋大道", edge_id=7),
        RoadEdgeRecord(200, 300, "residential", oneway=True, edge_id=8),
        RoadEdgeRecord(300, 100, "residential", maxspeed_kmh=15.0, length_m=500.0, edge_id=9),
    ]
    return build_graph(nodes, edges)


def test_arcs_follow_one_way_and_both_csr_views_agree() -> None:
    graph = triangle()
    assert graph.arc_count == 5
    arcs = {
        (int(graph.arc_tail[a]), int(graph.arc_head[a]), int(graph.edge_ids[graph.arc_edge[a]]))
        for a in range(graph.arc_count)
    }
    assert arcs == {(0, 1, 7), (1, 0, 7), (1, 2, 8), (2, 0, 9), (0, 2, 9)}
    for node in range(graph.node_count):
        forward = graph.arc_head[graph.indptr[node] : graph.indptr[node + 1]]
        assert np.all(graph.arc_tail[graph.indptr[node] : graph.indptr[node + 1]] == node)
        incoming = graph.rev_arc[graph.rev_indptr[node] : graph.rev_indptr[node + 1]]
        assert np.all(graph.arc_head[incoming] == node)
        assert len(forward) == int(np.sum(graph.arc_tail == node))
    assert graph.edge_backward_arc[1] == -1


def test_travel_time_comes_from_class_speed_limit_and_hour() -> None:
    graph = triangle()
    noon = graph.weights(NOON_LOCAL).seconds
    primary_arc = graph.edge_forward_arc[0]
    length = haversine_m_array(
        np.array([28.0]), np.array([112.0]), np.array([28.0]), np.array([112.002])
    )[0]
    assert graph.edge_length_m[0] == pytest.approx(length)
    assert noon[primary_arc] == pytest.approx(length / (60 / 3.6))
    assert noon[graph.edge_forward_arc[2]] == pytest.approx(500.0 / (15 / 3.6))
    rush = graph.weights(RUSH_LOCAL).seconds
    assert rush[primary_arc] > noon[primary_arc] * 1.3


def test_closures_take_effect_at_once_and_reject_bad_input() -> None:
    graph = triangle()
    before = graph.weights(NOON_LOCAL).seconds.copy()
    graph.set_closure(edge_id=7, closed=True)
    closed = graph.weights(NOON_LOCAL)
    assert math.isinf(closed.seconds[graph.edge_forward_arc[0]])
    assert math.isinf(closed.seconds[graph.edge_backward_arc[0]])
    assert closed.open_seconds[graph.edge_forward_arc[0]] == before[graph.edge_forward_arc[0]]
    graph.set_closure(edge_id=9, closed=False, slow_factor=3.0)
    slowed = graph.weights(NOON_LOCAL).seconds
    assert slowed[graph.edge_forward_arc[2]] == pytest.approx(3 * before[graph.edge_forward_arc[2]])
    with pytest.raises(InvalidInput):
        graph.set_closure(edge_id=9, closed=False, slow_factor=0.5)
    with pytest.raises(NotFound):
        graph.set_closure(edge_id=404, closed=True)


def test_snap_gives_the_offset_along_the_edge() -> None:
    graph = triangle()
    quarter_lon = 112.0 + 0.25 * 0.002
    ten_metres_south = 10.0 / (math.pi / 180 * 6_371_008.8)
    spot = graph.snap(28.0 - ten_metres_south, quarter_lon)
    assert graph.edge_ids[spot.edge] == 7
    assert spot.fraction == pytest.approx(0.25, abs=1e-6)
    assert spot.distance_m == pytest.approx(10.0, rel=1e-3)
    assert (spot.lat, spot.lon) == pytest.approx((28.0, quarter_lon))
    assert graph.edge_id_at(27.99, 112.0019) == 7
    beyond_the_end = graph.snap(28.0, 112.01)
    assert (graph.edge_ids[beyond_the_end.edge], beyond_the_end.fraction) == (7, 1.0)


def test_snap_matches_brute_force_over_every_edge() -> None:
    network = generate_grid_city(1600, seed=3)
    graph = build_graph(network.nodes, network.edges)
    rng = np.random.default_rng(4)
    lats = rng.uniform(graph.node_lat.min() - 0.002, graph.node_lat.max() + 0.002, 200)
    lons = rng.uniform(graph.node_lon.min() - 0.002, graph.node_lon.max() + 0.002, 200)
    for lat, lon, spot in zip(lats, lons, graph.snap_many(lats, lons), strict=True):
        expected = nearest_edge_metres(graph, float(lat), float(lon))
        assert spot.distance_m == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_bad_networks_are_refused_clearly() -> None:
    node = RoadNodeRecord(1, 28.0, 112.0)
    with pytest.raises(InvalidInput, match="missing node"):
        build_graph([node], [RoadEdgeRecord(1, 2, "primary")])
    with pytest.raises(InvalidInput, match="duplicate"):
        build_graph([node, node], [])
    with pytest.raises(InvalidInput, match="empty"):
        build_graph([node], []).snap(28.0, 112.0)


def test_generated_city_is_plausible_and_strongly_connected() -> None:
    network = generate_grid_city(2500, seed=1)
    graph = build_graph(network.nodes, network.edges)
    assert graph.node_count >= 2400
    assert np.any(graph.edge_backward_arc < 0), "some one-way streets"
    assert "雷锋大道" in graph.names
    matrix = csr_matrix(
        (np.ones(graph.arc_count), graph.arc_head, graph.indptr),
        shape=(graph.node_count, graph.node_count),
    )
    components, _ = connected_components(matrix, directed=True, connection="strong")
    assert components == 1
    assert generate_grid_city(400, seed=5) == generate_grid_city(400, seed=5)


def test_memory_report_counts_the_arrays() -> None:
    graph = triangle()
    assert graph.memory_bytes() >= graph.arc_free_seconds.nbytes + graph.node_lat.nbytes
    assert graph.memory_bytes() < 10_000
