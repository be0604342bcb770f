"""Login, lockout, CSRF, bearer tokens, permissions and the audit chain."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from jingwu.core.db import Database
from jingwu.identity import audit

CALL = {"category_code": "0201", "address_text": "雷锋大道8号", "lat": 28.23, "lon": 112.83}


def test_wrong_password_then_lockout(app: Any) -> None:
    with TestClient(app) as client:
        for _ in range(5):
            bad = client.post(
                "/api/auth/login", json={"username": "dispatcher", "password": "nope"}
            )
            assert bad.status_code == 401
            assert bad.json()["error"]["code"] == "bad_credentials"
        locked = client.post(
            "/api/auth/login", json={"username": "dispatcher", "password": "leifeng-demo"}
        )
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "account_locked"


def test_unknown_user_reads_like_a_wrong_password(app: Any) -> None:
    with TestClient(app) as client:
        response = client.post("/api/auth/login", json={"username": "ghost", "password": "x"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "bad_credentials"


def test_cookie_writes_need_the_csrf_header(login: Any) -> None:
    dispatcher = login("dispatcher")
    refused = dispatcher.client.post("/api/incidents", json=CALL)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf"
    accepted = dispatcher.post("/api/incidents", json=CALL)
    assert accepted.status_code == 201


def test_bearer_token_for_a_terminal(login: Any, app: Any) -> None:
    crew = login("crew1")
    token = crew.post("/api/tokens", json={"name": "1号车载终端"}).json()["token"]
    unit_id = crew.get("/api/units/mine").json()[0]["id"]
    with TestClient(app) as terminal:
        headers = {"Authorization": f"Bearer {token}"}
        fix = terminal.post(
            f"/api/units/{unit_id}/positions", json={"lat": 28.23, "lon": 112.83}, headers=headers
        )
        assert fix.status_code == 201, fix.text
        bad = terminal.get("/api/units/mine", headers={"Authorization": "Bearer jw_forged"})
        assert bad.status_code == 401


def test_roles_are_enforced(login: Any) -> None:
    crew = login("crew1")
    response = crew.post("/api/incidents", json=CALL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    partner = login("partner")
    assert partner.get("/api/incidents").status_code == 403
    assert partner.get("/api/units").status_code == 403


def test_not_logged_in(app: Any) -> None:
    with TestClient(app) as client:
        response = client.get("/api/incidents")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_logged_in"


def test_logout_ends_the_session(login: Any) -> None:
    dispatcher = login("dispatcher")
    assert dispatcher.post("/api/auth/logout").status_code == 204
    assert dispatcher.get("/api/me").status_code == 401


def test_every_write_is_audited_and_the_chain_verifies(login: Any, station: Database) -> None:
    dispatcher = login("dispatcher")
    dispatcher.post("/api/incidents", json=CALL)
    chief = login("chief")
    page = chief.get("/api/audit?entity=incident").json()
    assert page["total"] >= 1
    assert page["items"][0]["action"] == "incident.received"
    assert chief.get("/api/audit/verify").json()["intact"] is True
    assert dispatcher.get("/api/audit").status_code == 403


def test_tampering_breaks_the_chain(login: Any, station: Database) -> None:
    login("dispatcher").post("/api/incidents", json=CALL)
    with station.session() as session:
        session.execute(
            text("UPDATE audit_log SET action = 'nothing' WHERE action = 'incident.received'")
        )
    with station.session() as session:
        intact, _checked, broken = audit.verify(session)
    assert intact is False
    assert broken is not None
