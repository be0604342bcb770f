"""The SSE fallback against a real server: snapshot, a live event, and resuming by Last-Event-ID."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from jingwu.sim.leifeng import DEMO_PASSWORD

CALL = {"category_code": "0101", "address_text": "雷锋大道2号", "lat": 28.23, "lon": 112.83}


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    kind, event_id = "message", ""
    for line in lines:
        if line.startswith("id: "):
            event_id = line[4:]
        elif line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            yield kind, event_id, json.loads(line[6:])
            kind, event_id = "message", ""


def test_sse_snapshot_events_and_resume(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=20) as client:
        login = client.post(
            "/api/auth/login", json={"username": "dispatcher", "password": DEMO_PASSWORD}
        )
        csrf = login.json()["csrf_token"]
        with client.stream("GET", "/api/live/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = _events(stream.iter_lines())
            kind, cursor, snapshot = next(events)
            assert kind == "snapshot"
            assert int(cursor) == snapshot["cursor"]
            created = client.post("/api/incidents", json=CALL, headers={"X-CSRF-Token": csrf})
            assert created.status_code == 201
            for _kind, event_id, frame in events:
                if frame.get("type") == "incident.received":
                    assert int(event_id) == frame["id"]
                    break
        client.post(
            f"/api/incidents/{created.json()['id']}/close",
            json={"note": "误报"},
            headers={"X-CSRF-Token": csrf},
        )
        resumed = {"Last-Event-ID": event_id}
        with client.stream("GET", "/api/live/events", headers=resumed) as stream:
            # the replay starts a little before the last id (late commits), then goes past it
            replayed = _events(stream.iter_lines())
            first_kind, _id, first = next(replayed)
            assert first_kind == "message"
            assert first["id"] <= int(event_id)
            closed = next(f for _k, _i, f in replayed if f["id"] > int(event_id))
            assert closed["type"] == "incident.closed"
    with httpx.Client(base_url=live_server, timeout=5) as stranger:
        assert stranger.get("/api/live/events").status_code == 401
