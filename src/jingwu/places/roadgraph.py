"""A road network held in memory as compressed sparse rows, forward and reversed.

Nodes are junctions (and OSM shape points); an *edge* is one road segment as stored, an *arc*
is one drivable direction of it: a two-way edge has two arcs, a one-way edge one. Arc travel
times come from road class and speed limit, scaled by the hour (peak traffic is slower) and by
closures, which take effect on the next query because every derived array is keyed on a version.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from jingwu.core.clock import to_local, utcnow
from jingwu.core.errors import InvalidInput, NotFound
from jingwu.core.geo import EARTH_RADIUS_M

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
T = TypeVar("T")

ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "other",
)
_CLASS_INDEX = {name: index for index, name in enumerate(ROAD_CLASSES)}
DEFAULT_SPEED_KMH: tuple[float, ...] = (100.0, 80.0, 60.0, 50.0, 40.0, 30.0, 30.0, 10.0, 20.0, 25.0)
SNAP_SAMPLE_SPACING_M = 30.0
SNAP_CANDIDATES = 12


def road_class_index(highway: str) -> int:
    """OSM `highway` value to a class index; `primary_link` drives like `primary`."""
    base = highway.strip().lower().removesuffix("_link")
    return _CLASS_INDEX.get(base, _CLASS_INDEX["other"])


@dataclass(frozen=True, slots=True)
class RoadNodeRecord:
    node_id: int
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class RoadEdgeRecord:
    """One segment, drivable from `source_id` to `target_id`, and back unless `oneway`."""

    source_id: int
    target_id: int
    road_class: str
    name: str = ""
    maxspeed_kmh: float | None = None
    oneway: bool = False
    length_m: float | None = None
    edge_id: int | None = None
    closed: bool = False
    slow_factor: float = 1.0


@dataclass(frozen=True, slots=True)
class RoadNetwork:
    nodes: list[RoadNodeRecord]
    edges: list[RoadEdgeRecord]


@dataclass(frozen=True, slots=True)
class SpeedProfile:
    """How much slower each road class drives by local hour (Asia/Shanghai)."""

    peak_hours: frozenset[int] = frozenset({7, 8, 17, 18})
    night_hours: frozenset[int] = frozenset({23, 0, 1, 2, 3, 4, 5})
    peak_factors: tuple[float, ...] = (1.4, 1.5, 1.6, 1.5, 1.35, 1.2, 1.15, 1.1, 1.1, 1.15)
    night_factors: tuple[float, ...] = (0.95, 0.9, 0.85, 0.85, 0.9, 0.95, 0.95, 1.0, 1.0, 1.0)

    def bucket(self, at: datetime) -> str:
        hour = to_local(at).hour
        if hour in self.peak_hours:
            return "peak"
        return "night" if hour in self.night_hours else "day"

    def class_factors(self, bucket: str) -> F64:
        if bucket == "peak":
            return np.asarray(self.peak_factors, dtype=np.float64)
        if bucket == "night":
            return np.asarray(self.night_factors, dtype=np.float64)
        return np.ones(len(ROAD_CLASSES), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class ArcWeights:
    """Arc travel seconds at one hour bucket: `seconds` with closures, `open_seconds` without.

    A unit standing on a closed road can still drive off it, and an incident on one can
    still be reached from its ends, so the partial legs on the first and last edge use
    `open_seconds`; everything in between uses `seconds`.
    """

    key: tuple[int, str]
    seconds: F64
    open_seconds: F64


@dataclass(frozen=True, slots=True)
class SnappedPoint:
    """A point placed on edge `edge` at `fraction` of the way from its source to its target."""

    edge: int
    fraction: float
    distance_m: float
    lat: float
    lon: float


@dataclass(slots=True)
class RoadGraph:
    node_ids: I64
    node_lat: F64
    node_lon: F64
    edge_source: I32
    edge_target: I32
    edge_length_m: F64
    edge_class: npt.NDArray[np.uint8]
    edge_name: I32
    edge_ids: I64
    edge_closed: npt.NDArray[np.bool_]
    edge_slow_factor: F64
    edge_forward_arc: I32
    edge_backward_arc: I32
    indptr: I32
    arc_head: I32
    arc_tail: I32
    arc_edge: I32
    arc_free_seconds: F64
    rev_indptr: I32
    rev_tail: I32
    rev_arc: I32
    names: list[str]
    profile: SpeedProfile = field(default_factory=SpeedProfile)
    version: int = 0
    query_lock: threading.Lock = field(default_factory=threading.Lock)
    _memo: dict[Hashable, Any] = field(default_factory=dict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)
    _edge_position: dict[int, int] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return int(self.node_ids.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.edge_source.shape[0])

    @property
    def arc_count(self) -> int:
        return int(self.arc_head.shape[0])

    def memory_bytes(self) -> int:
        """Bytes held by the graph's arrays (the snapping index and caches not counted)."""
        return sum(
            int(value.nbytes)
            for value in (getattr(self, name) for name in self.__dataclass_fields__)
            if isinstance(value, np.ndarray)
        )

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """Something derived from the current arc weights; rebuilt after any closure."""
        full_key = (self.version, key)
        with self._memo_lock:
            if full_key not in self._memo:
                self._memo[full_key] = build()
            return cast(T, self._memo[full_key])

    def weights(self, at: datetime | None = None) -> ArcWeights:
        bucket = self.profile.bucket(at if at is not None else utcnow())
        return self.memo(("weights", bucket), lambda: self._compute_weights(bucket))

    def _compute_weights(self, bucket: str) -> ArcWeights:
        class_factor = self.profile.class_factors(bucket)[self.edge_class[self.arc_edge]]
        open_seconds = self.arc_free_seconds * class_factor * self.edge_slow_factor[self.arc_edge]
        seconds = np.where(self.edge_closed[self.arc_edge], np.inf, open_seconds)
        return ArcWeights(key=(self.version, bucket), seconds=seconds, open_seconds=open_seconds)

    def edge_position(self, edge_id: int) -> int:
        if not self._edge_position:
            self._edge_position.update(
                (int(eid), position) for position, eid in enumerate(self.edge_ids.tolist())
            )
        try:
            return self._edge_position[edge_id]
        except KeyError:
            raise NotFound("没有这条道路 / no such road edge", edge_id=edge_id) from None

    def set_closure(self, *, edge_id: int, closed: bool, slow_factor: float = 1.0) -> None:
        """Close an edge (no arc through it) or slow it (travel time × factor), effective now."""
        check_slow_factor(slow_factor)
        position = self.edge_position(edge_id)
        with self._memo_lock:
            self.edge_closed[position] = closed
            self.edge_slow_factor[position] = slow_factor
            self.version += 1
            self._memo.clear()

    def edge_id_at(self, lat: float, lon: float) -> int:
        """The id of the road edge nearest to a point: what a dispatcher clicks to close."""
        return int(self.edge_ids[self.snap(lat, lon).edge])

    def snap(self, lat: float, lon: float) -> SnappedPoint:
        return self.snap_many(np.asarray([lat]), np.asarray([lon]))[0]

    def snap_many(self, lats: F64, lons: F64) -> list[SnappedPoint]:
        """Nearest point on any edge: k-d tree over points sampled along edges, then exact.

        The sampled point nearest to the query lies on an edge at most that far away, and the
        truly nearest edge has a sample within half a spacing of its closest point, so every
        edge with a sample inside (nearest + spacing / 2) is a candidate and no other can win.
        """
        if self.edge_count == 0:
            raise InvalidInput("道路网为空 / the road network is empty", code="no_roads")
        index = self.memo("snap_index", lambda: _SnapIndex.build(self))
        query = index.to_plane(np.asarray(lats, np.float64), np.asarray(lons, np.float64))
        neighbours = min(SNAP_CANDIDATES, index.sample_edge.shape[0])
        distance, sample = index.tree.query(query, k=neighbours)
        distance = distance.reshape(len(query), neighbours)
        sample = sample.reshape(len(query), neighbours)
        candidates = index.sample_edge[sample]
        edge, fraction, off_by = self._project(index, query, candidates)
        radius = distance[:, 0] + index.spacing_m / 2
        sample_count = len(index.sample_edge)
        unsure = np.flatnonzero((distance[:, -1] <= radius) & (neighbours < sample_count))
        while unsure.size:  # some sample within the radius may be missing: ask for more
            neighbours = min(neighbours * 4, sample_count)
            distance, sample = index.tree.query(query[unsure], k=neighbours)
            distance = distance.reshape(len(unsure), neighbours)
            sample = sample.reshape(len(unsure), neighbours)
            best = self._project(index, query[unsure], index.sample_edge[sample])
            edge[unsure], fraction[unsure], off_by[unsure] = best
            if neighbours == sample_count:
                break
            unsure = unsure[distance[:, -1] <= radius[unsure]]
        source, target = self.edge_source[edge], self.edge_target[edge]
        lat = self.node_lat[source] + fraction * (self.node_lat[target] - self.node_lat[source])
        lon = self.node_lon[source] + fraction * (self.node_lon[target] - self.node_lon[source])
        return [
            SnappedPoint(*row)
            for row in zip(
                edge.tolist(),
                fraction.tolist(),
                off_by.tolist(),
                lat.tolist(),
                lon.tolist(),
                strict=True,
            )
        ]

    def _project(self, index: _SnapIndex, query: F64, candidates: I64) -> tuple[I64, F64, F64]:
        sx, sy = index.node_xy[self.edge_source[candidates]].transpose(2, 0, 1)
        tx, ty = index.node_xy[self.edge_target[candidates]].transpose(2, 0, 1)
        px, py = query[:, 0:1], query[:, 1:2]
        dx, dy = tx - sx, ty - sy
        span = dx * dx + dy * dy
        raw = ((px - sx) * dx + (py - sy) * dy) / np.where(span > 0, span, 1.0)
        fraction = np.clip(raw, 0.0, 1.0)
        distance = np.hypot(sx + fraction * dx - px, sy + fraction * dy - py)
        best = np.argmin(distance, axis=1)
        rows = np.arange(len(query))
        return candidates[rows, best], fraction[rows, best], distance[rows, best]

    def point_on_edge(self, edge: int, fraction: float) -> tuple[float, float]:
        source, target = int(self.edge_source[edge]), int(self.edge_target[edge])
        lat = self.node_lat[source] + fraction * (self.node_lat[target] - self.node_lat[source])
        lon = self.node_lon[source] + fraction * (self.node_lon[target] - self.node_lon[source])
        return float(lat), float(lon)


@dataclass(frozen=True, slots=True)
class _SnapIndex:
    lat0: float
    lon0: float
    node_xy: F64
    sample_edge: I64
    tree: Any
    spacing_m: float

    @classmethod
    def build(cls, graph: RoadGraph) -> _SnapIndex:
        lat0, lon0 = float(graph.node_lat.mean()), float(graph.node_lon.mean())
        node_xy = _to_plane(lat0, lon0, graph.node_lat, graph.node_lon)
        source_xy = node_xy[graph.edge_source]
        target_xy = node_xy[graph.edge_target]
        span = np.hypot(*(target_xy - source_xy).T)
        pieces = np.maximum(1, np.ceil(span / SNAP_SAMPLE_SPACING_M).astype(np.int64))
        sample_edge = np.repeat(np.arange(graph.edge_count, dtype=np.int64), pieces + 1)
        starts = np.repeat(np.cumsum(pieces + 1) - (pieces + 1), pieces + 1)
        step = np.arange(sample_edge.shape[0], dtype=np.int64) - starts
        fraction = (step / pieces[sample_edge])[:, None]
        samples = source_xy[sample_edge] + fraction * (target_xy - source_xy)[sample_edge]
        spacing = float((span / pieces).max())
        return cls(lat0, lon0, node_xy, sample_edge, cKDTree(samples), spacing)

    def to_plane(self, lats: F64, lons: F64) -> F64:
        return _to_plane(self.lat0, self.lon0, lats, lons)


def _to_plane(lat0: float, lon0: float, lats: F64, lons: F64) -> F64:
    """Local equirectangular metres: exact enough across one station's area."""
    metres_per_degree = math.pi / 180.0 * EARTH_RADIUS_M
    x = (lons - lon0) * metres_per_degree * math.cos(math.radians(lat0))
    y = (lats - lat0) * metres_per_degree
    return np.column_stack([x, y])


def check_slow_factor(slow_factor: float) -> float:
    if not math.isfinite(slow_factor) or slow_factor < 1.0:
        raise InvalidInput(
            "减速系数必须 ≥ 1 / slow factor must be a finite number ≥ 1",
            code="bad_slow_factor",
            slow_factor=slow_factor,
        )
    return slow_factor


def haversine_m_array(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    half_dp, half_dl = (p2 - p1) / 2, np.radians(lon2 - lon1) / 2
    a = np.sin(half_dp) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(half_dl) ** 2
    return cast(F64, 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a))))


def build_graph(
    nodes: Sequence[RoadNodeRecord],
    edges: Sequence[RoadEdgeRecord],
    *,
    profile: SpeedProfile | None = None,
) -> RoadGraph:
    node_ids = np.fromiter((n.node_id for n in nodes), dtype=np.int64, count=len(nodes))
    order = np.argsort(node_ids, kind="stable")
    if node_ids.size and np.any(np.diff(node_ids[order]) == 0):
        raise InvalidInput("道路节点编号重复 / duplicate road node ids", code="bad_road_network")
    node_lat = np.fromiter((n.lat for n in nodes), dtype=np.float64, count=len(nodes))
    node_lon = np.fromiter((n.lon for n in nodes), dtype=np.float64, count=len(nodes))
    edge_source = _node_positions(node_ids, order, [e.source_id for e in edges])
    edge_target = _node_positions(node_ids, order, [e.target_id for e in edges])
    names, edge_name = _intern_names([e.name for e in edges])
    given_length = np.array([np.nan if e.length_m is None else e.length_m for e in edges])
    measured = haversine_m_array(
        node_lat[edge_source], node_lon[edge_source], node_lat[edge_target], node_lon[edge_target]
    )
    edge_length = np.where(np.isfinite(given_length), given_length, measured).astype(np.float64)
    edge_class = np.array([road_class_index(e.road_class) for e in edges], dtype=np.uint8)
    maxspeed = np.array([e.maxspeed_kmh or np.nan for e in edges], dtype=np.float64)
    oneway = np.array([e.oneway for e in edges], dtype=np.bool_)
    edge_ids = np.array(
        [index if e.edge_id is None else e.edge_id for index, e in enumerate(edges)], np.int64
    )
    slow = np.array([check_slow_factor(e.slow_factor) for e in edges], dtype=np.float64)
    closed = np.array([e.closed for e in edges], dtype=np.bool_)
    return _assemble(
        node_ids=node_ids,
        node_lat=node_lat,
        node_lon=node_lon,
        edge_source=edge_source,
        edge_target=edge_target,
        edge_length=edge_length,
        edge_class=edge_class,
        maxspeed=maxspeed,
        oneway=oneway,
        edge_name=edge_name,
        names=names,
        edge_ids=edge_ids,
        closed=closed,
        slow=slow,
        profile=profile or SpeedProfile(),
    )


def _node_positions(node_ids: I64, order: I64, wanted: list[int]) -> I32:
    wanted_ids = np.asarray(wanted, dtype=np.int64)
    if not node_ids.size:
        if wanted_ids.size:
            raise InvalidInput("道路引用了不存在的节点 / edge refers to a missing node")
        return np.empty(0, dtype=np.int32)
    sorted_ids = node_ids[order]
    slot = np.clip(np.searchsorted(sorted_ids, wanted_ids), 0, sorted_ids.size - 1)
    missing = sorted_ids[slot] != wanted_ids
    if np.any(missing):
        raise InvalidInput(
            "道路引用了不存在的节点 / edge refers to a missing node",
            code="bad_road_network",
            node_id=int(wanted_ids[missing][0]),
        )
    return order[slot].astype(np.int32)


def _intern_names(raw: list[str]) -> tuple[list[str], I32]:
    names: list[str] = [""]
    positions: dict[str, int] = {"": 0}
    ids = np.empty(len(raw), dtype=np.int32)
    for index, name in enumerate(raw):
        key = name.strip()
        if key not in positions:
            positions[key] = len(names)
            names.append(key)
        ids[index] = positions[key]
    return names, ids


def _assemble(
    *,
    node_ids: I64,
    node_lat: F64,
    node_lon: F64,
    edge_source: I32,
    edge_target: I32,
    edge_length: F64,
    edge_class: npt.NDArray[np.uint8],
    maxspeed: F64,
    oneway: npt.NDArray[np.bool_],
    edge_name: I32,
    names: list[str],
    edge_ids: I64,
    closed: npt.NDArray[np.bool_],
    slow: F64,
    profile: SpeedProfile,
) -> RoadGraph:
    node_count, edge_count = node_ids.shape[0], edge_source.shape[0]
    two_way = np.flatnonzero(~oneway).astype(np.int32)
    arc_edge = np.concatenate([np.arange(edge_count, dtype=np.int32), two_way])
    arc_tail = np.concatenate([edge_source, edge_target[two_way]]).astype(np.int32)
    arc_head = np.concatenate([edge_target, edge_source[two_way]]).astype(np.int32)
    by_tail = np.argsort(arc_tail, kind="stable")
    arc_edge, arc_tail, arc_head = arc_edge[by_tail], arc_tail[by_tail], arc_head[by_tail]
    position_of_unsorted = np.empty_like(by_tail)
    position_of_unsorted[by_tail] = np.arange(by_tail.shape[0])
    edge_forward_arc = position_of_unsorted[:edge_count].astype(np.int32)
    edge_backward_arc = np.full(edge_count, -1, dtype=np.int32)
    edge_backward_arc[two_way] = position_of_unsorted[edge_count:]
    speed_kmh = np.where(
        np.isfinite(maxspeed) & (maxspeed > 0),
        maxspeed,
        np.asarray(DEFAULT_SPEED_KMH)[edge_class],
    )
    edge_free_seconds = np.maximum(edge_length / (speed_kmh / 3.6), 1e-3)
    by_head = np.argsort(arc_head, kind="stable").astype(np.int32)
    return RoadGraph(
        node_ids=node_ids,
        node_lat=node_lat,
        node_lon=node_lon,
        edge_source=edge_source,
        edge_target=edge_target,
        edge_length_m=edge_length,
        edge_class=edge_class,
        edge_name=edge_name,
        edge_ids=edge_ids,
        edge_closed=closed,
        edge_slow_factor=slow,
        edge_forward_arc=edge_forward_arc,
        edge_backward_arc=edge_backward_arc,
        indptr=_row_pointers(arc_tail, node_count),
        arc_head=arc_head,
        arc_tail=arc_tail,
        arc_edge=arc_edge,
        arc_free_seconds=edge_free_seconds[arc_edge],
        rev_indptr=_row_pointers(arc_head, node_count),
        rev_tail=arc_tail[by_head],
        rev_arc=by_head,
        names=names,
        profile=profile,
    )


def _row_pointers(rows: I32, node_count: int) -> I32:
    counts = np.bincount(rows, minlength=node_count)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
