"""Attacks a station meets: script payloads, cross-site forms, password guessing, stale sessions,
default secrets, missing headers. Generic over the app's routes and templates."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import update
from starlette.websockets import WebSocketDisconnect
from typer.testing import CliRunner

from jingwu.cli import app as cli
from jingwu.core.clock import utcnow
from jingwu.core.config import DEMO_SECRET, Settings
from jingwu.core.middleware import SECURITY_HEADERS
from jingwu.identity.models import BrowserSession
from jingwu.sim.leifeng import DEMO_PASSWORD
from tests.security.conftest import Station
from tests.security.routes import UNSAFE, http_routes

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "jingwu" / "web" / "templates"
STATIC = TEMPLATES.parent / "static"
# accepted by the intake (no complete tag), dangerous if a page pasted it in unescaped
TRICKY = "\"'&<3 </title x=\"y\" <!-- 王' OR '1'='1"
RAW = "<3 </title"


def _cookie_login(client: TestClient, username: str) -> str:
    response = client.post(
        "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


# --- script payloads render as text -------------------------------------------------------------


def test_tricky_text_is_stored_as_is_and_every_page_escapes_it(fresh_station: Station) -> None:
    client = fresh_station.client
    dispatcher = fresh_station.headers("dispatcher")
    call = {
        "category_code": "0201",
        "caller_name": TRICKY[:60],
        "address_text": "雷锋大道1号" + TRICKY,
        "lat": 28.23,
        "lon": 112.83,
        "description": TRICKY * 3,
    }
    created = client.post("/api/incidents", json=call, headers=dispatcher)
    assert created.status_code == 201, created.text
    incident = created.json()
    assert incident["description"] == (TRICKY * 3).strip()
    community = fresh_station.headers("community")
    dispute = client.post(
        f"/api/community/disputes/from-incident/{incident['id']}", json={}, headers=community
    )
    ids = {str(incident["id"])}
    if dispute.status_code in (200, 201):
        ids.add(str(dispute.json()["id"]))
    shown = 0
    for username in ("admin", "dispatcher", "chief", "community"):
        browser = TestClient(fresh_station.app)
        _cookie_login(browser, username)
        for route in http_routes(fresh_station.app):
            if route.is_api or route.method != "GET" or route.path == "/login":
                continue
            for value in ids if "{" in route.path else {""}:
                page = browser.get(route.url(value))
                assert page.status_code < 500, f"{route.url(value)}: {page.status_code}"
                assert RAW not in page.text, f"{route.url(value)} pastes user text unescaped"
                shown += "&lt;3 &lt;/title" in page.text
        browser.close()
    assert shown, "no page showed the stored text at all: the check saw nothing"


def test_scripts_never_build_html_from_strings() -> None:
    """Pages fill in data with el()/textContent; no script of ours parses strings as HTML."""
    sinks = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write")
    offenders = [
        str(path.relative_to(STATIC))
        for path in STATIC.rglob("*.js")
        if "vendor" not in path.parts and sinks.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders


def test_templates_never_switch_autoescape_off() -> None:
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), path.name
        assert "autoescape false" not in text, path.name


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_post_form_carries_the_csrf_field() -> None:
    forms = 0
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, flags=re.S | re.I):
            opening = match.group(0)[: match.group(0).index(">") + 1]
            if re.search(r'method\s*=\s*"?post', opening, flags=re.I):
                forms += 1
                assert 'name="csrf_token"' in match.group(1), f"{path.name}: {opening}"
    assert forms >= 2  # login and logout at least


def test_every_unsafe_route_refuses_a_cookie_without_the_csrf_token(
    shared_station: Station,
) -> None:
    browser = TestClient(shared_station.app)
    _cookie_login(browser, "admin")
    wrong = []
    for route in http_routes(shared_station.app):
        if route.method not in UNSAFE or route.path in ("/api/auth/login", "/login"):
            continue
        if route.is_api:
            response = browser.request(route.method, route.url(), json={})
            error = response.json().get("error", {}) if response.content else {}
            if response.status_code != 403 or error.get("code") != "csrf":
                wrong.append(f"{route}: {response.status_code}")
        else:  # page forms: a forged post changes nothing
            response = browser.request(
                route.method, route.url(), data={"csrf_token": "forged"}, follow_redirects=False
            )
            assert response.status_code < 500
    assert browser.get("/api/me").status_code == 200, "a forged page post ended the session"
    browser.close()
    assert not wrong, wrong


def test_login_form_refuses_a_post_without_its_token(fresh_station: Station) -> None:
    with TestClient(fresh_station.app) as browser:
        response = browser.post(
            "/login",
            data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": "x" * 20},
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert "jingwu_session" not in response.cookies


# --- password guessing ---------------------------------------------------------------------------


def test_an_address_that_keeps_failing_is_slowed_down(fresh_station: Station) -> None:
    limit = fresh_station.app.state.settings.login_failures_per_minute
    guesser = TestClient(fresh_station.app, client=("203.0.113.7", 40000))
    for index in range(limit):
        response = guesser.post(
            "/api/auth/login", json={"username": f"ghost{index}", "password": "guess"}
        )
        assert response.status_code == 401
    refused = guesser.post("/api/auth/login", json={"username": "admin", "password": "x"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # the right password from that address waits too; the page form is the same door
    assert (
        guesser.post(
            "/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD}
        ).status_code
        == 429
    )
    form = guesser.post("/login", data={"username": "admin", "password": "x", "csrf_token": "y"})
    assert form.status_code == 429
    assert "请" in form.text
    assert 'href="/login"' in form.text  # a page a person can read
    # another address is not affected, and successful logins never count
    colleague = TestClient(fresh_station.app, client=("198.51.100.9", 40000))
    for _ in range(limit + 5):
        ok = colleague.post(
            "/api/auth/login", json={"username": "dispatcher", "password": DEMO_PASSWORD}
        )
        assert ok.status_code == 200
    guesser.close()
    colleague.close()


def test_an_account_locks_after_repeated_failures(fresh_station: Station) -> None:
    with TestClient(fresh_station.app) as client:
        for _ in range(fresh_station.app.state.settings.login_max_failures):
            client.post("/api/auth/login", json={"username": "chief", "password": "wrong"})
        locked = client.post(
            "/api/auth/login", json={"username": "chief", "password": DEMO_PASSWORD}
        )
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "account_locked"


# --- sessions ------------------------------------------------------------------------------------


def test_an_expired_session_is_refused_everywhere(fresh_station: Station) -> None:
    with TestClient(fresh_station.app) as browser:
        csrf = _cookie_login(browser, "dispatcher")
        assert browser.get("/api/me").status_code == 200
        cookie = browser.cookies.get("jingwu_session")
        assert cookie
        with fresh_station.database.session() as session:
            session.execute(update(BrowserSession).values(expires_at=utcnow() - timedelta(1)))
        assert browser.get("/api/me").status_code == 401
        write = browser.post(
            "/api/incidents",
            json={"category_code": "0201", "address_text": "雷锋大道1号"},
            headers={"X-CSRF-Token": csrf},
        )
        assert write.status_code == 401
        page = browser.get("/console", follow_redirects=False)
        assert page.status_code == 303
        with pytest.raises(WebSocketDisconnect) as closed:  # noqa: SIM117 - the connect raises
            with browser.websocket_connect("/ws/live") as ws:
                ws.receive_text()
        assert closed.value.code == 4401


def test_sessions_last_the_configured_hours(fresh_station: Station) -> None:
    with TestClient(fresh_station.app) as browser:
        _cookie_login(browser, "video")
        with fresh_station.database.session(write=False) as session:
            row = session.query(BrowserSession).one()
            hours = fresh_station.app.state.settings.session_hours
            left = row.expires_at.replace(tzinfo=utcnow().tzinfo) - utcnow()
            assert timedelta(hours=hours - 1) < left <= timedelta(hours=hours)


# --- secrets -------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("JINGWU_SECRET_KEY", "JINGWU_DEMO"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_demo_secret_is_refused_outside_the_demo(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="demo value"):
        Settings()
    with pytest.raises(ValidationError, match="demo value"):
        Settings(secret_key=DEMO_SECRET)
    with pytest.raises(ValidationError, match="16 characters"):
        Settings(secret_key="short")
    assert Settings(demo=True).secret_key == DEMO_SECRET
    assert Settings(secret_key="a-long-random-station-secret").demo is False


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"], ["audit", "verify"]])
def test_commands_stop_on_a_default_secret(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, command: list[str]
) -> None:
    clean_env.setenv("JINGWU_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2, result.output
    assert "JINGWU_SECRET_KEY" in result.output
    assert not (tmp_path / "x.db").exists()


# --- headers -------------------------------------------------------------------------------------


def _assert_headers(response: Any, where: str) -> None:
    for name, value in SECURITY_HEADERS:
        assert response.headers.get(name.decode()) == value.decode(), f"{where}: {name!r}"


def test_security_headers_on_every_response(shared_station: Station) -> None:
    client = shared_station.client
    admin = shared_station.headers("admin")
    for route in http_routes(shared_station.app):
        body = {} if route.method in UNSAFE else None
        for headers in ({}, admin):
            if route.streams and headers:
                continue  # endless for an officer; its refusal of strangers is checked
            response = client.request(
                route.method, route.url(), json=body, headers=headers, follow_redirects=False
            )
            _assert_headers(response, f"{route} → {response.status_code}")
    _assert_headers(client.get("/static/api.js"), "static file")
    _assert_headers(client.get("/no/such/page"), "404")
    _assert_headers(client.delete("/api/me", headers=admin), "405")
    big = client.post(
        "/api/incidents", content=b"x" * (2 * 1024 * 1024), headers=admin
    )  # over the body limit
    assert big.status_code == 413
    _assert_headers(big, "413")


def test_session_cookie_is_httponly_and_strict(fresh_station: Station) -> None:
    with TestClient(fresh_station.app) as browser:
        response = browser.post(
            "/api/auth/login", json={"username": "admin", "password": DEMO_PASSWORD}
        )
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
