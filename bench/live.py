"""Live feed bench: many units reporting positions, many consoles watching.

    python bench/live.py            # 2,000 units every 5 s, 20 consoles, 60 s of load
    python bench/live.py --quick    # the same rates for 15 s (finishes within a minute)

The app runs in its own process (uvicorn, one worker, SQLite file) as it would in a station.
Units report over HTTP (POST /api/units/{id}/positions, an integration token); 20 consoles hold
/ws/live open. Measured: position reports ingested per second, and the delay from a report being
sent to each console receiving its event (p50/p99). The baseline, measured in the same run on
the same database, is the units service writing fixes in-process (no HTTP, no feed): the ceiling
the ingest path is compared with. A second figure without the outbox row shows what writing
one event per fix costs. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import websockets
from sqlalchemy import select

from jingwu.core.db import Database
from jingwu.identity import service as identity_service
from jingwu.identity.models import Officer
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario
from jingwu.units import service as units_service
from jingwu.units.models import Unit, UnitKind, UnitPosition
from jingwu.units.schemas import PositionIn

SECRET = "bench-secret-0123456789abcdef"  # noqa: S105 - a throwaway bench server


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="finish within a minute")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between a unit's fixes")
    parser.add_argument("--consoles", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="HTTP requests in flight (< the server's 40 threads)",
    )
    parser.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        help="run on a fresh PostgreSQL database made through this admin URL (dropped after)",
    )
    parser.add_argument("--serve", nargs=2, metavar=("DB_URL", "PORT"), help=argparse.SUPPRESS)
    return parser.parse_args()


def serve(url: str, port: int) -> None:
    import uvicorn

    from jingwu.app import create_app
    from jingwu.core.config import Settings

    settings = Settings(database_url=url, secret_key=SECRET)
    app = create_app(settings, Database(url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", ws_max_queue=4096)


def prepare(url: str, units: int) -> tuple[str, list[int]]:
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        build_scenario(session, seed=7)
        existing = len(units_service.list_units(session))
        for index in range(units - existing):
            session.add(
                Unit(call_sign=f"压测{index:05d}", kind=UnitKind.CAR.value, lat=28.22, lon=112.83)
            )
        admin = session.scalars(select(Officer).where(Officer.username == "admin")).one()
        token = identity_service.issue_token(
            session, officer_id=admin.id, name="bench", actor_id=None
        )
    with database.session(write=False) as session:
        unit_ids = [u.id for u in units_service.list_units(session)][:units]
    database.dispose()
    return token, unit_ids


def baseline(url: str, unit_ids: list[int], count: int) -> tuple[float, float]:
    """In-process fixes/s through the units service (with its outbox row), then raw inserts."""
    database = Database(url)
    started = time.perf_counter()
    for index in range(count):
        with database.session() as session:
            unit = units_service.get_unit(session, unit_id=unit_ids[index % len(unit_ids)])
            units_service.do_report_position(
                session,
                unit=unit,
                position=PositionIn(lat=28.22 + index * 1e-7, lon=112.83),
                source="bench",
            )
    service_rate = count / (time.perf_counter() - started)
    started = time.perf_counter()
    now = datetime.now(UTC)
    for index in range(count):
        with database.session() as session:
            session.add(
                UnitPosition(
                    unit_id=unit_ids[index % len(unit_ids)],
                    at=now,
                    lat=28.22,
                    lon=112.83,
                    source="bench-raw",
                )
            )
    raw_rate = count / (time.perf_counter() - started)
    database.dispose()
    return service_rate, raw_rate


async def console(base: str, token: str, delays: list[float], stop: asyncio.Event) -> int:
    received = 0
    async with websockets.connect(
        f"ws://{base}/ws/live?token={token}", max_size=64 * 1024 * 1024, open_timeout=30
    ) as ws:
        snapshot = json.loads(await ws.recv())
        assert snapshot["kind"] == "snapshot"
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            frame = json.loads(raw)
            if frame.get("type") == "unit.position":
                sent = datetime.fromisoformat(frame["payload"]["at"])
                delays.append((datetime.now(UTC) - sent).total_seconds())
                received += 1
    return received


async def drive(
    base: str, token: str, unit_ids: list[int], args: argparse.Namespace
) -> dict[str, float]:
    delays: list[float] = []
    stop = asyncio.Event()
    consoles = [
        asyncio.create_task(console(base, token, delays, stop)) for _ in range(args.consoles)
    ]
    await asyncio.sleep(1.0)
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    headers = {"Authorization": f"Bearer {token}"}
    sent = ok = failed = 0
    gate = asyncio.Semaphore(args.concurrency)
    late: list[float] = []
    async with httpx.AsyncClient(
        base_url=f"http://{base}", limits=limits, headers=headers, timeout=30
    ) as client:

        async def report(unit_id: int, due: float) -> None:
            nonlocal ok, failed
            async with gate:
                late.append(time.perf_counter() - due)
                body = {"lat": 28.22, "lon": 112.83, "at": datetime.now(UTC).isoformat()}
                response = await client.post(f"/api/units/{unit_id}/positions", json=body)
                if response.status_code == 201:
                    ok += 1
                else:
                    failed += 1

        interval = args.every / len(unit_ids)
        started = time.perf_counter()
        tasks: set[asyncio.Task[None]] = set()
        while (elapsed := time.perf_counter() - started) < args.seconds:
            due_count = int(elapsed / interval) - sent
            for _ in range(max(0, due_count)):
                unit_id = unit_ids[sent % len(unit_ids)]
                task = asyncio.create_task(report(unit_id, started + sent * interval))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                sent += 1
            await asyncio.sleep(0.005)
        # the window is over: what has not been ingested within a grace second was not kept up
        _done, behind = await asyncio.wait(tasks, timeout=1.0) if tasks else (set(), set())
        for task in behind:
            task.cancel()
        await asyncio.gather(*behind, return_exceptions=True)
        ingest_seconds = time.perf_counter() - started
    await asyncio.sleep(2.0)  # let the last events reach the consoles
    stop.set()
    received = await asyncio.gather(*consoles)
    delays.sort()
    return {
        "offered_per_s": len(unit_ids) / args.every,
        "reports_sent": sent,
        "reports_not_taken": len(behind),
        "reports_ok": ok,
        "reports_failed": failed,
        "ingested_per_s": ok / ingest_seconds,
        "send_lag_p99_s": sorted(late)[int(len(late) * 0.99)] if late else 0.0,
        "console_events": sum(received),
        "console_events_expected": ok * args.consoles,
        "delay_p50_ms": statistics.median(delays) * 1000 if delays else float("nan"),
        "delay_p99_ms": delays[int(len(delays) * 0.99)] * 1000 if delays else float("nan"),
        "delay_max_ms": delays[-1] * 1000 if delays else float("nan"),
    }


def fresh_postgres(admin_url: str) -> tuple[str, Callable[[], None]]:
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"jingwu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    args = parse_arguments()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    if args.quick:
        args.seconds = min(args.seconds, 20.0)
    workdir = Path(tempfile.mkdtemp(prefix="jingwu-live-bench-"))
    url = f"sqlite:///{workdir / 'live.db'}"
    dropper = None
    if args.postgres:
        url, dropper = fresh_postgres(args.postgres)
    began = time.perf_counter()
    token, unit_ids = prepare(url, args.units)
    print(f"station with {len(unit_ids)} units ready in {time.perf_counter() - began:.1f} s")
    service_rate, raw_rate = baseline(url, unit_ids, 200 if args.quick else 1500)
    print(
        f"baseline: units service in-process {service_rate:,.0f} fixes/s "
        f"(raw position insert, no outbox/unit update: {raw_rate:,.0f}/s)"
    )
    port = free_port()
    env = {**os.environ, "JINGWU_SECRET_KEY": SECRET}
    server = subprocess.Popen([sys.executable, __file__, "--serve", url, str(port)], env=env)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        result = asyncio.run(drive(f"127.0.0.1:{port}", token, unit_ids, args))
    finally:
        server.terminate()
        server.wait(timeout=10)
        if dropper is not None:
            dropper()
    print(
        f"{args.units} units every {args.every:g} s (offered {result['offered_per_s']:.0f}/s), "
        f"{args.consoles} consoles, {args.seconds:g} s"
    )
    print(
        f"ingested {result['ingested_per_s']:,.0f} reports/s "
        f"({result['reports_ok']} ok, {result['reports_failed']} failed); "
        f"ratio to in-process service {result['ingested_per_s'] / service_rate:.2f}"
    )
    print(
        f"report → console delay p50 {result['delay_p50_ms']:.0f} ms, "
        f"p99 {result['delay_p99_ms']:.0f} ms, max {result['delay_max_ms']:.0f} ms; "
        f"console events {result['console_events']}/{result['console_events_expected']}"
    )
    summary = {
        "bench": "live",
        "store": "postgresql" if args.postgres else "sqlite",
        "units": args.units,
        "every_s": args.every,
        "consoles": args.consoles,
        "seconds": args.seconds,
        **{k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()},
        "baseline_service_fixes_per_s": round(service_rate, 1),
        "baseline_raw_insert_per_s": round(raw_rate, 1),
        "ratio_ingest_to_service": round(result["ingested_per_s"] / service_rate, 3),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
