"""kill -9 during an intake load: every acknowledged incident survives, none is made twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from jingwu.command.models import Incident, TimelineEntry
from jingwu.core.db import Database
from jingwu.identity import audit
from jingwu.identity import service as identity_service
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, JINGWU_DATABASE_URL=url, JINGWU_DEMO="1")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "jingwu.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=0.5)
            return server
        except httpx.HTTPError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("server did not start")


def _call(index: int) -> dict[str, object]:
    return {
        "category_code": "0201",
        "address_text": f"雷锋大道{index}号",
        "lat": 28.23,
        "lon": 112.83,
    }


def test_kill_9_during_intake_loses_nothing_acknowledged(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        build_scenario(session, seed=1)
        dispatcher = next(
            o for o in identity_service.list_officers(session) if o.username == "dispatcher"
        )
        token = identity_service.issue_token(
            session, officer_id=dispatcher.id, name="crash", actor_id=None
        )
    headers = {"Authorization": f"Bearer {token}"}
    port = _port()
    server = _start(url, port)
    acknowledged: dict[str, int] = {}
    sent: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker: int) -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=5
        ) as client:
            for index in range(worker * 10_000, worker * 10_000 + 400):
                if stop.is_set():
                    return
                key = f"crash-{index}"
                with lock:
                    sent.add(key)
                try:
                    response = client.post(
                        "/api/incidents", json=_call(index), headers={"Idempotency-Key": key}
                    )
                except httpx.HTTPError:
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged[key] = response.json()["id"]

    workers = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    for thread in workers:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    stop.set()
    for thread in workers:
        thread.join()
    assert len(acknowledged) >= 40

    server = _start(url, port)
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10
        ) as client:
            for key in sorted(sent):
                index = int(key.split("-")[1])
                retry = client.post(
                    "/api/incidents", json=_call(index), headers={"Idempotency-Key": key}
                )
                assert retry.status_code in (200, 201), retry.text
                if key in acknowledged:
                    assert retry.status_code == 200
                    assert retry.json()["id"] == acknowledged[key]
    finally:
        server.terminate()
        server.wait(timeout=10)
    with database.session(write=False) as session:
        incidents = session.scalar(select(func.count(Incident.id)))
        received_rows = session.scalar(
            select(func.count(TimelineEntry.id)).where(TimelineEntry.kind == "received")
        )
        assert incidents == len(sent)
        assert received_rows == len(sent)
        assert audit.verify(session)[0] is True
    database.dispose()
