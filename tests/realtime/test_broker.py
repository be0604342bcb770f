"""Several workers, one broker: an event committed through one app reaches a client of another.

Runs against the real Redis and NATS servers on loopback (skips elsewhere, fails in CI)."""

from __future__ import annotations

import json
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jingwu.app import create_app
from jingwu.core.db import Database
from jingwu.core.events import Envelope
from jingwu.sim.leifeng import DEMO_PASSWORD
from tests.conftest import IN_CI, make_settings

BROKERS = {"redis": ("127.0.0.1", 6379), "nats": ("127.0.0.1", 4222)}


def _reachable_or_skip(kind: str) -> None:
    host, port = BROKERS[kind]
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        reason = f"{kind} not reachable on {host}:{port}: {exc}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


def _login(client: TestClient, username: str) -> str:
    response = client.post(
        "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def _until(ws: Any, predicate: Any, limit: int = 300) -> dict[str, Any]:
    for _ in range(limit):
        frame = json.loads(ws.receive_text())
        if predicate(frame):
            return frame
    raise AssertionError("expected frame never came")


@pytest.mark.parametrize("kind", ["redis", "nats"])
def test_two_workers_one_broker(station: Database, kind: str) -> None:
    _reachable_or_skip(kind)
    host, port = BROKERS[kind]
    bus = f"{kind}://{host}:{port}?channel=jingwu-test-{uuid.uuid4().hex[:8]}"
    # two workers: separate engines on the same database, as two processes would have
    worker_a = create_app(make_settings(station.url, event_bus=bus), Database(station.url))
    worker_b = create_app(make_settings(station.url, event_bus=bus), Database(station.url))
    with TestClient(worker_a) as client_a, TestClient(worker_b) as client_b:
        csrf = _login(client_a, "dispatcher")
        _login(client_b, "dispatcher")
        with client_b.websocket_connect("/ws/live") as ws:
            assert json.loads(ws.receive_text())["kind"] == "snapshot"
            # an event only the broker can carry: published by "another worker" straight to it
            foreign = {
                "id": 10**9,
                "type": "unit.position",
                "at": datetime.now(UTC).isoformat(),
                "payload": {"unit_id": 1, "lat": 28.2, "lon": 112.8},
            }
            worker_a.state.live.fanout.publish(Envelope.model_validate(foreign))
            frame = _until(ws, lambda f: f.get("id") == 10**9)
            assert frame["payload"]["lat"] == 28.2
            # and a real write through worker A reaches worker B's client
            created = client_a.post(
                "/api/incidents",
                json={
                    "category_code": "0101",
                    "address_text": "雷锋大道9号",
                    "lat": 28.23,
                    "lon": 112.83,
                },
                headers={"X-CSRF-Token": csrf},
            )
            assert created.status_code == 201, created.text
            frame = _until(
                ws,
                lambda f: (
                    f.get("type") == "incident.received"
                    and f["payload"]["incident_id"] == created.json()["id"]
                ),
            )
            assert worker_b.state.live.fanout.name == kind
