"""A networkx reference for road ETAs, built from edges as the records describe them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime

import networkx as nx
import numpy as np

from jingwu.places.roadgraph import RoadGraph, SnappedPoint

ReferenceEta = Callable[[RoadGraph, SnappedPoint, SnappedPoint, datetime | None], float]


def reference_digraph(graph: RoadGraph, seconds: Sequence[float]) -> nx.DiGraph:
    """Arcs listed edge by edge from the records' view: source→target, and back if two-way."""
    reference = nx.DiGraph()
    reference.add_nodes_from(range(graph.node_count))
    for edge in range(graph.edge_count):
        pairs = [(graph.edge_forward_arc[edge], graph.edge_source[edge], graph.edge_target[edge])]
        if graph.edge_backward_arc[edge] >= 0:
            pairs.append(
                (graph.edge_backward_arc[edge], graph.edge_target[edge], graph.edge_source[edge])
            )
        for arc, tail, head in pairs:
            cost = float(seconds[arc])
            if math.isinf(cost):
                continue
            known = reference.get_edge_data(int(tail), int(head))
            if known is None or known["weight"] > cost:
                reference.add_edge(int(tail), int(head), weight=cost)
    return reference


def place_on(
    reference: nx.DiGraph,
    graph: RoadGraph,
    open_seconds: Sequence[float],
    spot: SnappedPoint,
    label: str,
    *,
    leaving: bool,
) -> None:
    """Split the spot's edge at the spot: arcs out of it (a unit) or into it (an incident)."""
    edge, fraction = spot.edge, spot.fraction
    source, target = int(graph.edge_source[edge]), int(graph.edge_target[edge])
    forward = float(open_seconds[graph.edge_forward_arc[edge]])
    legs = [(target, (1 - fraction) * forward)] if leaving else [(source, fraction * forward)]
    if graph.edge_backward_arc[edge] >= 0:
        backward = float(open_seconds[graph.edge_backward_arc[edge]])
        legs.append(
            (source, fraction * backward) if leaving else (target, (1 - fraction) * backward)
        )
    for node, cost in legs:
        tail, head = (label, node) if leaving else (node, label)
        known = reference.get_edge_data(tail, head, {"weight": math.inf})["weight"]
        reference.add_edge(tail, head, weight=min(cost, known))


def networkx_eta(
    graph: RoadGraph, incident: SnappedPoint, unit: SnappedPoint, at: datetime | None
) -> float:
    weights = graph.weights(at)
    reference = reference_digraph(graph, weights.seconds.tolist())
    return eta_on(reference, graph, weights.open_seconds.tolist(), incident, unit)


def eta_on(
    reference: nx.DiGraph,
    graph: RoadGraph,
    open_seconds: Sequence[float],
    incident: SnappedPoint,
    unit: SnappedPoint,
) -> float:
    place_on(reference, graph, open_seconds, incident, "incident", leaving=False)
    place_on(reference, graph, open_seconds, unit, "unit", leaving=True)
    if unit.edge == incident.edge:
        forward = float(open_seconds[graph.edge_forward_arc[unit.edge]])
        if unit.fraction <= incident.fraction:
            reference.add_edge(
                "unit", "incident", weight=(incident.fraction - unit.fraction) * forward
            )
        backward_arc = graph.edge_backward_arc[unit.edge]
        if backward_arc >= 0 and unit.fraction >= incident.fraction:
            cost = (unit.fraction - incident.fraction) * float(open_seconds[backward_arc])
            known = reference.get_edge_data("unit", "incident")
            if known is None or known["weight"] > cost:
                reference.add_edge("unit", "incident", weight=cost)
    try:
        return float(nx.dijkstra_path_length(reference, "unit", "incident"))
    except nx.NetworkXNoPath:
        return math.inf
    finally:
        reference.remove_nodes_from(["unit", "incident"])


def nearest_edge_metres(graph: RoadGraph, lat: float, lon: float) -> float:
    """Brute force: the distance to the nearest point of every edge, in local metres."""
    scale = math.cos(math.radians(float(graph.node_lat.mean())))
    sx, sy = graph.node_lon[graph.edge_source] * scale, graph.node_lat[graph.edge_source]
    tx, ty = graph.node_lon[graph.edge_target] * scale, graph.node_lat[graph.edge_target]
    px, py = lon * scale, lat
    span = np.maximum((tx - sx) ** 2 + (ty - sy) ** 2, 1e-300)
    t = np.clip(((px - sx) * (tx - sx) + (py - sy) * (ty - sy)) / span, 0, 1)
    gap = np.hypot(sx + t * (tx - sx) - px, sy + t * (ty - sy) - py)
    return float(gap.min()) * math.pi / 180 * 6_371_008.8
