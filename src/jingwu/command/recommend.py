"""Which available unit should go: ranked by road travel time from where it is now.

With a road network loaded, every available unit is ranked by exact network ETA (one search
from the incident over the reversed graph) and the top ones carry their route; without one,
a straight-line estimate stands in and says so.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from jingwu.command.models import Incident
from jingwu.core.errors import InvalidInput
from jingwu.core.geo import haversine_m
from jingwu.places.road_cache import ROAD_GRAPHS
from jingwu.places.routing import UnitPosition, rank_units
from jingwu.units import service as units_service
from jingwu.units.models import Unit, UnitStatus

DETOUR = 1.35
SPEED_MPS = {"car": 30 / 3.6, "ebike": 18 / 3.6, "foot": 5 / 3.6, "fire_engine": 35 / 3.6}
# the road graph's speeds are for cars; slower kinds take proportionally longer
KIND_SLOWDOWN = {"car": 1.0, "fire_engine": 1.1, "ebike": 1.7, "foot": 6.0}


class Recommendation(BaseModel):
    unit_id: int
    call_sign: str
    kind: str
    distance_m: float
    eta_s: float
    explanation: str
    route: list[tuple[float, float]] = []
    by_road: bool = False


def _straight_line(unit: Unit, lat: float, lon: float) -> Recommendation:
    distance = haversine_m(unit.lat or 0.0, unit.lon or 0.0, lat, lon) * DETOUR
    eta = distance / SPEED_MPS.get(unit.kind, SPEED_MPS["car"])
    minutes = max(1, round(eta / 60))
    return Recommendation(
        unit_id=unit.id,
        call_sign=unit.call_sign,
        kind=unit.kind,
        distance_m=round(distance, 1),
        eta_s=round(eta, 1),
        explanation=f"{distance / 1000:.1f} km · {minutes} 分钟（直线估算）",
    )


FIRE_CATEGORIES = frozenset({"06", "07", "09"})
POLICE_KINDS = frozenset({"car", "ebike", "foot"})


def default_kinds(category_code: str) -> set[str] | None:
    """Fire apparatus answer fire, rescue and social-aid calls; police calls get police units."""
    return None if category_code[:2] in FIRE_CATEGORIES else set(POLICE_KINDS)


def available_units(session: Session, *, kinds: set[str] | None = None) -> list[Unit]:
    return [
        unit
        for unit in units_service.list_units(session, status=UnitStatus.AVAILABLE.value)
        if unit.lat is not None and unit.lon is not None and (not kinds or unit.kind in kinds)
    ]


def recommend(
    session: Session,
    *,
    incident: Incident,
    kinds: set[str] | None = None,
    limit: int = 9,
    routes_for_top: int = 3,
) -> list[Recommendation]:
    if incident.lat is None or incident.lon is None:
        raise InvalidInput(
            "警情没有坐标，无法推荐警力 / the incident has no coordinates", code="no_location"
        )
    units = available_units(session, kinds=kinds or default_kinds(incident.category_code))
    graph = ROAD_GRAPHS.get(session)
    if graph is None or not units:
        ranked = [_straight_line(unit, incident.lat, incident.lon) for unit in units]
        return sorted(ranked, key=lambda r: r.eta_s)[:limit]
    by_id = {unit.id: unit for unit in units}
    result = rank_units(
        graph,
        lat=incident.lat,
        lon=incident.lon,
        units=[UnitPosition(u.id, u.lat or 0.0, u.lon or 0.0) for u in units],
        routes_for_top=0,
    )
    scored = []
    for entry in result.ranked:
        unit = by_id[int(entry.unit_id)]
        if not entry.reachable:
            scored.append((float("inf"), unit, entry))
            continue
        scored.append((entry.eta_s * KIND_SLOWDOWN.get(unit.kind, 1.0), unit, entry))
    scored.sort(key=lambda item: item[0])
    recommendations = []
    for rank, (eta, unit, entry) in enumerate(scored[:limit]):
        if eta == float("inf"):
            recommendations.append(_straight_line(unit, incident.lat, incident.lon))
            continue
        detail = result.route_for(entry.unit_id)
        minutes = max(1, round(eta / 60))
        via = "、".join(detail.road_names[:2])
        explanation = f"{detail.distance_m / 1000:.1f} km · {minutes} 分钟" + (
            f" · 经{via}" if via else ""
        )
        recommendations.append(
            Recommendation(
                unit_id=unit.id,
                call_sign=unit.call_sign,
                kind=unit.kind,
                distance_m=round(detail.distance_m, 1),
                eta_s=round(eta, 1),
                explanation=explanation,
                route=detail.path if rank < routes_for_top else [],
                by_road=True,
            )
        )
    return recommendations
