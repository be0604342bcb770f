"""The event broker (Redis or NATS) down: the station keeps taking calls, and every worker's
consoles catch up on what they missed once the broker is back.

Runs a private broker (its own port, no persistence) so that it can be stopped and started;
skips when the server binary is missing, fails when CI=true.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jingwu.app import create_app
from jingwu.core.db import Database
from jingwu.sim.leifeng import DEMO_PASSWORD, build_scenario
from tests.conftest import IN_CI, make_settings

SERVERS = {"redis": "redis-server", "nats": "nats-server", "mqtt": "mosquitto"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Broker:
    """A private broker process on a fixed port, started and stopped at will."""

    def __init__(self, kind: str, port: int) -> None:
        self.kind = kind
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self.kind == "redis":
            args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            args += ["--save", "", "--appendonly", "no"]
        elif self.kind == "mqtt":
            args = ["mosquitto", "-p", str(self.port)]  # no config: loopback only
        else:
            args = ["nats-server", "-a", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.kind} did not start on {self.port}")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def _private(kind: str) -> Broker:
    if shutil.which(SERVERS[kind]) is None:
        reason = f"{SERVERS[kind]} is not installed"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return Broker(kind, _free_port())


@pytest.fixture(params=["redis", "nats"])
def broker(request: pytest.FixtureRequest) -> Iterator[Broker]:
    private = _private(str(request.param))
    yield private
    private.kill()


@pytest.fixture
def mosquitto() -> Iterator[Broker]:
    private = _private("mqtt")
    yield private
    private.kill()


def _login(client: TestClient) -> str:
    response = client.post(
        "/api/auth/login", json={"username": "dispatcher", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def _wait_for(ws: Any, incident_id: int, seconds: float = 30.0) -> bool:
    """Ping the gateway until the incident's event arrives (pongs keep receive from blocking)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ws.send_text('{"kind":"ping"}')
        while True:
            frame = json.loads(ws.receive_text())
            if frame.get("kind") == "pong":
                break
            if (
                frame.get("type") == "incident.received"
                and frame["payload"].get("incident_id") == incident_id
            ):
                return True
        time.sleep(0.2)
    return False


def _call(client: TestClient, csrf: str, index: int) -> int:
    created = client.post(
        "/api/incidents",
        json={
            "category_code": "0201",
            "address_text": f"雷锋大道{index}号",
            "lat": 28.23,
            "lon": 112.83,
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


@pytest.fixture
def station_url(sqlite_url: str) -> str:
    """The broker is what varies here; the database is a SQLite file."""
    database = Database(sqlite_url)
    with database.session() as session:
        build_scenario(session, seed=7)
    database.dispose()
    return sqlite_url


def test_station_works_without_the_broker_and_catches_up(station_url: str, broker: Broker) -> None:
    bus = f"{broker.kind}://127.0.0.1:{broker.port}?channel=jingwu-down-{uuid.uuid4().hex[:8]}"
    worker_a = create_app(make_settings(station_url, event_bus=bus), Database(station_url))
    worker_b = create_app(make_settings(station_url, event_bus=bus), Database(station_url))
    # both workers start while the broker is down: neither start may fail
    with TestClient(worker_a) as client_a, TestClient(worker_b) as client_b:
        csrf = _login(client_a)
        _login(client_b)
        with (
            client_a.websocket_connect("/ws/live") as ws_a,
            client_b.websocket_connect("/ws/live") as ws_b,
        ):
            assert json.loads(ws_a.receive_text())["kind"] == "snapshot"
            assert json.loads(ws_b.receive_text())["kind"] == "snapshot"

            # 1. broker down from the start: calls are taken, A's own consoles see them
            first = _call(client_a, csrf, 1)
            assert _wait_for(ws_a, first, seconds=10)

            # 2. the broker comes up: B catches up on what it missed, then hears A live
            broker.start()
            assert _wait_for(ws_b, first), "worker B never caught up after the broker came up"
            second = _call(client_a, csrf, 2)
            assert _wait_for(ws_b, second), "worker B did not hear A through the broker"

            # 3. the broker dies mid-shift: still working; back again: B catches up again
            broker.kill()
            third = _call(client_a, csrf, 3)
            assert _wait_for(ws_a, third, seconds=10)
            broker.start()
            assert _wait_for(ws_b, third), "worker B never caught up after the broker returned"


def test_terminals_reach_the_station_once_mqtt_returns(station_url: str, mosquitto: Broker) -> None:
    """MQTT down when the station starts: it starts and takes calls; positions published once
    Mosquitto is up are stored (the ingest reconnects by itself)."""
    import aiomqtt

    prefix = f"jingwu-down-{uuid.uuid4().hex[:8]}/units"
    settings = make_settings(
        station_url, mqtt_url=f"mqtt://127.0.0.1:{mosquitto.port}", mqtt_topic_prefix=prefix
    )
    database = Database(station_url)
    app = create_app(settings, database)
    with TestClient(app) as client:
        csrf = _login(client)
        _call(client, csrf, 7)  # the broker is down: the station still works
        assert not app.state.mqtt.ready.is_set()
        unit_id = client.get("/api/units").json()[0]["id"]
        mosquitto.start()
        deadline = time.monotonic() + 30
        while not app.state.mqtt.ready.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert app.state.mqtt.ready.is_set(), "the MQTT ingest never reconnected"

        async def publish() -> None:
            async with aiomqtt.Client("127.0.0.1", mosquitto.port) as terminal:
                body = json.dumps({"lat": 28.2345, "lon": 112.8456})
                await terminal.publish(f"{prefix}/{unit_id}/position", body.encode(), qos=1)

        asyncio.run(publish())
        deadline = time.monotonic() + 15
        while app.state.mqtt.stored < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert app.state.mqtt.stored >= 1
        unit = client.get(f"/api/units/{unit_id}").json()
        assert (round(unit["lat"], 4), round(unit["lon"], 4)) == (28.2345, 112.8456)
    database.dispose()
