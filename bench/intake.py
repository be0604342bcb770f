"""Intake through the HTTP API against a raw SQLite insert loop of the same rows.

Starts `jingwu serve` on a fresh SQLite file (WAL, synchronous=FULL), sends calls from several
client threads over keep-alive connections, then inserts the same rows (incident, caller,
timeline, outbox, audit) with plain sqlite3, one durable transaction per call.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(folder: Path) -> tuple[str, str]:
    url = f"sqlite:///{folder / 'bench.db'}"
    code = (
        "from jingwu.migrations import upgrade; from jingwu.core.db import Database;"
        "from jingwu.sim.leifeng import build_scenario; from jingwu.identity import service as s;"
        f"upgrade({url!r}); db = Database({url!r});"
        "import contextlib\n"
        "with db.session() as x:\n"
        "    build_scenario(x)\n"
        "    o = [o for o in s.list_officers(x) if o.username == 'dispatcher'][0]\n"
        "    print(s.issue_token(x, officer_id=o.id, name='bench', actor_id=None))"
    )
    token = (
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    return url, token


def call_body(index: int) -> dict[str, object]:
    return {
        "category_code": ["0101", "0201", "0401", "0801"][index % 4],
        "caller_phone": f"138{index:08d}",
        "address_text": f"雷锋大道{index % 400}号",
        "lat": 28.20 + (index % 97) * 0.0004,
        "lon": 112.80 + (index % 89) * 0.0008,
        "description": "群众报警，请求出警" * 3,
    }


def run_api(base: str, token: str, total: int, threads: int, run: str) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
            while True:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                started = time.perf_counter()
                response = client.post(
                    "/api/incidents",
                    json=call_body(index),
                    headers={"Idempotency-Key": f"{run}-{index}"},
                )
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 201:
                    raise RuntimeError(f"{response.status_code} {response.text[:200]}")
                with lock:
                    latencies.append(elapsed)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started, latencies


def run_raw(folder: Path, total: int) -> float:
    connection = sqlite3.connect(folder / "raw.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.executescript(
        "CREATE TABLE incidents(id INTEGER PRIMARY KEY, number TEXT, status TEXT, priority INT,"
        " category_code TEXT, caller_phone TEXT, address_text TEXT, lat REAL, lon REAL,"
        " description TEXT, reported_at TEXT);"
        "CREATE TABLE callers(id INTEGER PRIMARY KEY, incident_id INT, phone TEXT, words TEXT);"
        "CREATE TABLE timeline(id INTEGER PRIMARY KEY, incident_id INT, kind TEXT, text TEXT);"
        "CREATE TABLE outbox(id INTEGER PRIMARY KEY, type TEXT, payload TEXT);"
        "CREATE TABLE audit(id INTEGER PRIMARY KEY, action TEXT, entity_id TEXT, hash TEXT);"
    )
    started = time.perf_counter()
    for index in range(total):
        body = call_body(index)
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute(
            "INSERT INTO incidents(number,status,priority,category_code,caller_phone,address_text,"
            "lat,lon,description,reported_at) VALUES (?,?,?,?,?,?,?,?,?,datetime('now'))",
            (
                f"JQ{index}",
                "received",
                2,
                body["category_code"],
                body["caller_phone"],
                body["address_text"],
                body["lat"],
                body["lon"],
                body["description"],
            ),
        )
        incident_id = cursor.lastrowid
        connection.execute(
            "INSERT INTO callers(incident_id,phone,words) VALUES (?,?,?)",
            (incident_id, body["caller_phone"], body["description"]),
        )
        connection.execute(
            "INSERT INTO timeline(incident_id,kind,text) VALUES (?,?,?)",
            (incident_id, "received", "接警"),
        )
        connection.execute(
            "INSERT INTO outbox(type,payload) VALUES (?,?)",
            ("incident.received", json.dumps(body, ensure_ascii=False)),
        )
        connection.execute(
            "INSERT INTO audit(action,entity_id,hash) VALUES (?,?,?)",
            ("incident.received", str(incident_id), "0" * 64),
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="finish within a minute")
    parser.add_argument("--calls", type=int, default=0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    total = args.calls or (300 if args.quick else 2000)
    with tempfile.TemporaryDirectory(prefix="jingwu-bench-") as tmp:
        folder = Path(tmp)
        url, token = prepare(folder)
        port = free_port()
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
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/docs", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            run_api(base, token, 20, 2, "warm")
            api_seconds, latencies = run_api(base, token, total, args.threads, "run")
        finally:
            server.terminate()
            server.wait(timeout=10)
        raw_seconds = run_raw(folder, total)
    latencies.sort()
    api_rate = total / api_seconds
    raw_rate = total / raw_seconds
    result = {
        "bench": "intake",
        "calls": total,
        "client_threads": args.threads,
        "api_incidents_per_s": round(api_rate, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "raw_sqlite_incidents_per_s": round(raw_rate, 1),
        "ratio_api_to_raw": round(api_rate / raw_rate, 3),
    }
    print(
        f"API   {api_rate:8.1f} incidents/s  p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms"
    )
    print(f"raw   {raw_rate:8.1f} incidents/s  (same rows, sqlite3, one fsynced transaction each)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
