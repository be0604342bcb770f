"""The jurisdiction over HTTP: beats, communities, addresses, key sites, cameras, GeoJSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from jingwu.core.http import DbSession
from jingwu.identity.deps import CanViewPlaces
from jingwu.places import service
from jingwu.places.schemas import (
    AddressOut,
    AddressPage,
    BeatOut,
    CameraOut,
    CommunityOut,
    KeySiteOut,
    Location,
)

router = APIRouter(prefix="/api/places", tags=["places 辖区"])


@router.get("/beats", response_model=list[BeatOut], summary="警务区")
def beats(session: DbSession, _viewer: CanViewPlaces) -> list[BeatOut]:
    return [BeatOut.model_validate(b) for b in service.list_beats(session)]


@router.get("/communities", response_model=list[CommunityOut], summary="村/社区")
def communities(session: DbSession, _viewer: CanViewPlaces) -> list[CommunityOut]:
    return [CommunityOut.model_validate(c) for c in service.list_communities(session)]


@router.get("/key-sites", response_model=list[KeySiteOut], summary="重点部位")
def key_sites(session: DbSession, _viewer: CanViewPlaces) -> list[KeySiteOut]:
    return [KeySiteOut.model_validate(k) for k in service.list_key_sites(session)]


@router.get("/cameras", response_model=list[CameraOut], summary="视频点位")
def cameras(session: DbSession, _viewer: CanViewPlaces) -> list[CameraOut]:
    return [CameraOut.model_validate(c) for c in service.list_cameras(session)]


@router.get("/addresses", response_model=AddressPage, summary="标准地址检索")
def addresses(
    session: DbSession,
    _viewer: CanViewPlaces,
    q: str = Query(min_length=1, max_length=100, description="address words, any order"),
    limit: int = Query(default=10, ge=1, le=100),
    offset: int = Query(default=0, ge=0, le=100_000),
) -> AddressPage:
    rows, total = service.search_addresses(session, text=q, limit=limit, offset=offset)
    return AddressPage(items=[AddressOut.model_validate(a) for a in rows], total=total)


@router.get("/locate", response_model=Location, summary="坐标所属社区与警务区")
def locate(
    session: DbSession,
    _viewer: CanViewPlaces,
    lat: float = Query(ge=-90, le=90),
    lon: float = Query(ge=-180, le=180),
) -> Location:
    placement = service.locate(session, lat=lat, lon=lon)
    return Location(
        lat=lat,
        lon=lon,
        community_id=placement.community.id if placement.community else None,
        community_name=placement.community.name if placement.community else None,
        beat_id=placement.beat.id if placement.beat else None,
        beat_name=placement.beat.name if placement.beat else None,
    )


@router.get("/jurisdiction.geojson", summary="辖区 GeoJSON (communities, key sites, cameras)")
def jurisdiction_geojson(session: DbSession, _viewer: CanViewPlaces) -> dict[str, Any]:
    beats_by_id = {b.id: b for b in service.list_beats(session)}
    features: list[dict[str, Any]] = []
    for community in service.list_communities(session):
        beat = beats_by_id.get(community.beat_id or -1)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [community.boundary]},
                "properties": {
                    "layer": "community",
                    "id": community.id,
                    "name": community.name,
                    "beat_id": community.beat_id,
                    "beat_name": beat.name if beat else None,
                },
            }
        )
    for site in service.list_key_sites(session):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
                "properties": {
                    "layer": "key_site",
                    "id": site.id,
                    "name": site.name,
                    "status": site.status,
                    "crowd_level": site.crowd_level,
                },
            }
        )
    for camera in service.list_cameras(session):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [camera.lon, camera.lat]},
                "properties": {
                    "layer": "camera",
                    "id": camera.id,
                    "name": camera.name,
                    "direction_deg": camera.direction_deg,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
