"""Load: N units and M calls a minute against a running server, for a bounded time.

Everything goes through the public API on loopback. The admin account creates the load
crews and their units once (they are reused on the next run) and issues each crew a token;
then a caller thread takes calls on a fixed schedule (open loop: a slow server does not slow
the callers down), a dispatcher thread sends the top recommendation and closes what is
reported, and a pool of terminal threads posts every unit's fixes and walks its orders.
"""

from __future__ import annotations

import math
import random
import statistics
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from jingwu.sim.leifeng import DEMO_PASSWORD, EAST, NORTH, SOUTH, WEST

MAX_UNITS = 500
MAX_CALLS_PER_MINUTE = 6_000
MAX_DURATION_S = 3_600.0
LOAD_PASSWORD = "load-crew-password"  # noqa: S105 - synthetic load accounts on a test station


@dataclass
class LoadConfig:
    base_url: str = "http://127.0.0.1:8000"
    units: int = 20
    calls_per_minute: float = 30.0
    duration_s: float = 30.0
    fix_interval_s: float = 1.0
    seed: int = 7
    admin: str = "admin"
    dispatcher: str = "dispatcher"
    password: str = DEMO_PASSWORD
    workers: int = 8

    def __post_init__(self) -> None:
        self.units = max(0, min(MAX_UNITS, int(self.units)))
        self.calls_per_minute = max(0.0, min(MAX_CALLS_PER_MINUTE, float(self.calls_per_minute)))
        self.duration_s = max(1.0, min(MAX_DURATION_S, float(self.duration_s)))


@dataclass
class LoadResult:
    duration_s: float
    requests: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    calls: int = 0
    closed: int = 0
    positions: int = 0

    def figures(self) -> dict[str, Any]:
        return {
            "duration_s": round(self.duration_s, 2),
            "calls": self.calls,
            "calls_per_minute": round(self.calls / self.duration_s * 60, 1),
            "positions_per_s": round(self.positions / self.duration_s, 1),
            "closed": self.closed,
            "requests": self.requests,
            "errors": self.errors,
            "latency_ms": self.latency_ms,
        }


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = defaultdict(int)

    def call(
        self, client: httpx.Client, kind: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = client.request(method, path, **kwargs)
        except httpx.HTTPError:
            with self.lock:
                self.errors[f"{kind}:network"] += 1
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.samples[kind].append(elapsed)
            if response.status_code >= 400:
                self.errors[f"{kind}:{response.status_code}"] += 1
        return response

    def bump(self, name: str, by: int = 1) -> None:
        with self.lock:
            self.counts[name] += by

    def latency(self) -> dict[str, dict[str, float]]:
        out = {}
        for kind, values in sorted(self.samples.items()):
            ordered = sorted(values)
            out[kind] = {
                "n": float(len(ordered)),
                "p50": round(statistics.median(ordered), 2),
                "p95": round(ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)], 2),
                "max": round(ordered[-1], 2),
            }
        return out


@dataclass
class _Terminal:
    unit_id: int
    client: httpx.Client
    lat: float
    lon: float
    target: tuple[int, float, float, str] | None = None  # incident, lat, lon, assignment status


def _login(base_url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=15.0)
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    if response.status_code != 200:
        client.close()
        raise RuntimeError(
            f"{username} cannot log in: {response.status_code} {response.text[:200]}"
        )
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def prepare_units(config: LoadConfig, rng: random.Random) -> list[_Terminal]:
    """Create (or reuse) the load crews and their units; one token and client each."""
    if config.units == 0:
        return []
    admin = _login(config.base_url, config.admin, config.password)
    try:
        existing = {o["username"]: o["id"] for o in admin.get("/api/officers").json()}
        units = {u["call_sign"]: u for u in admin.get("/api/units").json()}
        terminals = []
        for index in range(1, config.units + 1):
            username = f"load{index:03d}"
            officer_id = existing.get(username)
            if officer_id is None:
                created = admin.post(
                    "/api/officers",
                    json={
                        "username": username,
                        "display_name": f"压测车组{index:03d}",
                        "role": "patrol_crew",
                        "password": LOAD_PASSWORD,
                    },
                )
                created.raise_for_status()
                officer_id = created.json()["id"]
            call_sign = f"压测{index:03d}号车"
            unit = units.get(call_sign)
            if unit is None:
                made = admin.post(
                    "/api/units",
                    json={"call_sign": call_sign, "kind": "car", "crew_officer_ids": [officer_id]},
                )
                made.raise_for_status()
                unit = made.json()
            token = admin.post("/api/tokens", json={"name": "压测终端", "officer_id": officer_id})
            token.raise_for_status()
            client = httpx.Client(
                base_url=config.base_url,
                timeout=15.0,
                headers={"Authorization": f"Bearer {token.json()['token']}"},
            )
            terminals.append(
                _Terminal(
                    unit["id"],
                    client,
                    rng.uniform(SOUTH, NORTH),
                    rng.uniform(WEST, EAST),
                )
            )
        return terminals
    finally:
        admin.close()


def _caller(config: LoadConfig, room: httpx.Client, rec: _Recorder, stop: threading.Event) -> None:
    if config.calls_per_minute <= 0:
        return
    rng = random.Random(config.seed)
    gap = 60.0 / config.calls_per_minute
    started = time.monotonic()
    serial = 0
    while not stop.is_set():
        due = started + serial * gap
        if stop.wait(max(0.0, due - time.monotonic())):
            return
        serial += 1
        body = {
            "category_code": rng.choice(["0101", "0201", "0301", "0401", "0502"]),
            "caller_phone": f"137{rng.randrange(10**8):08d}",
            "address_text": "压测地址",
            "lat": rng.uniform(SOUTH, NORTH),
            "lon": rng.uniform(WEST, EAST),
            "description": "压测来电",
        }
        key = f"load-{config.seed}-{started:.0f}-{serial}"
        response = rec.call(
            room, "intake", "POST", "/api/incidents", json=body, headers={"Idempotency-Key": key}
        )
        if response is not None and response.status_code == 201:
            rec.bump("calls")


def _dispatcher(room: httpx.Client, rec: _Recorder, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        waiting = rec.call(
            room, "queue", "GET", "/api/incidents", params={"status": "received", "per_page": 20}
        )
        for item in waiting.json()["items"] if waiting is not None and waiting.is_success else []:
            recs = rec.call(
                room, "recommend", "GET", f"/api/incidents/{item['id']}/recommendations"
            )
            if recs is None or not recs.is_success or not recs.json():
                continue
            rec.call(
                room,
                "dispatch",
                "POST",
                f"/api/incidents/{item['id']}/dispatch",
                json={"unit_ids": [recs.json()[0]["unit_id"]]},
            )
        done = rec.call(
            room, "queue", "GET", "/api/incidents", params={"status": "reported", "per_page": 50}
        )
        for item in done.json()["items"] if done is not None and done.is_success else []:
            closed = rec.call(
                room, "close", "POST", f"/api/incidents/{item['id']}/close", json={"note": "压测"}
            )
            if closed is not None and closed.is_success:
                rec.bump("closed")


def _terminal_round(terminal: _Terminal, rec: _Recorder, rng: random.Random) -> None:
    orders = rec.call(terminal.client, "orders", "GET", "/api/incidents/assigned")
    terminal.target = None
    for order in orders.json() if orders is not None and orders.is_success else []:
        for assignment in order["assignments"]:
            if assignment["unit_id"] == terminal.unit_id and assignment["status"] != "reported":
                terminal.target = (order["id"], order["lat"], order["lon"], assignment["status"])
    if terminal.target is not None:
        incident_id, lat, lon, status = terminal.target
        terminal.lat += (lat - terminal.lat) * 0.5
        terminal.lon += (lon - terminal.lon) * 0.5
        following = {
            "dispatched": "acknowledged",
            "acknowledged": "en_route",
            "en_route": "on_scene",
            "on_scene": "reported",
        }.get(status)
        if following:
            rec.call(
                terminal.client,
                "progress",
                "POST",
                f"/api/incidents/{incident_id}/progress",
                json={"status": following, "unit_id": terminal.unit_id, "feedback": "压测完毕"},
            )
    else:
        terminal.lat = min(NORTH, max(SOUTH, terminal.lat + rng.uniform(-5e-4, 5e-4)))
        terminal.lon = min(EAST, max(WEST, terminal.lon + rng.uniform(-5e-4, 5e-4)))
    fix = rec.call(
        terminal.client,
        "position",
        "POST",
        f"/api/units/{terminal.unit_id}/positions",
        json={"lat": terminal.lat, "lon": terminal.lon, "speed_mps": 8.0},
    )
    if fix is not None and fix.status_code == 201:
        rec.bump("positions")


def _terminals(
    config: LoadConfig, terminals: list[_Terminal], rec: _Recorder, stop: threading.Event
) -> None:
    if not terminals:
        return
    rngs = [random.Random(config.seed * 1000 + i) for i in range(len(terminals))]
    with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
        while not stop.is_set():
            started = time.monotonic()
            list(
                pool.map(
                    lambda pair: _terminal_round(pair[0], rec, pair[1]),
                    zip(terminals, rngs, strict=True),
                )
            )
            stop.wait(max(0.0, config.fix_interval_s - (time.monotonic() - started)))


def run_load(config: LoadConfig) -> LoadResult:
    rng = random.Random(config.seed)
    terminals = prepare_units(config, rng)
    room = _login(config.base_url, config.dispatcher, config.password)
    rec = _Recorder()
    stop = threading.Event()
    threads = [
        threading.Thread(target=_caller, args=(config, room, rec, stop), daemon=True),
        threading.Thread(target=_dispatcher, args=(room, rec, stop), daemon=True),
        threading.Thread(target=_terminals, args=(config, terminals, rec, stop), daemon=True),
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    stop.wait(config.duration_s)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    elapsed = time.monotonic() - started
    room.close()
    for terminal in terminals:
        terminal.client.close()
    return LoadResult(
        duration_s=elapsed,
        requests={kind: len(values) for kind, values in rec.samples.items()},
        errors=dict(rec.errors),
        latency_ms=rec.latency(),
        calls=rec.counts["calls"],
        closed=rec.counts["closed"],
        positions=rec.counts["positions"],
    )
