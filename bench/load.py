"""Ten stations' load on one `jingwu serve`: intake, unit positions and live consoles, held.

    python bench/load.py                 # 3 minutes of ten stations' load, SQLite file
    python bench/load.py --quick         # 6 s baseline + 35 s load (finishes within a minute)
    python bench/load.py --postgres      # the same on a fresh database on the local PostgreSQL

One station: 8 units reporting a position every 5 s, a busy command room's 2 calls a minute,
2 consoles holding /ws/live open and re-reading the open incident list every 10 s. Ten stations
is ten times each. The server is `jingwu serve` (one worker) on 127.0.0.1, started and stopped
here; the load is bounded and stops by itself. Measured per kind of request: requests/s, p50,
p99, errors (must be 0); console events received; server memory (VmRSS from /proc). The baseline,
measured in the same run against the same server, is ONE station's load: the ratios say what ten
times the traffic costs each request. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-load-secret-0123456789abcdef"  # noqa: S105 - a throwaway bench server
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
UNITS_PER_STATION = 8
POSITION_EVERY_S = 5.0
CALLS_PER_MINUTE = 2.0
CONSOLES_PER_STATION = 2
CONSOLE_READ_EVERY_S = 10.0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="finish within a minute")
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=180.0, help="how long the load is held")
    parser.add_argument("--baseline-seconds", type=float, default=30.0)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=POSTGRES_ADMIN,
        metavar="ADMIN_URL",
        help="a fresh PostgreSQL database made through this admin URL (dropped after)",
    )
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(url: str, units: int) -> tuple[str, str, list[int]]:
    """Migrate, build the Leifeng station plus enough units; tokens for admin and dispatcher."""
    code = f"""
import json
from sqlalchemy import select
from jingwu.core.db import Database
from jingwu.identity import service as s
from jingwu.identity.models import Officer
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario
from jingwu.units import service as units_service
from jingwu.units.models import Unit, UnitKind
url = {url!r}
upgrade(url)
db = Database(url)
with db.session() as x:
    build_scenario(x, seed=7)
    existing = len(units_service.list_units(x))
    for i in range({units} - existing):
        x.add(Unit(call_sign=f"外站{{i:03d}}", kind=UnitKind.CAR.value, lat=28.22, lon=112.83))
    token = {{}}
    for name in ("admin", "dispatcher"):
        o = x.scalars(select(Officer).where(Officer.username == name)).one()
        token[name] = s.issue_token(x, officer_id=o.id, name="bench-load", actor_id=None)
with db.session(write=False) as x:
    ids = [u.id for u in units_service.list_units(x)][:{units}]
print(json.dumps({{"admin": token["admin"], "dispatcher": token["dispatcher"], "units": ids}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["admin"], data["dispatcher"], data["units"]


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    events: int = 0
    consoles_open: int = 0

    def note_error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{kind}: {what}"[:300])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def timed(
    tally: Tally, kind: str, send: Callable[[], object], ok: tuple[int, ...] = (200, 201)
) -> None:
    started = time.perf_counter()
    try:
        response = await send()  # type: ignore[misc]
    except (httpx.HTTPError, OSError) as exc:
        tally.note_error(kind, repr(exc))
        return
    tally.latencies[kind].append(time.perf_counter() - started)
    if response.status_code not in ok:
        tally.note_error(kind, f"{response.status_code} {response.text[:200]}")


async def pause(until: float, end: float) -> None:
    """Sleep until ``until``, but never past the end of the run."""
    await asyncio.sleep(max(0.0, min(until, end) - time.monotonic()))


async def unit_loop(
    client: httpx.AsyncClient, admin: dict[str, str], unit_id: int, end: float, tally: Tally
) -> None:
    rng = random.Random(unit_id)
    due = time.monotonic() + rng.uniform(0, POSITION_EVERY_S)
    await pause(due, end)
    while due < end:
        body = {"lat": 28.20 + rng.random() * 0.06, "lon": 112.80 + rng.random() * 0.06}
        await timed(
            tally,
            "position",
            lambda body=body: client.post(
                f"/api/units/{unit_id}/positions", json=body, headers=admin
            ),
        )
        due += POSITION_EVERY_S
        await pause(due, end)


async def caller_loop(
    client: httpx.AsyncClient, dispatcher: dict[str, str], station: int, end: float, tally: Tally
) -> None:
    rng = random.Random(1000 + station)
    every = 60.0 / CALLS_PER_MINUTE
    due = time.monotonic() + rng.uniform(0, every)
    await pause(due, end)
    while due < end:
        body = {
            "category_code": rng.choice(["0101", "0201", "0401", "0801"]),
            "caller_phone": f"139{rng.randrange(10**8):08d}",
            "address_text": f"第{station}站 雷锋大道{rng.randrange(400)}号",
            "lat": 28.20 + rng.random() * 0.06,
            "lon": 112.80 + rng.random() * 0.06,
            "description": "群众报警，请求出警",
        }
        headers = {**dispatcher, "Idempotency-Key": uuid.uuid4().hex}
        await timed(
            tally,
            "intake",
            lambda body=body, headers=headers: client.post(
                "/api/incidents", json=body, headers=headers
            ),
        )
        due += rng.expovariate(1.0 / every)
        await pause(due, end)


async def console_loop(
    client: httpx.AsyncClient,
    base: str,
    dispatcher: dict[str, str],
    token: str,
    index: int,
    end: float,
    tally: Tally,
) -> None:
    async def reader() -> None:
        due = time.monotonic() + random.Random(index).uniform(0, CONSOLE_READ_EVERY_S)
        await pause(due, end)
        while due < end:
            await timed(
                tally,
                "console_read",
                lambda: client.get("/api/incidents?open=true", headers=dispatcher),
            )
            due += CONSOLE_READ_EVERY_S
            await pause(due, end)

    read = asyncio.create_task(reader())
    started = time.perf_counter()
    try:
        async with websockets.connect(
            f"ws://{base}/ws/live?token={token}", max_size=None, open_timeout=20
        ) as ws:
            first = json.loads(await ws.recv())
            tally.latencies["console_snapshot"].append(time.perf_counter() - started)
            if first.get("kind") != "snapshot":
                tally.note_error("console_ws", f"first frame {first.get('kind')}")
            tally.consoles_open += 1
            while time.monotonic() < end:
                try:
                    await asyncio.wait_for(ws.recv(), timeout=max(0.1, end - time.monotonic()))
                    tally.events += 1
                except TimeoutError:
                    break
            tally.consoles_open -= 1
    except (OSError, websockets.WebSocketException) as exc:
        tally.note_error("console_ws", repr(exc))
    await read


async def run_load(
    base: str,
    admin_token: str,
    dispatch_token: str,
    units: list[int],
    stations: int,
    seconds: float,
) -> Tally:
    tally = Tally()
    admin = {"Authorization": f"Bearer {admin_token}"}
    dispatcher = {"Authorization": f"Bearer {dispatch_token}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=f"http://{base}", timeout=30.0, limits=limits) as client:
        end = time.monotonic() + seconds
        tasks = [
            unit_loop(client, admin, unit_id, end, tally)
            for unit_id in units[: stations * UNITS_PER_STATION]
        ]
        tasks += [caller_loop(client, dispatcher, s, end, tally) for s in range(stations)]
        tasks += [
            console_loop(client, base, dispatcher, dispatch_token, c, end, tally)
            for c in range(stations * CONSOLES_PER_STATION)
        ]
        await asyncio.gather(*tasks)
    return tally


def summarize(tally: Tally, seconds: float) -> dict[str, dict[str, float]]:
    kinds: dict[str, dict[str, float]] = {}
    for kind, values in sorted(tally.latencies.items()):
        kinds[kind] = {
            "count": len(values),
            "per_s": round(len(values) / seconds, 2),
            "p50_ms": round(percentile(values, 0.5) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "errors": tally.errors.get(kind, 0),
        }
    return kinds


def fresh_postgres(admin_url: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"jingwu_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    jingwu = shutil.which("jingwu", path=str(Path(sys.executable).parent)) or "jingwu"
    env = {
        **os.environ,
        "JINGWU_DATABASE_URL": url,
        "JINGWU_SECRET_KEY": SECRET,
        "JINGWU_LOGIN_FAILURES_PER_MINUTE": "20",
    }
    env.pop("JINGWU_DEMO", None)
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [jingwu, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("jingwu serve exited: " + log.read_text()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("jingwu serve did not answer within 60 s")


def main() -> None:
    args = parse_arguments()
    if args.quick:
        args.seconds = min(args.seconds, 35.0)
        args.baseline_seconds = min(args.baseline_seconds, 6.0)
    workdir = Path(tempfile.mkdtemp(prefix="jingwu-load-"))
    url = f"sqlite:///{workdir / 'load.db'}"
    dropper = None
    if args.postgres:
        url, dropper = fresh_postgres(args.postgres)
    began = time.perf_counter()
    units = args.stations * UNITS_PER_STATION
    admin_token, dispatch_token, unit_ids = prepare(url, units)
    print(f"station with {len(unit_ids)} units ready in {time.perf_counter() - began:.1f} s")
    port = free_port()
    server = start_server(url, port, workdir / "server.log")
    base = f"127.0.0.1:{port}"
    memory: list[int] = []
    try:
        rss_start = rss_kib(server.pid)
        one = asyncio.run(
            run_load(base, admin_token, dispatch_token, unit_ids, 1, args.baseline_seconds)
        )
        rss_after_baseline = rss_kib(server.pid)

        async def sample_memory(stop: asyncio.Event) -> None:
            while not stop.is_set():
                memory.append(rss_kib(server.pid))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)

        async def ten_with_memory() -> Tally:
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_memory(stop))
            try:
                return await run_load(
                    base, admin_token, dispatch_token, unit_ids, args.stations, args.seconds
                )
            finally:
                stop.set()
                await sampler

        ten = asyncio.run(ten_with_memory())
        rss_end = rss_kib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        if dropper is not None:
            dropper()
        shutil.rmtree(workdir, ignore_errors=True)

    base_kinds = summarize(one, args.baseline_seconds)
    kinds = summarize(ten, args.seconds)
    errors = sum(ten.errors.values()) + sum(one.errors.values())
    store = "postgresql" if args.postgres else "sqlite"
    print(f"baseline: 1 station for {args.baseline_seconds:g} s ({store})")
    for kind, row in base_kinds.items():
        print(
            f"  {kind:<17} {row['per_s']:7.2f}/s  p50 {row['p50_ms']:7.1f} ms  "
            f"p99 {row['p99_ms']:7.1f} ms  errors {row['errors']}"
        )
    print(f"load: {args.stations} stations for {args.seconds:g} s")
    for kind, row in kinds.items():
        ratio = (
            f"p99 × {row['p99_ms'] / base_kinds[kind]['p99_ms']:.2f} of one station"
            if kind in base_kinds
            else "(none in the baseline)"
        )
        print(
            f"  {kind:<17} {row['per_s']:7.2f}/s  p50 {row['p50_ms']:7.1f} ms  "
            f"p99 {row['p99_ms']:7.1f} ms  errors {row['errors']}  {ratio}"
        )
    total = sum(len(v) for v in ten.latencies.values()) / args.seconds
    print(f"  all requests {total:.1f}/s; console events received {ten.events}")
    print(
        f"server RSS: start {rss_start / 1024:.0f} MiB, after baseline "
        f"{rss_after_baseline / 1024:.0f} MiB, peak {max(memory or [0]) / 1024:.0f} MiB, "
        f"end {rss_end / 1024:.0f} MiB"
    )
    for sample in (one.samples + ten.samples)[:10]:
        print(f"  error: {sample}")
    summary = {
        "bench": "load",
        "store": store,
        "stations": args.stations,
        "seconds": args.seconds,
        "requests_per_s": round(total, 1),
        "errors": errors,
        "kinds": kinds,
        "baseline_one_station": base_kinds,
        "p99_ratio_to_one_station": {
            k: round(kinds[k]["p99_ms"] / base_kinds[k]["p99_ms"], 2)
            for k in kinds
            if k in base_kinds and base_kinds[k]["p99_ms"] > 0
        },
        "console_events": ten.events,
        "rss_mib": {
            "start": round(rss_start / 1024, 1),
            "peak": round(max(memory or [0]) / 1024, 1),
            "end": round(rss_end / 1024, 1),
        },
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
