"""Coverage: where the units available now can reach in 3, 5 and 10 minutes by road."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from jingwu.command.recommend import POLICE_KINDS, available_units
from jingwu.core.errors import InvalidInput
from jingwu.core.http import DbSession
from jingwu.identity.deps import CanViewUnits
from jingwu.places import service as places_service
from jingwu.places.road_cache import ROAD_GRAPHS
from jingwu.places.routing import KeyPoint, UnitPosition, coverage

router = APIRouter(prefix="/api/coverage", tags=["command 接处警"])


class KeySiteCoverage(BaseModel):
    key_site_id: int
    name: str
    eta_s: float | None
    within_minutes: int | None


class CoverageOut(BaseModel):
    minutes: list[int]
    share_within: dict[int, float]
    key_sites: list[KeySiteCoverage]
    notices: list[str]
    units_counted: int


@router.get("", response_model=CoverageOut, summary="警力覆盖（3/5/10 分钟）")
def current_coverage(
    session: DbSession,
    _viewer: CanViewUnits,
    minutes: list[int] = Query(default=[3, 5, 10], max_length=6),
    kind: list[str] = Query(
        default=sorted(POLICE_KINDS),
        max_length=6,
        description="unit kinds counted (police by default)",
    ),
) -> CoverageOut:
    if any(m <= 0 or m > 120 for m in minutes):
        raise InvalidInput("分钟数需在 1–120 之间 / minutes must be 1–120", code="bad_minutes")
    graph = ROAD_GRAPHS.get(session)
    if graph is None:
        raise InvalidInput("尚未导入路网 / no road network yet", code="no_roads")
    units = available_units(session, kinds=set(kind))
    sites = places_service.list_key_sites(session)
    report = coverage(
        graph,
        unit_positions=[UnitPosition(u.id, u.lat or 0.0, u.lon or 0.0) for u in units],
        minutes=tuple(sorted(set(minutes))),
        key_points=[KeyPoint(s.id, s.name, s.lat, s.lon) for s in sites],
    )
    largest = max(minutes)
    return CoverageOut(
        minutes=sorted(set(minutes)),
        share_within={int(k): round(float(v), 4) for k, v in report.node_share_within.items()},
        key_sites=[
            KeySiteCoverage(
                key_site_id=int(k.key_point_id),
                name=k.name,
                eta_s=None if k.eta_s == float("inf") else round(k.eta_s, 1),
                within_minutes=k.within_minutes,
            )
            for k in report.key_points
        ],
        notices=[f"重点部位「{k.name}」超出 {largest} 分钟覆盖范围" for k in report.uncovered],
        units_counted=len(units),
    )
