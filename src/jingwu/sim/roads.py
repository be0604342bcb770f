"""The Leifeng scenario's road network: a generated street grid over the jurisdiction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingwu.places import road_service
from jingwu.places.citygen import generate_grid_city
from jingwu.places.road_models import RoadEdge

LEIFENG_ROAD_CENTRE = (28.222, 112.836)
LEIFENG_ROAD_NODES = 4600  # about 7.5 km across at 110 m blocks


def build_leifeng_roads(session: Session, *, seed: int = 7) -> bool:
    """Store the demo's road network once; False when the station already has one."""
    if session.scalar(select(func.count(RoadEdge.id))):
        return False
    network = generate_grid_city(LEIFENG_ROAD_NODES, seed, centre=LEIFENG_ROAD_CENTRE)
    road_service.store_network(session, nodes=network.nodes, edges=network.edges)
    return True
