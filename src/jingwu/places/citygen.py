"""A plausible generated town: a jittered grid with arterials, one-way lanes and gaps.

Used by the routing bench and the Leifeng demo scenario when no OSM extract is loaded.
Only the largest strongly connected part is kept, so every node can reach every other.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from jingwu.core.geo import EARTH_RADIUS_M
from jingwu.places.roadgraph import RoadEdgeRecord, RoadNetwork, RoadNodeRecord

LEIFENG_CENTRE = (28.2390, 112.8620)
BLOCK_M = 110.0
ARTERIAL_EVERY = 10
SECONDARY_EVERY = 5
ONEWAY_SHARE = 0.12
MISSING_SHARE = 0.06

_ARTERIAL_NAMES = ("雷锋大道", "金星大道", "银星路", "黄金路", "普瑞大道", "望城大道", "旺旺路")
_STREET_WORDS = ("桂花", "枫林", "月亮", "同心", "友爱", "和平", "东塘", "西湖", "春华", "秋实")


def generate_grid_city(
    n_nodes: int, seed: int, *, centre: tuple[float, float] = LEIFENG_CENTRE
) -> RoadNetwork:
    rng = np.random.default_rng(seed)
    side = max(2, math.ceil(math.sqrt(n_nodes * 1.02)))
    rows, cols = np.divmod(np.arange(side * side), side)
    metres_per_degree = math.pi / 180.0 * EARTH_RADIUS_M
    jitter = rng.uniform(-0.22, 0.22, size=(2, side * side)) * BLOCK_M
    north_m = (rows - side / 2) * BLOCK_M + jitter[0]
    east_m = (cols - side / 2) * BLOCK_M + jitter[1]
    lat = centre[0] + north_m / metres_per_degree
    lon = centre[1] + east_m / (metres_per_degree * math.cos(math.radians(centre[0])))

    edges: list[RoadEdgeRecord] = []
    for line in range(side):
        along_row = [line * side + c for c in range(side)]
        along_col = [r * side + line for r in range(side)]
        edges += _street(along_row, line, "east", rng)
        edges += _street(along_col, line, "north", rng)
    nodes = [
        RoadNodeRecord(index + 1, float(lat[index]), float(lon[index]))
        for index in range(side * side)
    ]
    return _largest_strong_component(nodes, edges)


def _street(
    node_indices: list[int], line: int, heading: str, rng: np.random.Generator
) -> list[RoadEdgeRecord]:
    if line % ARTERIAL_EVERY == 0:
        road_class, speed = "primary", 60.0
        name = f"{_ARTERIAL_NAMES[(line // ARTERIAL_EVERY) % len(_ARTERIAL_NAMES)]}"
        if line // ARTERIAL_EVERY >= len(_ARTERIAL_NAMES):
            name += f"{line // ARTERIAL_EVERY // len(_ARTERIAL_NAMES) + 1}段"
    elif line % SECONDARY_EVERY == 0:
        road_class, speed = "secondary", 50.0
        name = f"{_STREET_WORDS[line % len(_STREET_WORDS)]}{'路' if heading == 'east' else '街'}"
    else:
        road_class, speed = "residential", 30.0
        word = _STREET_WORDS[(line * 7) % len(_STREET_WORDS)]
        name = f"{word}{'巷' if heading == 'east' else '里'}{line}号"
    minor = road_class == "residential"
    oneway = minor and rng.random() < ONEWAY_SHARE
    reverse = bool(rng.random() < 0.5)
    result: list[RoadEdgeRecord] = []
    for first, second in itertools.pairwise(node_indices):
        if minor and rng.random() < MISSING_SHARE:
            continue
        source, target = (second, first) if oneway and reverse else (first, second)
        result.append(
            RoadEdgeRecord(
                source_id=source + 1,
                target_id=target + 1,
                road_class=road_class,
                name=name,
                maxspeed_kmh=speed,
                oneway=oneway,
            )
        )
    return result


def _largest_strong_component(
    nodes: list[RoadNodeRecord], edges: list[RoadEdgeRecord]
) -> RoadNetwork:
    count = len(nodes)
    tails = [e.source_id - 1 for e in edges] + [e.target_id - 1 for e in edges if not e.oneway]
    heads = [e.target_id - 1 for e in edges] + [e.source_id - 1 for e in edges if not e.oneway]
    arcs = coo_matrix((np.ones(len(tails)), (tails, heads)), shape=(count, count)).tocsr()
    _, labels = connected_components(arcs, directed=True, connection="strong")
    keep = labels == np.bincount(labels).argmax()
    kept_nodes = [node for node in nodes if keep[node.node_id - 1]]
    kept_edges = [e for e in edges if keep[e.source_id - 1] and keep[e.target_id - 1]]
    return RoadNetwork(nodes=kept_nodes, edges=kept_edges)
