"""Storing and loading the road network; closures written through to the live graph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from jingwu.core.errors import InvalidInput, NotFound
from jingwu.places.road_models import RoadEdge, RoadNode
from jingwu.places.roadgraph import (
    RoadEdgeRecord,
    RoadGraph,
    RoadNodeRecord,
    SpeedProfile,
    build_graph,
    check_slow_factor,
    haversine_m_array,
)

INSERT_BATCH = 20_000


@dataclass(frozen=True, slots=True)
class StoredNetwork:
    node_count: int
    edge_count: int


def store_network(
    session: Session, *, nodes: Sequence[RoadNodeRecord], edges: Sequence[RoadEdgeRecord]
) -> StoredNetwork:
    """Replace the stored road network (one per station) with these nodes and edges.

    Record node ids (OSM ids on import) are kept as `osm_id`; rows get fresh ids 1..n.
    """
    row_of = {node.node_id: row for row, node in enumerate(nodes, start=1)}
    if len(row_of) != len(nodes):
        raise InvalidInput("道路节点编号重复 / duplicate road node ids", code="bad_road_network")
    missing = next((i for e in edges for i in (e.source_id, e.target_id) if i not in row_of), None)
    if missing is not None:
        raise InvalidInput(
            "道路引用了不存在的节点 / edge refers to a missing node",
            code="bad_road_network",
            node_id=missing,
        )
    session.execute(delete(RoadEdge))
    session.execute(delete(RoadNode))
    node_rows: list[dict[str, object]] = [
        {"id": row, "osm_id": node.node_id, "lat": node.lat, "lon": node.lon}
        for row, node in enumerate(nodes, start=1)
    ]
    _insert_batched(session, RoadNode, node_rows)
    _insert_batched(session, RoadEdge, _edge_rows(nodes, edges, row_of))
    session.flush()
    return StoredNetwork(node_count=len(nodes), edge_count=len(edges))


def _edge_rows(
    nodes: Sequence[RoadNodeRecord], edges: Sequence[RoadEdgeRecord], row_of: dict[int, int]
) -> list[dict[str, object]]:
    lat = np.asarray([0.0, *(n.lat for n in nodes)])
    lon = np.asarray([0.0, *(n.lon for n in nodes)])
    sources = np.asarray([row_of[e.source_id] for e in edges], dtype=np.int64)
    targets = np.asarray([row_of[e.target_id] for e in edges], dtype=np.int64)
    measured = haversine_m_array(lat[sources], lon[sources], lat[targets], lon[targets]).tolist()
    return [
        {
            "id": row,
            "source_id": int(source),
            "target_id": int(target),
            "length_m": measured[row - 1] if e.length_m is None else e.length_m,
            "road_class": e.road_class[:32],
            "maxspeed_kmh": e.maxspeed_kmh,
            "oneway": e.oneway,
            "name": e.name[:200],
            "closed": e.closed,
            "slow_factor": check_slow_factor(e.slow_factor),
        }
        for row, (e, source, target) in enumerate(
            zip(edges, sources.tolist(), targets.tolist(), strict=True), start=1
        )
    ]


def _insert_batched(
    session: Session, model: type[RoadNode] | type[RoadEdge], rows: list[dict[str, object]]
) -> None:
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(insert(model), rows[start : start + INSERT_BATCH])


def load_graph(session: Session, *, profile: SpeedProfile | None = None) -> RoadGraph:
    """The stored network as an in-memory graph; node and edge ids are the row ids."""
    nodes = [
        RoadNodeRecord(node_id, lat, lon)
        for node_id, lat, lon in session.execute(
            select(RoadNode.id, RoadNode.lat, RoadNode.lon).order_by(RoadNode.id)
        )
    ]
    columns = (
        RoadEdge.id,
        RoadEdge.source_id,
        RoadEdge.target_id,
        RoadEdge.length_m,
        RoadEdge.road_class,
        RoadEdge.maxspeed_kmh,
        RoadEdge.oneway,
        RoadEdge.name,
        RoadEdge.closed,
        RoadEdge.slow_factor,
    )
    edges = [
        RoadEdgeRecord(
            source_id=source,
            target_id=target,
            road_class=road_class,
            name=name,
            maxspeed_kmh=maxspeed,
            oneway=oneway,
            length_m=length,
            edge_id=edge_id,
            closed=closed,
            slow_factor=slow,
        )
        for (
            edge_id,
            source,
            target,
            length,
            road_class,
            maxspeed,
            oneway,
            name,
            closed,
            slow,
        ) in session.execute(select(*columns).order_by(RoadEdge.id))
    ]
    return build_graph(nodes, edges, profile=profile)


def set_closure(
    session: Session,
    *,
    edge_id: int,
    closed: bool,
    slow_factor: float = 1.0,
    graph: RoadGraph | None = None,
) -> RoadEdge:
    """Close or slow a road edge; with `graph`, the live graph routes around it at once."""
    check_slow_factor(slow_factor)
    edge = session.get(RoadEdge, edge_id)
    if edge is None:
        raise NotFound("没有这条道路 / no such road edge", edge_id=edge_id)
    edge.closed = closed
    edge.slow_factor = slow_factor
    session.flush()
    if graph is not None:
        graph.set_closure(edge_id=edge_id, closed=closed, slow_factor=slow_factor)
    return edge
