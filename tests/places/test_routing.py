from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from road_reference import ReferenceEta, reference_digraph

from jingwu.places.roadgraph import RoadEdgeRecord, RoadGraph, RoadNodeRecord, build_graph
from jingwu.places.routing import KeyPoint, UnitPosition, coverage, rank_units

NOON_LOCAL = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
RUSH_LOCAL = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)


def random_points(graph: RoadGraph, count: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    lats = rng.uniform(graph.node_lat.min(), graph.node_lat.max(), count)
    lons = rng.uniform(graph.node_lon.min(), graph.node_lon.max(), count)
    return list(zip(lats.tolist(), lons.tolist(), strict=True))


def line_graph(*, junctions: int = 5, oneway_middle: bool = False) -> RoadGraph:
    """Junctions 1..n about 200 m apart along one street, west to east; edge i joins i, i+1."""
    nodes = [RoadNodeRecord(i, 28.0, 112.0 + (i - 1) * 0.002) for i in range(1, junctions + 1)]
    edges = [
        RoadEdgeRecord(
            i, i + 1, "residential", name="东风路", edge_id=10 + i, oneway=oneway_middle and i == 2
        )
        for i in range(1, junctions)
    ]
    return build_graph(nodes, edges)


def test_every_unit_eta_agrees_with_networkx(
    small_city: RoadGraph, reference_eta: ReferenceEta
) -> None:
    units = [
        UnitPosition(f"car-{i}", lat, lon)
        for i, (lat, lon) in enumerate(random_points(small_city, 25, seed=1))
    ]
    for lat, lon in random_points(small_city, 4, seed=2):
        result = rank_units(small_city, lat=lat, lon=lon, units=units, at=NOON_LOCAL)
        etas = [entry.eta_s for entry in result.ranked]
        assert etas == sorted(etas)
        for entry in result.ranked:
            expected = reference_eta(small_city, result.incident, entry.snapped, NOON_LOCAL)
            assert entry.eta_s == pytest.approx(expected, rel=1e-9, abs=1e-9)


@st.composite
def small_networks(draw: st.DrawFn) -> tuple[list[RoadNodeRecord], list[RoadEdgeRecord]]:
    count = draw(st.integers(2, 9))
    coordinate = st.floats(0.0, 0.01, allow_nan=False)
    nodes = [
        RoadNodeRecord(i, 30.0 + draw(coordinate), 120.0 + draw(coordinate)) for i in range(count)
    ]
    pairs = st.tuples(
        st.integers(0, count - 1),
        st.integers(0, count - 1),
        st.booleans(),
        st.sampled_from(["primary", "residential", "service"]),
    )
    edges = [
        RoadEdgeRecord(a, b, road_class, oneway=oneway)
        for a, b, oneway, road_class in draw(st.lists(pairs, min_size=1, max_size=20))
    ]
    return nodes, edges


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    network=small_networks(),
    incident=st.tuples(st.floats(30.0, 30.01), st.floats(120.0, 120.01)),
    unit=st.tuples(st.floats(30.0, 30.01), st.floats(120.0, 120.01)),
)
def test_eta_equals_networkx_on_any_small_network(
    network: tuple[list[RoadNodeRecord], list[RoadEdgeRecord]],
    incident: tuple[float, float],
    unit: tuple[float, float],
    reference_eta: ReferenceEta,
) -> None:
    graph = build_graph(*network)
    result = rank_units(
        graph, lat=incident[0], lon=incident[1], units=[UnitPosition(1, *unit)], at=NOON_LOCAL
    )
    expected = reference_eta(graph, result.incident, result.ranked[0].snapped, NOON_LOCAL)
    assert result.ranked[0].eta_s == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_one_way_street_is_only_driven_one_way() -> None:
    graph = line_graph(oneway_middle=True)
    west = UnitPosition("west", 28.0, 112.0001)
    east = UnitPosition("east", 28.0, 112.0079)
    on_the_one_way = rank_units(graph, lat=28.0, lon=112.0035, units=[west, east], at=NOON_LOCAL)
    assert [(e.unit_id, e.reachable) for e in on_the_one_way.ranked] == [
        ("west", True),
        ("east", False),
    ]
    past_it = rank_units(graph, lat=28.0, lon=112.0055, units=[west, east], at=NOON_LOCAL)
    assert [(e.unit_id, e.reachable) for e in past_it.ranked] == [("east", True), ("west", True)]
    back_west = rank_units(
        graph, lat=28.0, lon=112.001, units=[UnitPosition("stuck", 28.0, 112.0035)], at=NOON_LOCAL
    )
    assert not back_west.ranked[0].reachable


def test_closure_and_slowdown_change_the_ranking() -> None:
    graph = line_graph(junctions=7)
    units = [UnitPosition("near", 28.0, 112.0035), UnitPosition("far", 28.0, 112.0115)]

    def ranking() -> list[tuple[str | int, bool]]:
        result = rank_units(graph, lat=28.0, lon=112.0070, units=units, at=NOON_LOCAL)
        return [(entry.unit_id, entry.reachable) for entry in result.ranked]

    assert ranking() == [("near", True), ("far", True)]
    graph.set_closure(edge_id=13, closed=True)
    assert ranking() == [("far", True), ("near", False)]
    graph.set_closure(edge_id=13, closed=False, slow_factor=8.0)
    assert ranking() == [("far", True), ("near", True)]
    graph.set_closure(edge_id=13, closed=False, slow_factor=1.0)
    assert ranking() == [("near", True), ("far", True)]


def test_route_detail_explains_distance_time_and_roads(small_city: RoadGraph) -> None:
    (lat, lon), *starts = random_points(small_city, 6, seed=5)
    units = [UnitPosition(i, a, b) for i, (a, b) in enumerate(starts)]
    result = rank_units(small_city, lat=lat, lon=lon, units=units, at=NOON_LOCAL, routes_for_top=2)
    assert [e.route is not None for e in result.ranked] == [True, True, False, False, False]
    for entry in result.ranked:
        route = result.route_for(entry.unit_id)
        assert route.path[0] == (entry.snapped.lat, entry.snapped.lon)
        assert route.path[-1] == (result.incident.lat, result.incident.lon)
        assert route.distance_m > 0
        assert re.fullmatch(r"(\d+\.\d km|\d+ m) · \d+ 分钟( · 经\S+)?", route.explanation)
        assert route.road_names, "generated streets all have names"
        assert route.road_names[0] in route.explanation
        straight = math.dist(route.path[0], route.path[-1]) * 111_000 * 0.88
        assert route.distance_m >= straight * 0.9


def test_unit_on_the_incidents_edge_drives_straight_there() -> None:
    graph = line_graph()
    result = rank_units(graph, lat=28.0, lon=112.0015, units=[UnitPosition(1, 28.0, 112.0005)])
    route = result.route_for(1)
    assert len(route.path) == 2
    assert route.distance_m == pytest.approx(graph.edge_length_m[0] / 2, rel=1e-6)


def test_rush_hour_is_slower_than_noon(small_city: RoadGraph) -> None:
    (lat, lon), (unit_lat, unit_lon) = random_points(small_city, 2, seed=8)
    units = [UnitPosition(1, unit_lat, unit_lon)]
    noon = rank_units(small_city, lat=lat, lon=lon, units=units, at=NOON_LOCAL).ranked[0]
    rush = rank_units(small_city, lat=lat, lon=lon, units=units, at=RUSH_LOCAL).ranked[0]
    assert rush.eta_s > noon.eta_s * 1.1


def test_coverage_agrees_with_networkx_multi_source(small_city: RoadGraph) -> None:
    units = [UnitPosition(i, a, b) for i, (a, b) in enumerate(random_points(small_city, 4, 9))]
    report = coverage(small_city, unit_positions=units, minutes=(1, 2), at=NOON_LOCAL)
    weights = small_city.weights(NOON_LOCAL)
    reference = reference_digraph(small_city, weights.seconds.tolist())
    for unit in units:
        spot = small_city.snap(unit.lat, unit.lon)
        edge = spot.edge
        forward = weights.open_seconds[small_city.edge_forward_arc[edge]]
        reference.add_edge(
            "units",
            int(small_city.edge_target[edge]),
            weight=min(
                (1 - spot.fraction) * forward,
                reference.get_edge_data(
                    "units", int(small_city.edge_target[edge]), {"weight": math.inf}
                )["weight"],
            ),
        )
        backward_arc = small_city.edge_backward_arc[edge]
        if backward_arc >= 0:
            node = int(small_city.edge_source[edge])
            known = reference.get_edge_data("units", node, {"weight": math.inf})["weight"]
            reference.add_edge(
                "units", node, weight=min(spot.fraction * weights.open_seconds[backward_arc], known)
            )
    expected = nx.single_source_dijkstra_path_length(reference, "units")
    for node in range(small_city.node_count):
        assert report.node_eta_s[node] == pytest.approx(expected.get(node, math.inf), rel=1e-9)
    assert 0 < report.node_share_within[1] < report.node_share_within[2] <= 1


def test_key_points_beyond_the_largest_band_are_reported_uncovered(small_city: RoadGraph) -> None:
    west, east = float(small_city.node_lon.min()), float(small_city.node_lon.max())
    middle = float(np.median(small_city.node_lat))
    report = coverage(
        small_city,
        unit_positions=[UnitPosition("car", middle, west)],
        minutes=(1,),
        key_points=[
            KeyPoint("school", "雷锋小学", middle, west + 0.0003),
            KeyPoint("market", "金星市场", middle, east),
        ],
        at=NOON_LOCAL,
    )
    assert [p.key_point_id for p in report.uncovered] == ["market"]
    assert report.key_points[0].within_minutes == 1
