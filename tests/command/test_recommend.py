"""Recommendations by road ETA, closures that change them at once, and coverage."""

from __future__ import annotations

from typing import Any

import pytest

from jingwu.core.db import Database
from jingwu.places.road_cache import ROAD_GRAPHS
from jingwu.sim.roads import build_leifeng_roads


@pytest.fixture
def roads(station: Database) -> Database:
    with station.session() as session:
        build_leifeng_roads(session, seed=7)
    ROAD_GRAPHS.invalidate()
    return station


def _call(officer: Any, lat: float, lon: float) -> int:
    body = {"category_code": "0201", "address_text": "测试地址", "lat": lat, "lon": lon}
    response = officer.post("/api/incidents", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_straight_line_fallback_says_so(login: Any) -> None:
    ROAD_GRAPHS.invalidate()
    dispatcher = login("dispatcher")
    incident_id = _call(dispatcher, 28.225, 112.83)
    recs = dispatcher.get(f"/api/incidents/{incident_id}/recommendations").json()
    assert recs
    assert all(not r["by_road"] and "直线估算" in r["explanation"] for r in recs)
    assert [r["eta_s"] for r in recs] == sorted(r["eta_s"] for r in recs)


def test_units_ranked_by_road_eta_with_route(roads: Database, login: Any) -> None:
    dispatcher = login("dispatcher")
    incident_id = _call(dispatcher, 28.225, 112.83)
    recs = dispatcher.get(f"/api/incidents/{incident_id}/recommendations").json()
    assert len(recs) == 8
    assert all(r["by_road"] for r in recs)
    assert [r["eta_s"] for r in recs] == sorted(r["eta_s"] for r in recs)
    top = recs[0]
    assert len(top["route"]) >= 2
    assert "km" in top["explanation"]
    assert "分钟" in top["explanation"]


def test_a_closure_changes_the_recommendation_at_once(roads: Database, login: Any) -> None:
    dispatcher = login("dispatcher")
    incident_id = _call(dispatcher, 28.225, 112.83)
    before = dispatcher.get(f"/api/incidents/{incident_id}/recommendations").json()[0]
    route = before["route"]
    for lat, lon in route[1:-1]:
        closed = dispatcher.post(
            "/api/places/roads/closures", json={"lat": lat, "lon": lon, "closed": True}
        )
        assert closed.status_code == 200, closed.text
    after = dispatcher.get(f"/api/incidents/{incident_id}/recommendations").json()
    same_unit = next(r for r in after if r["unit_id"] == before["unit_id"])
    assert same_unit["eta_s"] > before["eta_s"] or after[0]["unit_id"] != before["unit_id"]


def test_coverage_reports_shares_and_key_sites(roads: Database, login: Any) -> None:
    dispatcher = login("dispatcher")
    report = dispatcher.get("/api/coverage").json()
    assert report["units_counted"] == 8
    shares = report["share_within"]
    assert 0 < shares["3"] <= shares["5"] <= shares["10"] <= 1
    assert len(report["key_sites"]) == 6


def test_coverage_refuses_nonsense_minutes(roads: Database, login: Any) -> None:
    dispatcher = login("dispatcher")
    response = dispatcher.get("/api/coverage?minutes=0")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_minutes"
