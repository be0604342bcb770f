"""Pages render for each role, escape what users typed, and switch to English."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_login_page_and_redirects(app: Any) -> None:
    with TestClient(app) as client:
        page = client.get("/login")
        assert page.status_code == 200
        assert "雷锋派出所" in page.text
        assert "content-security-policy" in page.headers
        assert (
            client.get("/console", follow_redirects=False).headers["location"].startswith("/login")
        )


def test_form_login_needs_its_token(app: Any) -> None:
    with TestClient(app) as client:
        forged = client.post(
            "/login", data={"username": "dispatcher", "password": "leifeng-demo", "csrf_token": "x"}
        )
        assert forged.status_code == 403
        token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        ok = client.post(
            "/login",
            data={"username": "dispatcher", "password": "leifeng-demo", "csrf_token": token},
            follow_redirects=False,
        )
        assert ok.status_code == 303
        assert ok.headers["location"] == "/console"


def test_user_text_is_escaped_on_the_incident_page(login: Any) -> None:
    dispatcher = login("dispatcher")
    words = "a < b && c > \"d\" 'e' <3"
    body = {
        "category_code": "0401",
        "address_text": "x&y",
        "lat": 28.23,
        "lon": 112.83,
        "description": words,
    }
    incident = dispatcher.post("/api/incidents", json=body).json()
    html = dispatcher.get(f"/incidents/{incident['id']}").text
    assert "a &lt; b &amp;&amp; c &gt; &#34;d&#34; &#39;e&#39; &lt;3" in html
    assert words not in html


def test_console_terminal_and_map_open_for_their_roles(login: Any) -> None:
    dispatcher = login("dispatcher")
    assert dispatcher.get("/console").status_code == 200
    assert dispatcher.get("/map").status_code == 200
    crew = login("crew1")
    terminal = crew.get("/terminal")
    assert terminal.status_code == 200
    assert "1号巡逻车" in terminal.text
    assert crew.get("/console").status_code == 403


def test_english_switch(login: Any) -> None:
    dispatcher = login("dispatcher")
    page = dispatcher.get("/console?lang=en")
    assert "Console" in page.text
    assert "New incident" in page.text
    assert dispatcher.get("/console").text.count("New incident") == 1  # the choice sticks
