from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from jingwu.core.db import Base, Database
from jingwu.core.errors import InvalidInput, NotFound
from jingwu.places.citygen import generate_grid_city
from jingwu.places.road_models import RoadNode
from jingwu.places.road_service import load_graph, set_closure, store_network
from jingwu.places.roadgraph import RoadEdgeRecord, build_graph
from jingwu.places.routing import UnitPosition, rank_units

NOON_LOCAL = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'roads.db'}")
    tables = [Base.metadata.tables[name] for name in ("road_nodes", "road_edges")]
    Base.metadata.create_all(database.engine, tables=tables)
    return database


def test_stored_network_loads_back_into_the_same_graph(database: Database) -> None:
    network = generate_grid_city(400, seed=2)
    with database.sessions() as session:
        stored = store_network(session, nodes=network.nodes, edges=network.edges)
        session.commit()
    assert (stored.node_count, stored.edge_count) == (len(network.nodes), len(network.edges))
    with database.sessions() as session:
        loaded = load_graph(session)
    direct = build_graph(network.nodes, network.edges)
    assert loaded.node_count == direct.node_count
    assert loaded.arc_count == direct.arc_count
    assert loaded.edge_length_m == pytest.approx(direct.edge_length_m)
    assert loaded.weights(NOON_LOCAL).seconds == pytest.approx(direct.weights(NOON_LOCAL).seconds)
    assert loaded.names == direct.names


def test_closure_is_stored_and_reroutes_the_live_graph(database: Database) -> None:
    network = generate_grid_city(400, seed=2)
    with database.sessions() as session:
        store_network(session, nodes=network.nodes, edges=network.edges)
        session.commit()
        graph = load_graph(session)
    lat, lon = float(graph.node_lat[200]), float(graph.node_lon[200])
    units = [UnitPosition(1, float(graph.node_lat[10]), float(graph.node_lon[10]))]
    before = rank_units(graph, lat=lat, lon=lon, units=units, at=NOON_LOCAL).ranked[0].eta_s
    route = rank_units(graph, lat=lat, lon=lon, units=units, at=NOON_LOCAL).ranked[0].route
    assert route is not None
    middle_lat, middle_lon = route.path[len(route.path) // 2]
    edge_id = graph.edge_id_at(middle_lat, middle_lon)
    with database.sessions() as session:
        set_closure(session, edge_id=edge_id, closed=True, slow_factor=1.0, graph=graph)
        session.commit()
    after = rank_units(graph, lat=lat, lon=lon, units=units, at=NOON_LOCAL).ranked[0].eta_s
    assert after > before
    with database.sessions() as session:
        assert load_graph(session).edge_closed.sum() == 1
        with pytest.raises(NotFound):
            set_closure(session, edge_id=10**9, closed=True, slow_factor=1.0)
        with pytest.raises(InvalidInput):
            set_closure(session, edge_id=edge_id, closed=False, slow_factor=0.0)


def test_network_with_a_dangling_edge_is_refused_whole(database: Database) -> None:
    network = generate_grid_city(100, seed=2)
    bad = [*network.edges, RoadEdgeRecord(1, 999_999, "primary")]
    with database.sessions() as session:
        with pytest.raises(InvalidInput, match="missing node"):
            store_network(session, nodes=network.nodes, edges=bad)
        assert session.query(RoadNode).count() == 0
