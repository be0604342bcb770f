"""The permission matrix: every route × every demo account, derived from the routes themselves.

A route that demands ``require(P)`` must answer 403 ``forbidden`` to every role without P and must
let every role with P past the check (a 404/409/422 on the made-up id or empty body is fine,
a 5xx never is). Routes without a ``require`` must be listed in :data:`ANY_OFFICER` with the
reason they are safe, so that a new route cannot be open by accident.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from jingwu.cli import app as cli
from jingwu.identity.roles import Role
from jingwu.sim.leifeng import ACCOUNTS
from tests.security.conftest import Station
from tests.security.routes import UNSAFE, RouteInfo, http_routes

ROLE_OF = {username: role for username, _name, role, _team in ACCOUNTS}

PUBLIC = {
    "POST /api/auth/login": "the login itself",
    "GET /api/categories": "the national incident category list: reference data, no records",
    "GET /login": "the login page",
    "POST /login": "the login form",
    "POST /logout": "the logout form (checks its CSRF field, then ends the cookie's session)",
}

# API routes any logged-in officer may call: each scopes what it returns or does to the caller
ANY_OFFICER = {
    "POST /api/auth/logout": "ends the caller's own session",
    "GET /api/me": "the caller's own account",
    "POST /api/tokens": "tokens for oneself; for others only with user.manage",
    "GET /api/units/mine": "the caller's own units",
    "POST /api/units/{unit_id}/status": "own unit (crew) or unit.manage",
    "GET /api/incidents/assigned": "incidents the caller's units are on",
    "GET /api/incidents/{incident_id}": "incident.view, or a crew that is on it",
    "POST /api/incidents/{incident_id}/progress": "incident.respond and on the incident",
    "GET /api/cases/tasks": "the caller's own case tasks",
    "GET /api/cases/requests/overdue": "requests addressed to the caller's team",
    "GET /api/case-requests/{request_id}": "case team or the team asked",
    "POST /api/case-requests/{request_id}/answer": "the team asked (answer_video/community)",
    "POST /api/attachments/case-requests/{request_id}": "the team asked",
    "GET /api/attachments/cases/{attachment_id}": "case.view or the team asked",
    "GET /api/calls/mine": "one-key calls to the caller's units",
    "POST /api/calls/{call_id}/ack": "only a crew of a called unit",
    "POST /api/attachments": "only a crew sent to the incident",
    "GET /api/incidents/{incident_id}/attachments": "incident.view or on the incident",
    "GET /api/attachments/{attachment_id}": "incident.view or on the incident",
    "GET /api/incidents/{incident_id}/route": "incident.view or the crew's own unit",
    "GET /api/live/events": "the live feed, filtered to what the caller may see (as /ws/live)",
}


def _label(route: RouteInfo) -> str:
    return f"{route.method} {route.path}"


def _send(station: Station, route: RouteInfo, username: str | None) -> Any:
    headers = station.headers(username) if username else {}
    body = {} if route.method in UNSAFE else None
    return station.client.request(
        route.method, route.url(), json=body, headers=headers, follow_redirects=False
    )


def test_every_route_is_guarded_or_listed(shared_station: Station) -> None:
    routes = http_routes(shared_station.app)
    assert len(routes) > 100
    unguarded = {_label(r) for r in routes if not r.permissions and (r.is_api or r.method != "GET")}
    unknown = unguarded - set(ANY_OFFICER) - set(PUBLIC)
    assert not unknown, (
        "routes without require(...): guard them or list them in ANY_OFFICER with the reason "
        f"they are safe: {sorted(unknown)}"
    )
    stale = (set(ANY_OFFICER) | set(PUBLIC)) - {_label(r) for r in routes}
    assert not stale, f"listed routes that no longer exist: {sorted(stale)}"


def test_strangers_get_401_from_the_api_and_the_login_page_from_pages(
    shared_station: Station,
) -> None:
    wrong: list[str] = []
    for route in http_routes(shared_station.app):
        if _label(route) in PUBLIC:
            continue
        response = _send(shared_station, route, None)
        if route.is_api:
            ok = response.status_code == 401
        else:
            ok = response.status_code == 303 and response.headers["location"].startswith("/login")
        if not ok:
            wrong.append(f"{route}: {response.status_code}")
    assert not wrong, wrong


def test_forged_tokens_get_401(shared_station: Station) -> None:
    for route in http_routes(shared_station.app):
        if route.is_api and _label(route) not in PUBLIC:
            response = shared_station.client.request(
                route.method,
                route.url(),
                json={} if route.method in UNSAFE else None,
                headers={"Authorization": "Bearer jw_forged-token"},
            )
            assert response.status_code == 401, f"{route}: {response.status_code}"


@pytest.mark.parametrize("username", list(ROLE_OF))
def test_permission_matrix(shared_station: Station, username: str) -> None:
    role = Role(ROLE_OF[username])
    wrong: list[str] = []
    for route in http_routes(shared_station.app):
        if _label(route) in PUBLIC or (route.streams and route.allows(role)):
            continue  # an endless stream the role may open: the live gateway's tests cover it
        response = _send(shared_station, route, username)
        status = response.status_code
        if status >= 500:
            wrong.append(f"{route}: {status} {response.text[:200]}")
            continue
        if not route.is_api:  # pages: a page the role may not use refuses or sends elsewhere
            continue
        if not route.allows(role):
            error = response.json().get("error", {})
            if status != 403 or error.get("code") != "forbidden":
                wrong.append(f"{route}: {status} for {role} lacking {sorted(route.permissions)}")
        elif status == 403:
            error = response.json().get("error", {})
            if error.get("details", {}).get("permission") in route.permissions:
                wrong.append(f"{route}: refused {role} holding {sorted(route.permissions)}")
    assert not wrong, "\n".join(wrong)


# --- partners and crews see only their own ------------------------------------------------------


def test_a_crew_sees_only_incidents_its_unit_is_on(shared_station: Station) -> None:
    client = shared_station.client
    dispatcher, crew = shared_station.headers("dispatcher"), shared_station.headers("crew1")
    csrf_free = {
        "category_code": "0201",
        "address_text": "雷锋大道88号",
        "lat": 28.23,
        "lon": 112.83,
    }
    mine = client.post("/api/incidents", json=csrf_free, headers=dispatcher).json()["id"]
    other = client.post(
        "/api/incidents", json={**csrf_free, "address_text": "雷锋大道99号"}, headers=dispatcher
    ).json()["id"]
    unit_id = client.get("/api/units/mine", headers=crew).json()[0]["id"]
    sent = client.post(
        f"/api/incidents/{mine}/dispatch", json={"unit_ids": [unit_id]}, headers=dispatcher
    )
    assert sent.status_code == 200, sent.text

    assert client.get(f"/api/incidents/{mine}", headers=crew).status_code == 200
    assert client.get(f"/api/incidents/{other}", headers=crew).status_code == 403
    assigned = {i["id"] for i in client.get("/api/incidents/assigned", headers=crew).json()}
    assert mine in assigned
    assert other not in assigned
    assert client.get(f"/api/incidents/{other}/attachments", headers=crew).status_code == 403
    assert client.get(f"/api/incidents/{other}/route", headers=crew).status_code in (403, 404)
    # its own unit only: no positions, no status for another crew's car
    units = client.get("/api/units", headers=dispatcher).json()
    foreign = next(u["id"] for u in units if u["id"] != unit_id)
    moved = client.post(
        f"/api/units/{foreign}/positions", json={"lat": 28.23, "lon": 112.83}, headers=crew
    )
    assert moved.status_code == 403
    assert [u["id"] for u in client.get("/api/units/mine", headers=crew).json()] == [unit_id]


def test_a_partner_sees_only_its_own_agencys_requests(shared_station: Station) -> None:
    client = shared_station.client
    chief, partner = shared_station.headers("chief"), shared_station.headers("partner")
    agency = client.get("/api/partner/me", headers=partner).json()["id"]
    every = client.get("/api/community/whistles?per_page=200", headers=chief).json()
    rows = every["items"] if isinstance(every, dict) else every
    theirs = {r["id"] for r in rows if r["agency_id"] == agency}
    others = [r["id"] for r in rows if r["agency_id"] != agency]
    assert theirs, "the demo should have requests to the partner's agency"
    assert others, "the demo should have requests to other agencies"
    seen = {r["id"] for r in client.get("/api/partner/requests", headers=partner).json()}
    assert seen == theirs
    for request_id in others[:5]:
        response = client.get(f"/api/partner/requests/{request_id}", headers=partner)
        assert response.status_code in (403, 404), response.text
        step = client.post(f"/api/partner/requests/{request_id}/ack", json={}, headers=partner)
        assert step.status_code in (403, 404), step.text
    for path in ("/api/incidents", "/api/units", "/api/community/residents", "/api/cases"):
        assert client.get(path, headers=partner).status_code == 403


# --- the audit log ------------------------------------------------------------------------------


def test_no_route_writes_to_the_audit_log(shared_station: Station) -> None:
    """Only GET routes under /api/audit; every other method there is refused, and the chain
    after the whole matrix above still verifies."""
    audit_routes = [r for r in http_routes(shared_station.app) if "audit" in r.path]
    assert audit_routes
    assert all(r.method == "GET" for r in audit_routes), audit_routes
    admin = shared_station.headers("admin")
    for route in audit_routes:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = shared_station.client.request(method, route.url(), headers=admin)
            assert response.status_code == 405, f"{method} {route.path}: {response.status_code}"
    with shared_station.database.session() as session:
        before = session.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    verified = shared_station.client.get("/api/audit/verify", headers=admin).json()
    assert verified["intact"] is True
    assert verified["checked"] >= before


def _verify_cli(url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("JINGWU_DATABASE_URL", url)
    monkeypatch.setenv("JINGWU_SECRET_KEY", "cli-test-secret-0123456789")
    return CliRunner().invoke(cli, ["audit", "verify"])


def test_audit_verify_cli_finds_an_altered_row(
    fresh_station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_station.database.url
    intact = _verify_cli(url, monkeypatch)
    assert intact.exit_code == 0, intact.output
    assert "intact" in intact.output
    with fresh_station.database.session() as session:
        session.execute(
            text(
                "UPDATE audit_log SET action = action || '.edited' WHERE id = (SELECT min(id) + 3 FROM audit_log)"
            )
        )
    broken = _verify_cli(url, monkeypatch)
    assert broken.exit_code == 1
    assert "broken" in broken.output


def test_audit_verify_cli_finds_a_deleted_row(
    fresh_station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fresh_station.database.session() as session:
        session.execute(
            text("DELETE FROM audit_log WHERE id = (SELECT min(id) + 5 FROM audit_log)")
        )
    broken = _verify_cli(fresh_station.database.url, monkeypatch)
    assert broken.exit_code == 1
    assert "broken" in broken.output
