"""Which available unit should go: ranked by estimated travel time from where it is now."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from jingwu.command.models import Incident
from jingwu.core.errors import InvalidInput
from jingwu.core.geo import haversine_m
from jingwu.units import service as units_service
from jingwu.units.models import UnitStatus

# straight-line fallback when no road network is loaded: detour factor and typical speeds
DETOUR = 1.35
SPEED_MPS = {"car": 30 / 3.6, "ebike": 18 / 3.6, "foot": 5 / 3.6, "fire_engine": 35 / 3.6}


class Recommendation(BaseModel):
    unit_id: int
    call_sign: str
    kind: str
    distance_m: float
    eta_s: float
    explanation: str
    route: list[tuple[float, float]] = []
    by_road: bool = False


def _explain(distance_m: float, eta_s: float, via: str = "") -> str:
    minutes = max(1, round(eta_s / 60))
    text = f"{distance_m / 1000:.1f} km · {minutes} 分钟"
    return f"{text} · 经{via}" if via else f"{text}（直线估算）"


def recommend(
    session: Session, *, incident: Incident, kinds: set[str] | None = None, limit: int = 9
) -> list[Recommendation]:
    if incident.lat is None or incident.lon is None:
        raise InvalidInput(
            "警情没有坐标，无法推荐警力 / the incident has no coordinates", code="no_location"
        )
    candidates = [
        unit
        for unit in units_service.list_units(session, status=UnitStatus.AVAILABLE.value)
        if unit.lat is not None and unit.lon is not None and (not kinds or unit.kind in kinds)
    ]
    ranked = []
    for unit in candidates:
        distance = (
            haversine_m(unit.lat or 0.0, unit.lon or 0.0, incident.lat, incident.lon) * DETOUR
        )
        eta = distance / SPEED_MPS.get(unit.kind, SPEED_MPS["car"])
        ranked.append(
            Recommendation(
                unit_id=unit.id,
                call_sign=unit.call_sign,
                kind=unit.kind,
                distance_m=round(distance, 1),
                eta_s=round(eta, 1),
                explanation=_explain(distance, eta),
            )
        )
    return sorted(ranked, key=lambda r: r.eta_s)[:limit]
