"""One road graph per process, shared by every request, kept in step with the stored network.

Another worker may close a road or import a new network: the graph is rebuilt when the stored
network's signature (edges, closures, slow factors) changes, checked at most every few seconds.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from jingwu.places.hierarchy import prepare_in_background
from jingwu.places.road_models import RoadEdge
from jingwu.places.road_service import load_graph
from jingwu.places.roadgraph import RoadGraph

Signature = tuple[int, int, float, int]
CHECK_EVERY_S = 3.0


class RoadGraphCache:
    def __init__(self) -> None:
        self._graph: RoadGraph | None = None
        self._signature: Signature | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @staticmethod
    def _signature_of(session: Session) -> Signature:
        row = session.execute(
            select(
                func.count(RoadEdge.id),
                func.coalesce(func.sum(case((RoadEdge.closed, 1), else_=0)), 0),
                func.coalesce(func.sum(RoadEdge.slow_factor), 0.0),
                func.coalesce(func.max(RoadEdge.id), 0),
            )
        ).one()
        return int(row[0]), int(row[1]), round(float(row[2]), 6), int(row[3])

    def get(self, session: Session) -> RoadGraph | None:
        """The current graph, or None while the station has no road network."""
        with self._lock:
            now = time.monotonic()
            if self._graph is not None and now - self._checked_at < CHECK_EVERY_S:
                return self._graph
            signature = self._signature_of(session)
            self._checked_at = now
            if signature[0] == 0:
                self._graph, self._signature = None, signature
            elif signature != self._signature or self._graph is None:
                self._graph, self._signature = load_graph(session), signature
                prepare_in_background(self._graph)
            return self._graph

    def invalidate(self) -> None:
        with self._lock:
            self._graph, self._signature, self._checked_at = None, None, 0.0


ROAD_GRAPHS = RoadGraphCache()
