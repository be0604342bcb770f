"""A contraction hierarchy built with array operations, and a PHAST sweep over it.

Built once per set of arc weights (graph version × hour bucket), in rounds: each round
contracts an independent set of junctions whose estimated cost is lower than all their
neighbours'. Contracting a junction removes it and adds a shortcut for every
in-neighbour → out-neighbour pair unless a *witness* — a direct arc or a two-arc detour that
avoids every junction of the round — is no longer. Skipping a witness search only ever adds
shortcuts, never loses a path, so the hierarchy is exact whatever the witness reach. When
rounds stop paying (a small, dense remainder), the remaining junctions stay as a *core*.

Answering "how long from every junction to this incident" then takes
1. one Dijkstra from the incident over reversed downward arcs and the core (a few thousand
   junctions, SciPy), and
2. one sweep down the levels: a junction's time is the best over its upward arcs of
   `arc + time of the higher end`. Junctions of one level are independent, so a level is a
   handful of whole-array operations.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jingwu.places.kernels import seconds_to_target, witness_searches
from jingwu.places.roadgraph import ArcWeights, RoadGraph

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
log = logging.getLogger(__name__)

CORE_NODE_LIMIT = 600  # stop contracting once this few junctions remain …
MIN_ROUND_SHARE = 0.01  # … or once a round contracts under 1 % of what remains


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Everything a one-to-all query needs, as arrays over junction *positions*: junctions
    renumbered from the highest level down, so a query walks memory front to back."""

    node_count: int
    position: I64  # junction → position
    junction: I64  # position → junction
    search_indptr: I64  # reversed downward arcs and the core's arcs, by position
    search_heads: I64
    search_seconds: F64
    sweep_indptr: I64  # upward arcs, by position; heads sit at smaller positions
    sweep_heads: I64
    sweep_seconds: F64
    level_count: int
    shortcut_count: int
    core_size: int
    build_seconds: float

    def memory_bytes(self) -> int:
        arrays = (
            self.position,
            self.junction,
            self.search_indptr,
            self.search_heads,
            self.search_seconds,
            self.sweep_indptr,
            self.sweep_heads,
            self.sweep_seconds,
        )
        return int(sum(array.nbytes for array in arrays))

    def seconds_to(self, seeds: list[tuple[int, float]]) -> F64:
        """Travel time from every junction to a target entered at `seeds` (junction, seconds)."""
        nodes = np.asarray([node for node, _ in seeds], dtype=np.int64)
        by_position = np.empty(self.node_count, dtype=np.float64)
        seconds_to_target(
            self.search_indptr,
            self.search_heads,
            self.search_seconds,
            self.position[nodes],
            np.asarray([cost for _, cost in seeds], dtype=np.float64),
            self.sweep_indptr,
            self.sweep_heads,
            self.sweep_seconds,
            by_position,
        )
        return by_position[self.position]


def build_hierarchy(node_count: int, tails: I64, heads: I64, seconds: F64) -> Hierarchy:
    """Contract the graph given as arcs (closed arcs, `inf`, are left out)."""
    started = time.perf_counter()
    keep = np.isfinite(seconds) & (tails != heads)
    arc_tail, arc_head, arc_seconds = _cheapest_per_pair(
        node_count, tails[keep].astype(np.int64), heads[keep].astype(np.int64), seconds[keep]
    )
    level = np.full(node_count, -1, dtype=np.int32)
    depth = np.zeros(node_count, dtype=np.int64)
    tiebreak = np.random.default_rng(0).permutation(node_count).astype(np.int64)
    done_tail: list[I64] = []
    done_head: list[I64] = []
    done_seconds: list[F64] = []
    shortcuts = 0
    alive = node_count
    round_number = 0
    while alive > CORE_NODE_LIMIT:
        chosen = _independent_low_set(node_count, arc_tail, arc_head, level, depth, tiebreak)
        if chosen.sum() < max(1, MIN_ROUND_SHARE * alive):
            break
        touching = chosen[arc_tail] | chosen[arc_head]
        new_tail, new_head, new_seconds = _shortcuts(
            node_count, chosen, arc_tail, arc_head, arc_seconds, touching
        )
        shortcuts += new_tail.size
        done_tail.append(arc_tail[touching])
        done_head.append(arc_head[touching])
        done_seconds.append(arc_seconds[touching])
        neighbours = np.concatenate([arc_head[chosen[arc_tail]], arc_tail[chosen[arc_head]]])
        np.maximum.at(depth, neighbours, round_number + 1)
        level[chosen] = round_number
        alive -= int(chosen.sum())
        arc_tail, arc_head, arc_seconds = _cheapest_per_pair(
            node_count,
            np.concatenate([arc_tail[~touching], new_tail]),
            np.concatenate([arc_head[~touching], new_head]),
            np.concatenate([arc_seconds[~touching], new_seconds]),
        )
        round_number += 1
    core = level < 0
    level[core] = round_number
    all_tail = np.concatenate([*done_tail, arc_tail])
    all_head = np.concatenate([*done_head, arc_head])
    all_seconds = np.concatenate([*done_seconds, arc_seconds])
    return _assemble(
        node_count,
        level,
        all_tail,
        all_head,
        all_seconds,
        shortcuts=shortcuts,
        core_size=int(core.sum()),
        started=started,
    )


def _cheapest_per_pair(
    node_count: int, tails: I64, heads: I64, seconds: F64
) -> tuple[I64, I64, F64]:
    """One arc per (tail, head), the fastest, sorted by tail then head."""
    key = tails * node_count + heads
    order = np.lexsort((seconds, key))
    key, seconds = key[order], seconds[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key, seconds = key[first], seconds[first]
    return key // node_count, key % node_count, seconds


def _independent_low_set(
    node_count: int, tails: I64, heads: I64, level: I32, depth: I64, tiebreak: I64
) -> npt.NDArray[np.bool_]:
    """Alive junctions whose priority is strictly below every neighbour's."""
    degree_in = np.bincount(heads, minlength=node_count)
    degree_out = np.bincount(tails, minlength=node_count)
    edge_difference = degree_in * degree_out - degree_in - degree_out
    priority = (edge_difference + depth) * node_count + tiebreak
    lowest_neighbour = np.full(node_count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest_neighbour, tails, priority[heads])
    np.minimum.at(lowest_neighbour, heads, priority[tails])
    return (level < 0) & (priority < lowest_neighbour)


def _shortcuts(
    node_count: int,
    chosen: npt.NDArray[np.bool_],
    tails: I64,
    heads: I64,
    seconds: F64,
    touching: npt.NDArray[np.bool_],
) -> tuple[I64, I64, F64]:
    """Shortcuts needed when every `chosen` junction goes at once (they share no arc)."""
    into = np.flatnonzero(chosen[heads])
    into = into[np.argsort(heads[into], kind="stable")]
    out_of = np.flatnonzero(chosen[tails])  # already grouped by tail: arcs are sorted
    out_count = np.bincount(tails[out_of], minlength=node_count)
    out_start = np.concatenate([[0], np.cumsum(out_count)[:-1]])
    middle = heads[into]
    repeat = out_count[middle]
    in_arc = np.repeat(into, repeat)
    block_start = np.repeat(np.cumsum(repeat) - repeat, repeat)
    out_arc = out_of[np.repeat(out_start[middle], repeat) + np.arange(in_arc.size) - block_start]
    source, target = tails[in_arc], heads[out_arc]
    cost = seconds[in_arc] + seconds[out_arc]
    distinct = source != target
    source, target, cost = _cheapest_per_pair(
        node_count, source[distinct], target[distinct], cost[distinct]
    )
    witnessed = _has_witness(node_count, source, target, cost, tails, heads, seconds, touching)
    return source[~witnessed], target[~witnessed], cost[~witnessed]


def _has_witness(
    node_count: int,
    source: I64,
    target: I64,
    cost: F64,
    tails: I64,
    heads: I64,
    seconds: F64,
    touching: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Is there a path avoiding this round's junctions that is no longer? (pairs sorted by source)"""
    stay = ~touching
    stay_tail = tails[stay]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(stay_tail, minlength=node_count))])
    group_start = np.flatnonzero(np.concatenate([[True], source[1:] != source[:-1]]))
    witnessed = np.zeros(source.size, dtype=np.bool_)
    witness_searches(
        indptr.astype(np.int64),
        heads[stay],
        seconds[stay],
        source[group_start],
        np.concatenate([group_start, [source.size]]).astype(np.int64),
        target,
        cost,
        WITNESS_SETTLE_LIMIT,
        witnessed,
    )
    return witnessed


WITNESS_SETTLE_LIMIT = 400


def _assemble(
    node_count: int,
    level: I32,
    tails: I64,
    heads: I64,
    seconds: F64,
    *,
    shortcuts: int,
    core_size: int,
    started: float,
) -> Hierarchy:
    junction = np.lexsort((np.arange(node_count), -level.astype(np.int64)))
    position = np.empty(node_count, dtype=np.int64)
    position[junction] = np.arange(node_count)
    upward = level[tails] < level[heads]
    # Search: every arc that is not upward, reversed (head → tail).
    search = _rows(node_count, position[heads[~upward]], position[tails[~upward]], seconds[~upward])
    sweep = _rows(node_count, position[tails[upward]], position[heads[upward]], seconds[upward])
    return Hierarchy(
        node_count=node_count,
        position=position,
        junction=junction,
        search_indptr=search[0],
        search_heads=search[1],
        search_seconds=search[2],
        sweep_indptr=sweep[0],
        sweep_heads=sweep[1],
        sweep_seconds=sweep[2],
        level_count=int(level.max()) + 1 if node_count else 0,
        shortcut_count=shortcuts,
        core_size=core_size,
        build_seconds=time.perf_counter() - started,
    )


def _rows(node_count: int, rows: I64, columns: I64, seconds: F64) -> tuple[I64, I64, F64]:
    order = np.lexsort((columns, rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=node_count))])
    return indptr.astype(np.int64), columns[order], seconds[order]


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
