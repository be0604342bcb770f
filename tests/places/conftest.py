"""Road fixtures: a small generated town and the networkx reference ETA."""

from __future__ import annotations

import pytest
from road_reference import ReferenceEta, networkx_eta

from jingwu.places.citygen import generate_grid_city
from jingwu.places.roadgraph import RoadGraph, build_graph


@pytest.fixture(scope="session")
def small_city() -> RoadGraph:
    network = generate_grid_city(900, seed=11)
    return build_graph(network.nodes, network.edges)


@pytest.fixture(scope="session")
def reference_eta() -> ReferenceEta:
    return networkx_eta
