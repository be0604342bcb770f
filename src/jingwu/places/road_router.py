"""Roads over HTTP: the base map's streets, closures, and what the units can reach in time."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from jingwu.core import events
from jingwu.core.errors import InvalidInput
from jingwu.core.http import DbSession
from jingwu.identity import audit
from jingwu.identity.deps import CanManageUnits, CanViewPlaces
from jingwu.places import road_service
from jingwu.places.road_cache import ROAD_GRAPHS
from jingwu.places.road_models import RoadEdge, RoadNode
from jingwu.places.roadgraph import RoadGraph

router = APIRouter(prefix="/api/places/roads", tags=["places 辖区"])


class RoadClosureChanged(events.Event):
    type: Literal["road.closure"] = "road.closure"
    edge_id: int
    closed: bool
    slow_factor: float


class ClosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edge_id: int | None = Field(default=None, ge=1)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    closed: bool = True
    slow_factor: float = Field(default=1.0, ge=1.0, le=20.0, description="1 正常 … 20 极慢")


class ClosureOut(BaseModel):
    edge_id: int
    name: str
    closed: bool
    slow_factor: float


def road_graph(session: DbSession) -> RoadGraph:
    graph = ROAD_GRAPHS.get(session)
    if graph is None:
        raise InvalidInput(
            "尚未导入路网 / no road network yet: run `jingwu import-osm`", code="no_roads"
        )
    return graph


@router.get("/geojson", summary="路网（离线底图）/ the road network as GeoJSON lines")
def roads_geojson(session: DbSession, _viewer: CanViewPlaces) -> dict[str, Any]:
    nodes = {
        nid: (lat, lon)
        for nid, lat, lon in session.execute(select(RoadNode.id, RoadNode.lat, RoadNode.lon))
    }
    features = []
    for edge in session.scalars(select(RoadEdge)):
        a, b = nodes.get(edge.source_id), nodes.get(edge.target_id)
        if a is None or b is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[a[1], a[0]], [b[1], b[0]]]},
                "properties": {
                    "id": edge.id,
                    "name": edge.name,
                    "class": edge.road_class,
                    "closed": edge.closed,
                    "slow": edge.slow_factor,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.post("/closures", response_model=ClosureOut, summary="封路/限速 / close or slow a road")
def close_road(body: ClosureIn, session: DbSession, officer: CanManageUnits) -> ClosureOut:
    graph = road_graph(session)
    if body.edge_id is None:
        if body.lat is None or body.lon is None:
            raise InvalidInput("请给出道路编号或坐标 / give edge_id or lat+lon", code="no_edge")
        edge_id = graph.edge_id_at(body.lat, body.lon)
    else:
        edge_id = body.edge_id
    edge = road_service.set_closure(
        session, edge_id=edge_id, closed=body.closed, slow_factor=body.slow_factor, graph=graph
    )
    audit.write(
        session,
        officer_id=officer.id,
        action="road.closure",
        entity="road_edge",
        entity_id=edge.id,
        detail={"closed": body.closed, "slow_factor": body.slow_factor},
    )
    events.record(
        session,
        RoadClosureChanged(edge_id=edge.id, closed=body.closed, slow_factor=body.slow_factor),
    )
    return ClosureOut(
        edge_id=edge.id, name=edge.name, closed=edge.closed, slow_factor=edge.slow_factor
    )
