"""Reading the jurisdiction: where is this point, which address is this text."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jingwu.core.errors import InvalidInput, NotFound
from jingwu.core.geo import check_point, haversine_m, point_in_ring
from jingwu.core.paging import page_of
from jingwu.places.models import Beat, Camera, Community, KeySite, StandardAddress


@dataclass(frozen=True)
class Placement:
    community: Community | None
    beat: Beat | None


def list_beats(session: Session) -> list[Beat]:
    return list(session.scalars(select(Beat).order_by(Beat.code)).all())


def list_communities(session: Session) -> list[Community]:
    return list(session.scalars(select(Community).order_by(Community.code)).all())


def list_key_sites(session: Session) -> list[KeySite]:
    return list(session.scalars(select(KeySite).order_by(KeySite.id)).all())


def list_cameras(session: Session) -> list[Camera]:
    return list(session.scalars(select(Camera).order_by(Camera.code)).all())


def get_beat(session: Session, *, beat_id: int) -> Beat:
    beat = session.get(Beat, beat_id)
    if beat is None:
        raise NotFound(f"警务区不存在 / no beat {beat_id}")
    return beat


def locate(session: Session, *, lat: float, lon: float) -> Placement:
    check_point(lat, lon)
    for community in list_communities(session):
        if point_in_ring(lat, lon, community.boundary):
            beat = session.get(Beat, community.beat_id) if community.beat_id else None
            return Placement(community=community, beat=beat)
    return Placement(community=None, beat=None)


def get_address(session: Session, *, address_id: int) -> StandardAddress:
    address = session.get(StandardAddress, address_id)
    if address is None:
        raise NotFound(f"标准地址不存在 / no standard address {address_id}")
    return address


def search_addresses(
    session: Session, *, text: str, limit: int = 10, offset: int = 0
) -> tuple[list[StandardAddress], int]:
    """Every whitespace-separated term must appear in the address, in any order."""
    terms = [t for t in text.replace("，", " ").replace(",", " ").split() if t][:6]
    if not terms:
        raise InvalidInput("请输入地址关键字 / type part of an address", code="empty_query")
    query = select(StandardAddress)
    for term in terms:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(
                StandardAddress.full_text.like(f"%{escaped}%", escape="\\"),
                StandardAddress.street.like(f"%{escaped}%", escape="\\"),
            )
        )
    return page_of(session, query, StandardAddress.id, limit=limit, offset=offset)


def cameras_near(
    session: Session, *, lat: float, lon: float, radius_m: float = 500.0, limit: int = 8
) -> list[tuple[Camera, float]]:
    check_point(lat, lon)
    scored = [
        (camera, haversine_m(lat, lon, camera.lat, camera.lon)) for camera in list_cameras(session)
    ]
    near = sorted((pair for pair in scored if pair[1] <= radius_m), key=lambda pair: pair[1])
    return near[:limit]
