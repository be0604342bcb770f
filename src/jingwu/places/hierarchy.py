"""A contraction hierarchy built with array operations, and PHAST queries over it.

Built once per set of arc weights (graph version × hour bucket), in rounds: each round
contracts an independent set of junctions whose priority (simulated shortcuts − removed arcs
+ depth) is lower than all their neighbours'. Contracting a junction removes it and adds a
shortcut for every in-neighbour → out-neighbour pair unless a *witness* — a path found by a
bounded Dijkstra that avoids every junction of the round — is no longer. A missed witness only
adds a needless shortcut, never loses a path, so the hierarchy is exact whatever the witness
reach. When rounds stop paying (a small, dense remainder), the rest stays as a *core*.

Answering "how long from every junction to this incident" then takes (`kernels.phast`)
1. one Dijkstra climbing from the incident over reversed downward arcs and the core (a few
   thousand junctions), and
2. one compiled pass down the levels: a junction's time is the best over its upward arcs of
   `arc + time of the higher end`. The pass stops above the lowest levels; `Labels.at`
   finishes those only where asked.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from jingwu.places.kernels import finish, phast, witness_searches
from jingwu.places.roadgraph import ArcWeights, RoadGraph

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
log = logging.getLogger(__name__)

CORE_NODE_LIMIT = 600  # stop contracting once this few junctions remain …
MIN_ROUND_SHARE = 0.01  # … or once a round contracts under 1 % of what remains
LAZY_LEVELS = 6  # a query's sweep leaves the lowest levels to be finished where needed


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Everything a one-to-all query needs, as arrays over junction *positions*: junctions
    renumbered from the highest level down, so a query walks memory front to back."""

    node_count: int
    position: I64  # junction → position
    # Per junction (by position), its arcs to and from higher junctions and core neighbours.
    # Every stored "other end" sits at a smaller position, except between core junctions.
    up_out_indptr: I32  # arcs junction → higher: the forward climb, or the sweep toward a target
    up_out_heads: I32
    up_out_seconds: F64
    up_in_indptr: I32  # arcs higher → junction, stored by the junction with the higher tail
    up_in_tails: I32
    up_in_seconds: F64
    lazy_start: int  # first position of the lowest levels, which a query finishes on demand
    level_count: int
    shortcut_count: int
    core_size: int
    build_seconds: float

    def memory_bytes(self) -> int:
        arrays = (
            self.position,
            self.up_out_indptr,
            self.up_out_heads,
            self.up_out_seconds,
            self.up_in_indptr,
            self.up_in_tails,
            self.up_in_seconds,
        )
        return int(sum(array.nbytes for array in arrays))

    def labels_to(self, seeds: list[tuple[int, float]]) -> Labels:
        """Travel time from every junction to a target entered at `seeds` (junction, seconds).

        The sweep stops above the lowest levels — most of the junctions; `Labels.at` finishes
        those only where asked (a unit's edge ends, a route), with what they depend on.
        """
        sweep = (self.up_out_indptr, self.up_out_heads, self.up_out_seconds)
        climb = (self.up_in_indptr, self.up_in_tails, self.up_in_seconds)
        return Labels(self, self._phast(climb, seeds, sweep, self.lazy_start), sweep)

    def seconds_to(self, seeds: list[tuple[int, float]]) -> F64:
        """`labels_to`, finished everywhere."""
        return self.labels_to(seeds).everywhere()

    def seconds_from(self, seeds: list[tuple[int, float]]) -> F64:
        """Travel time to every junction from sources leaving at `seeds` (junction, seconds)."""
        climb = (self.up_out_indptr, self.up_out_heads, self.up_out_seconds)
        sweep = (self.up_in_indptr, self.up_in_tails, self.up_in_seconds)
        return self._phast(climb, seeds, sweep, self.node_count)[self.position]

    def _phast(
        self,
        climb: tuple[I32, I32, F64],
        seeds: list[tuple[int, float]],
        sweep: tuple[I32, I32, F64],
        sweep_stop: int,
    ) -> F64:
        nodes = np.asarray([node for node, _ in seeds], dtype=np.int64)
        by_position = np.empty(self.node_count, dtype=np.float64)
        phast(
            *climb,
            self.position[nodes],
            np.asarray([cost for _, cost in seeds], dtype=np.float64),
            *sweep,
            sweep_stop,
            by_position,
        )
        return by_position


class Labels:
    """One query's times, by position; the lowest levels are finished where asked for."""

    def __init__(self, hierarchy: Hierarchy, by_position: F64, sweep: tuple[I32, I32, F64]) -> None:
        self.hierarchy = hierarchy
        self.by_position = by_position
        self.sweep = sweep
        count = hierarchy.node_count
        self.pending = np.zeros(count, dtype=np.bool_)
        self.pending[hierarchy.lazy_start :] = True
        self.stack = np.empty(count, dtype=np.int64)  # work space for finishing
        self.order = np.empty(count, dtype=np.int64)

    def finish_args(self) -> tuple[Any, ...]:
        """What the kernels need to finish labels as they go."""
        return (
            self.by_position,
            self.pending,
            *self.sweep,
            self.hierarchy.lazy_start,
            self.stack,
            self.order,
        )

    def at(self, nodes: I64) -> F64:
        """The exact times at these junctions."""
        positions = self.hierarchy.position[np.asarray(nodes, dtype=np.int64)]
        finish(positions, *self.finish_args())
        return self.by_position[positions]

    def everywhere(self) -> F64:
        return self.at(np.arange(self.hierarchy.node_count))


def build_hierarchy(
    node_count: int, tails: I64, heads: I64, seconds: F64, *, core_limit: int = CORE_NODE_LIMIT
) -> Hierarchy:
    """Contract the graph given as arcs (closed arcs, `inf`, are left out) down to a core of
    at most `core_limit` junctions (more if contracting further stops paying)."""
    started = time.perf_counter()
    keep = np.isfinite(seconds) & (tails != heads)
    arcs = _Arcs.cheapest(
        node_count, tails[keep].astype(np.int64), heads[keep].astype(np.int64), seconds[keep]
    )
    level = np.full(node_count, -1, dtype=np.int32)
    depth = np.zeros(node_count, dtype=np.int64)
    tiebreak = np.random.default_rng(0).permutation(node_count).astype(np.int64)
    needed = np.zeros(node_count, dtype=np.int64)  # shortcuts each junction would need
    dirty = np.ones(node_count, dtype=bool)  # whose neighbourhood changed since last estimate
    contracted: list[_Arcs] = []
    shortcuts = 0
    alive = node_count
    round_number = 0
    while alive > core_limit:
        needed[dirty] = _simulated_shortcuts(arcs, dirty & (level < 0))[dirty]
        chosen = _independent_low_set(arcs, level < 0, needed + depth, tiebreak)
        if chosen.sum() < max(1, MIN_ROUND_SHARE * alive):
            break
        touching = chosen[arcs.tail] | chosen[arcs.head]
        added = _shortcuts(arcs, chosen, touching)
        shortcuts += added.tail.size
        contracted.append(arcs.subset(touching))
        neighbours = np.concatenate([arcs.head[chosen[arcs.tail]], arcs.tail[chosen[arcs.head]]])
        np.maximum.at(depth, neighbours, round_number + 1)
        dirty[:] = False
        dirty[neighbours] = True
        level[chosen] = round_number
        alive -= int(chosen.sum())
        arcs = _Arcs.join(arcs.subset(~touching), added)
        round_number += 1
    core = level < 0
    level[core] = round_number
    everything = _Arcs.join(*contracted, arcs, unique=False)
    return _assemble(
        node_count,
        level,
        everything,
        shortcuts=shortcuts,
        core_size=int(core.sum()),
        started=started,
    )


@dataclass(frozen=True, slots=True)
class _Arcs:
    """Arcs sorted by (tail, head), at most one per pair."""

    node_count: int
    tail: I64
    head: I64
    seconds: F64

    @classmethod
    def cheapest(cls, node_count: int, tails: I64, heads: I64, seconds: F64) -> _Arcs:
        """One arc per (tail, head), the fastest."""
        key = tails * node_count + heads
        order = np.lexsort((seconds, key))
        key, seconds = key[order], seconds[order]
        first = np.ones(key.size, dtype=bool)
        first[1:] = key[1:] != key[:-1]
        key = key[first]
        return cls(node_count, key // node_count, key % node_count, seconds[first])

    @classmethod
    def join(cls, *parts: _Arcs, unique: bool = True) -> _Arcs:
        node_count = parts[0].node_count
        tail = np.concatenate([part.tail for part in parts])
        head = np.concatenate([part.head for part in parts])
        seconds = np.concatenate([part.seconds for part in parts])
        if unique:
            return cls.cheapest(node_count, tail, head, seconds)
        return cls(node_count, tail, head, seconds)

    def subset(self, mask: npt.NDArray[np.bool_]) -> _Arcs:
        return _Arcs(self.node_count, self.tail[mask], self.head[mask], self.seconds[mask])

    def row_pointers(self) -> I64:
        counts = np.bincount(self.tail, minlength=self.node_count)
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


@dataclass(frozen=True, slots=True)
class _Pairs:
    """In-neighbour → out-neighbour pairs through middle junctions, sorted by (middle, source)."""

    middle: I64
    source: I64
    target: I64
    cost: F64

    @classmethod
    def through(cls, arcs: _Arcs, middles: npt.NDArray[np.bool_]) -> _Pairs:
        into = np.flatnonzero(middles[arcs.head])
        into = into[np.lexsort((arcs.tail[into], arcs.head[into]))]
        out_of = np.flatnonzero(middles[arcs.tail])  # grouped by tail already
        out_count = np.bincount(arcs.tail[out_of], minlength=arcs.node_count)
        out_start = np.concatenate([[0], np.cumsum(out_count)[:-1]])
        middle = arcs.head[into]
        repeat = out_count[middle]
        in_arc = np.repeat(into, repeat)
        block_start = np.repeat(np.cumsum(repeat) - repeat, repeat)
        out_arc = out_of[
            np.repeat(out_start[middle], repeat) + np.arange(in_arc.size) - block_start
        ]
        source, target = arcs.tail[in_arc], arcs.head[out_arc]
        distinct = source != target
        return cls(
            arcs.head[in_arc][distinct],
            source[distinct],
            target[distinct],
            (arcs.seconds[in_arc] + arcs.seconds[out_arc])[distinct],
        )


def _simulated_shortcuts(arcs: _Arcs, junctions: npt.NDArray[np.bool_]) -> I64:
    """How many shortcuts contracting each of `junctions` on its own would add."""
    pairs = _Pairs.through(arcs, junctions)
    changes = (pairs.middle[1:] != pairs.middle[:-1]) | (pairs.source[1:] != pairs.source[:-1])
    group = np.flatnonzero(np.concatenate([[True], changes]))[: pairs.source.size]
    witnessed = _witnessed(arcs, pairs, group, pairs.middle[group], SIMULATION_SETTLE_LIMIT)
    return np.bincount(pairs.middle[~witnessed], minlength=arcs.node_count)


def _independent_low_set(
    arcs: _Arcs, alive: npt.NDArray[np.bool_], cost: I64, tiebreak: I64
) -> npt.NDArray[np.bool_]:
    """Alive junctions whose priority is strictly below every neighbour's.

    Priority: `cost` (shortcuts a junction would need on its own, plus how deep its
    contracted neighbours sit) minus the arcs contracting it removes.
    """
    node_count = arcs.node_count
    degree_in = np.bincount(arcs.head, minlength=node_count)
    degree_out = np.bincount(arcs.tail, minlength=node_count)
    priority = (cost - degree_in - degree_out) * node_count + tiebreak
    lowest_neighbour = np.full(node_count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest_neighbour, arcs.tail, priority[arcs.head])
    np.minimum.at(lowest_neighbour, arcs.head, priority[arcs.tail])
    return alive & (priority < lowest_neighbour)


def _shortcuts(
    arcs: _Arcs, chosen: npt.NDArray[np.bool_], touching: npt.NDArray[np.bool_]
) -> _Arcs:
    """Shortcuts needed when every `chosen` junction goes at once (they share no arc).

    A witness must avoid all of them: two junctions of the round must not each count on a
    path through the other.
    """
    through = _Pairs.through(arcs, chosen)
    wanted = _Arcs.cheapest(arcs.node_count, through.source, through.target, through.cost)
    pairs = _Pairs(np.full(wanted.tail.size, -1), wanted.tail, wanted.head, wanted.seconds)
    changes = pairs.source[1:] != pairs.source[:-1]
    group = np.flatnonzero(np.concatenate([[True], changes]))[: pairs.source.size]
    witnessed = _witnessed(
        arcs.subset(~touching), pairs, group, np.full(group.size, -1), WITNESS_SETTLE_LIMIT
    )
    return wanted.subset(~witnessed)


def _witnessed(
    arcs: _Arcs, pairs: _Pairs, group: I64, avoid: I64, settle_limit: int
) -> npt.NDArray[np.bool_]:
    """Per pair: is there a path in `arcs`, not through the group's `avoid`, no longer?"""
    witnessed = np.zeros(pairs.source.size, dtype=np.bool_)
    if pairs.source.size:
        witness_searches(
            arcs.row_pointers(),
            arcs.head,
            arcs.seconds,
            pairs.source[group],
            avoid.astype(np.int64),
            np.concatenate([group, [pairs.source.size]]).astype(np.int64),
            pairs.target,
            pairs.cost,
            settle_limit,
            witnessed,
        )
    return witnessed


WITNESS_SETTLE_LIMIT = 400  # when contracting: a missed witness costs a needless shortcut
SIMULATION_SETTLE_LIMIT = 10  # when only estimating priorities


def _assemble(
    node_count: int,
    level: I32,
    arcs: _Arcs,
    *,
    shortcuts: int,
    core_size: int,
    started: float,
) -> Hierarchy:
    junction = np.lexsort((np.arange(node_count), -level.astype(np.int64)))
    position = np.empty(node_count, dtype=np.int64)
    position[junction] = np.arange(node_count)
    tails, heads, seconds = arcs.tail, arcs.head, arcs.seconds
    upward = level[tails] < level[heads]
    across = level[tails] == level[heads]  # between core junctions: kept both ways
    out_rows = upward | across
    in_rows = ~upward
    up_out = _rows(
        node_count, position[tails[out_rows]], position[heads[out_rows]], seconds[out_rows]
    )
    up_in = _rows(node_count, position[heads[in_rows]], position[tails[in_rows]], seconds[in_rows])
    return Hierarchy(
        node_count=node_count,
        position=position,
        up_out_indptr=up_out[0],
        up_out_heads=up_out[1],
        up_out_seconds=up_out[2],
        up_in_indptr=up_in[0],
        up_in_tails=up_in[1],
        up_in_seconds=up_in[2],
        lazy_start=int((level >= LAZY_LEVELS).sum()) if node_count else 0,
        level_count=int(level.max()) + 1 if node_count else 0,
        shortcut_count=shortcuts,
        core_size=core_size,
        build_seconds=time.perf_counter() - started,
    )


def _rows(node_count: int, rows: I64, columns: I64, seconds: F64) -> tuple[I32, I32, F64]:
    """Compressed rows in 32-bit indices: a query streams these arrays, so size is speed."""
    order = np.lexsort((columns, rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=node_count))])
    return indptr.astype(np.int32), columns[order].astype(np.int32), seconds[order]


SYNC_BUILD_NODE_LIMIT = 30_000  # a town builds in well under a second; a city in the background


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    ready: Hierarchy | None = None
    builder: threading.Thread | None = None


def hierarchy_for(graph: RoadGraph, weights: ArcWeights, *, wait: bool = False) -> Hierarchy | None:
    """The hierarchy for these weights, or None while a large graph's is still being built.

    A town's graph is contracted on the spot; a city's in a background thread, and until it
    is ready the caller answers with a plain Dijkstra (exact, only slower). `wait=True` blocks
    until it is ready (the bench, the tests).
    """
    slot = graph.memo(("hierarchy", weights.key), _Slot)
    if slot.ready is not None:
        return slot.ready

    def build() -> None:
        try:
            slot.ready = build_hierarchy(
                graph.node_count,
                graph.arc_tail.astype(np.int64),
                graph.arc_head.astype(np.int64),
                weights.seconds,
            )
        except Exception:  # a failed build leaves the exact fallback in charge
            log.exception("contraction hierarchy build failed; routing stays on Dijkstra")

    with slot.lock:
        if slot.builder is None:
            slot.builder = threading.Thread(target=build, name="road-hierarchy", daemon=True)
            slot.builder.start()
        builder = slot.builder
    if wait or graph.node_count <= SYNC_BUILD_NODE_LIMIT:
        builder.join()
    return slot.ready


def prepare_in_background(graph: RoadGraph) -> None:
    """Start contracting for the current hour now, so the first recommendation need not wait."""
    threading.Thread(
        target=hierarchy_for, args=(graph, graph.weights()), name="road-hierarchy", daemon=True
    ).start()
