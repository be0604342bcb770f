"""The inner loops of the contraction hierarchy, compiled by numba.

Everything else in the hierarchy is whole-array NumPy; these walk arcs one by one, which NumPy
cannot do fast: the bounded witness Dijkstra used while contracting, the PHAST query (climb,
then the level-ordered sweep), finishing the labels a sweep left, and walking a route down
exact labels. All release the GIL, so a hierarchy can be built in a background thread while
the command room keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numba
import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def _compiled(function: Callable[..., None]) -> Callable[..., None]:
    return cast(Callable[..., None], numba.njit(cache=True, nogil=True)(function))


def _phast(
    climb_indptr: I64,
    climb_other: I64,
    climb_seconds: F64,
    seed_positions: I64,
    seed_seconds: F64,
    sweep_indptr: I64,
    sweep_other: I64,
    sweep_seconds: F64,
    sweep_stop: int,
    seconds: F64,
) -> None:
    """PHAST over junctions numbered from the highest level down (the core first).

    1. Dijkstra from the seeds over the `climb` arcs (toward higher junctions, and across the
       core): a few thousand junctions.
    2. For every junction in order, the best of its own time and `arc + the other end's time`
       over its `sweep` arcs; the other ends are higher, so their times are already final.
       The sweep stops at `sweep_stop`: junctions after it are finished on demand.
    The same kernel answers "to a target" and "from sources": only the arc sets swap.
    """
    seconds[:] = np.inf
    capacity = climb_other.size + seed_positions.size + 1
    heap_key = np.empty(capacity, dtype=np.float64)
    heap_node = np.empty(capacity, dtype=np.int64)
    heap_size = 0
    for index in range(seed_positions.size):
        seed = seed_positions[index]
        if seed_seconds[index] < seconds[seed]:
            seconds[seed] = seed_seconds[index]
            heap_key[heap_size] = seed_seconds[index]
            heap_node[heap_size] = seed
            heap_size += 1
            _sift_up(heap_key, heap_node, heap_size - 1)
    while heap_size > 0:
        key, node = heap_key[0], heap_node[0]
        heap_size -= 1
        _sift_down(heap_key, heap_node, heap_size)
        if key > seconds[node]:
            continue
        for arc in range(climb_indptr[node], climb_indptr[node + 1]):
            head = climb_other[arc]
            reached = key + climb_seconds[arc]
            if reached < seconds[head]:
                seconds[head] = reached
                heap_key[heap_size] = reached
                heap_node[heap_size] = head
                heap_size += 1
                _sift_up(heap_key, heap_node, heap_size - 1)
    for node in range(sweep_stop):
        seconds[node] = _label(node, seconds, sweep_indptr, sweep_other, sweep_seconds)


def _label(
    node: int, seconds: F64, sweep_indptr: I64, sweep_other: I64, sweep_seconds: F64
) -> float:
    """Best of the junction's own time and `arc + the higher end's time`."""
    best = seconds[node]
    for arc in range(sweep_indptr[node], sweep_indptr[node + 1]):
        candidate = sweep_seconds[arc] + seconds[sweep_other[arc]]
        if candidate < best:
            best = candidate
    return float(best)


def _finish(
    positions: I64,
    seconds: F64,
    pending: Any,
    sweep_indptr: I64,
    sweep_other: I64,
    sweep_seconds: F64,
    lazy_start: int,
    stack: I64,
    order: I64,
) -> None:
    """Finish the times at `positions` left by a sweep that stopped at `lazy_start`, and
    first those of the unfinished junctions they depend on (higher ones: smaller positions)."""
    count, top = 0, 0
    for index in range(positions.size):
        position = positions[index]
        if position >= lazy_start and pending[position]:
            pending[position] = False
            stack[top], order[count] = position, position
            top, count = top + 1, count + 1
    while top > 0:
        top -= 1
        node = stack[top]
        for arc in range(sweep_indptr[node], sweep_indptr[node + 1]):
            other = sweep_other[arc]
            if other >= lazy_start and pending[other]:
                pending[other] = False
                stack[top], order[count] = other, other
                top, count = top + 1, count + 1
    for node in np.sort(order[:count]):
        seconds[node] = _label(node, seconds, sweep_indptr, sweep_other, sweep_seconds)


def _walk_down(
    indptr: I64,
    heads: I64,
    arc_seconds: F64,
    position: I64,
    seconds: F64,
    pending: Any,
    sweep_indptr: I64,
    sweep_other: I64,
    sweep_seconds: F64,
    lazy_start: int,
    stack: I64,
    order: I64,
    start: int,
    entry_nodes: I64,
    entry_seconds: F64,
    route: I64,
) -> int:
    """Follow, from `start`, the arc that keeps `arc + head's time` least, until entering the
    target is no dearer than going on; fills `route` with the junctions and returns how many.
    Times are by position, finished as met. A junction is never visited twice, so
    zero-second arcs cannot make it circle."""
    visited = np.zeros(position.size, dtype=np.bool_)
    node, length = start, 0
    while length < route.size:
        route[length] = node
        visited[node] = True
        length += 1
        first, stop = indptr[node], indptr[node + 1]
        around = np.empty(stop - first, dtype=np.int64)
        for arc in range(first, stop):
            around[arc - first] = position[heads[arc]]
        _finish(
            around,
            seconds,
            pending,
            sweep_indptr,
            sweep_other,
            sweep_seconds,
            lazy_start,
            stack,
            order,
        )
        best, best_head = np.inf, -1
        for arc in range(first, stop):
            head = heads[arc]
            candidate = arc_seconds[arc] + seconds[around[arc - first]]
            if candidate < best and not visited[head]:
                best, best_head = candidate, head
        for index in range(entry_nodes.size):
            if entry_nodes[index] == node and entry_seconds[index] <= best:
                return length
        if best_head < 0:
            return length
        node = best_head
    return length


def _witness_searches(
    indptr: I64,
    heads: I64,
    arc_seconds: F64,
    sources: I64,
    avoid: I64,
    group_bounds: I64,
    targets: I64,
    costs: F64,
    settle_limit: int,
    witnessed: Any,
) -> None:
    """From each source, a Dijkstra that never enters the group's `avoid` junction (-1: none),
    bounded by its dearest pair and `settle_limit` settled junctions; a pair is witnessed
    when its target is reached within its cost."""
    node_count = indptr.size - 1
    distance = np.full(node_count, np.inf)
    touched = np.empty(heads.size + 1, dtype=np.int64)
    heap_key = np.empty(heads.size + 1, dtype=np.float64)
    heap_node = np.empty(heads.size + 1, dtype=np.int64)
    for group in range(sources.size):
        first, stop = group_bounds[group], group_bounds[group + 1]
        bound = 0.0
        for pair in range(first, stop):
            bound = max(bound, costs[pair])
        source = sources[group]
        distance[source] = 0.0
        touched_count = 1
        touched[0] = source
        heap_key[0] = 0.0
        heap_node[0] = source
        heap_size = 1
        settled = 0
        while heap_size > 0 and settled < settle_limit:
            key, node = heap_key[0], heap_node[0]
            heap_size -= 1
            _sift_down(heap_key, heap_node, heap_size)
            if key > distance[node]:
                continue
            if key > bound:
                break
            settled += 1
            for arc in range(indptr[node], indptr[node + 1]):
                head = heads[arc]
                reached = key + arc_seconds[arc]
                if head != avoid[group] and reached < distance[head] and reached <= bound:
                    if distance[head] == np.inf:
                        touched[touched_count] = head
                        touched_count += 1
                    distance[head] = reached
                    heap_key[heap_size] = reached
                    heap_node[heap_size] = head
                    heap_size += 1
                    _sift_up(heap_key, heap_node, heap_size - 1)
        for pair in range(first, stop):
            witnessed[pair] = distance[targets[pair]] <= costs[pair]
        for index in range(touched_count):
            distance[touched[index]] = np.inf


def _sift_down(heap_key: F64, heap_node: I64, heap_size: int) -> None:
    """Move the last entry to the root (just popped) and restore the heap."""
    if heap_size == 0:
        return
    key, node = heap_key[heap_size], heap_node[heap_size]
    position = 0
    while True:
        child = 2 * position + 1
        if child >= heap_size:
            break
        if child + 1 < heap_size and heap_key[child + 1] < heap_key[child]:
            child += 1
        if heap_key[child] >= key:
            break
        heap_key[position], heap_node[position] = heap_key[child], heap_node[child]
        position = child
    heap_key[position], heap_node[position] = key, node


def _sift_up(heap_key: F64, heap_node: I64, position: int) -> None:
    key, node = heap_key[position], heap_node[position]
    while position > 0:
        parent = (position - 1) // 2
        if heap_key[parent] <= key:
            break
        heap_key[position], heap_node[position] = heap_key[parent], heap_node[parent]
        position = parent
    heap_key[position], heap_node[position] = key, node


_sift_down = _compiled(_sift_down)
_sift_up = _compiled(_sift_up)
_label = cast(Callable[..., float], numba.njit(cache=True, nogil=True)(_label))
phast = _compiled(_phast)
_finish = _compiled(_finish)
finish = _finish
walk_down = cast(Callable[..., int], numba.njit(cache=True, nogil=True)(_walk_down))
witness_searches = _compiled(_witness_searches)
