"""A Leifeng station on a real SQLite file, and the real server on a loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from jingwu.app import create_app
from jingwu.core.db import Database
from jingwu.sim.leifeng import build_scenario
from jingwu.sim.roads import build_leifeng_roads
from tests.conftest import make_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveStation:
    base_url: str
    database: Database


@pytest.fixture
def sim_station(sqlite_url: str) -> Iterator[Database]:
    database = Database(sqlite_url)
    with database.session() as session:
        build_scenario(session, seed=7)
        build_leifeng_roads(session, seed=7)
    yield database
    database.dispose()


@pytest.fixture
def live_station(sim_station: Database) -> Iterator[LiveStation]:
    """The real app under uvicorn on 127.0.0.1 and a free port, in a thread."""
    port = free_port()
    app = create_app(make_settings(sim_station.url), sim_station)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield LiveStation(f"http://127.0.0.1:{port}", sim_station)
    server.should_exit = True
    thread.join(timeout=10)
