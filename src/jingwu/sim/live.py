"""The living station: callers, crews and a stand-in dispatcher, all through the public API.

The simulator is a client. It logs in with the demo accounts, takes calls (POST /api/incidents
with an Idempotency-Key), plays every patrol crew's terminal (polls its orders, acknowledges,
sets out, drives, arrives, reports, posting fixes as it goes) and — so that an unattended demo
still lives — dispatches the top recommendation for any incident a person has left waiting,
and closes what has been reported. It writes nothing except through HTTP; the only thing it
reads directly is the road map, the way a car's navigation carries its own map.

Time runs `speed` times faster than the wall clock for everything the simulator decides
(call arrivals, how long a crew takes to answer, driving); the server keeps stamping real time.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from jingwu.core.clock import LOCAL_ZONE
from jingwu.core.geo import bearing_deg, haversine_m
from jingwu.sim.history import FAMILIES, HOUR_CURVES, M_PER_DEG_LAT
from jingwu.sim.leifeng import DEMO_PASSWORD, EAST, NORTH, SOUTH, WEST

log = logging.getLogger(__name__)
SPEED_RANGE = (1.0, 60.0)
UNIT_SPEED_MPS = {"car": 9.0, "ebike": 5.5, "foot": 1.5, "fire_engine": 10.0}
ENV_VAR = "JINGWU_SIMULATE"


class Navigator(Protocol):
    def path(
        self, start: tuple[float, float], end: tuple[float, float]
    ) -> list[tuple[float, float]]:
        """Points from start to end, both included."""
        ...


class StraightNavigator:
    def path(
        self, start: tuple[float, float], end: tuple[float, float]
    ) -> list[tuple[float, float]]:
        return [start, end]


class RoadNavigator:
    """Routes along the stored road network with the places domain's one-to-many search."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self._lock = threading.Lock()

    def path(
        self, start: tuple[float, float], end: tuple[float, float]
    ) -> list[tuple[float, float]]:
        from jingwu.places.routing import UnitPosition, rank_units

        try:
            with self._lock:
                ranked = rank_units(
                    self.graph,
                    lat=end[0],
                    lon=end[1],
                    units=[UnitPosition("sim", start[0], start[1])],
                    routes_for_top=1,
                ).ranked
            route = ranked[0].route if ranked else None
        except Exception:  # an unroutable spot: drive straight rather than stop the station
            log.debug("no road route", exc_info=True)
            route = None
        return list(route.path) if route and len(route.path) >= 2 else [start, end]


def load_navigator(database: Any) -> Navigator:
    """A road navigator when the station has a road network, else straight lines."""
    try:
        from sqlalchemy import func, select

        from jingwu.places.road_models import RoadNode
        from jingwu.places.road_service import load_graph

        with database.session(write=False) as session:
            if not session.scalar(select(func.count()).select_from(RoadNode)):
                return StraightNavigator()
            return RoadNavigator(load_graph(session))
    except Exception:
        log.warning("road network not usable; units drive straight lines", exc_info=True)
        return StraightNavigator()


@dataclass
class SimConfig:
    base_url: str
    speed: float = 1.0
    seed: int = 7
    calls_per_hour: float = 8.0  # simulated hours, before the 24-hour curve
    auto_dispatch_after_s: float = 90.0
    close_after_s: float = 150.0
    divert_share: float = 0.15
    on_scene_s: tuple[float, float] = (4 * 60, 12 * 60)  # how long a crew works the scene
    duration_s: float | None = None  # wall-clock seconds; None: until stopped
    max_calls: int | None = None
    tick_s: float = 0.25
    password: str = DEMO_PASSWORD
    dispatcher: str = "dispatcher"
    crew_usernames: Sequence[str] | None = None  # None: every patrol crew account that logs in
    auto_dispatch: bool = True
    callers: bool = True

    def __post_init__(self) -> None:
        low, high = SPEED_RANGE
        self.speed = min(high, max(low, float(self.speed)))


@dataclass
class _Task:
    incident_id: int
    lat: float
    lon: float
    phase: str
    due: float  # simulated seconds
    path: list[tuple[float, float]] = field(default_factory=list)
    leg: int = 0


@dataclass
class _Crew:
    username: str
    client: httpx.Client
    unit_id: int
    kind: str
    lat: float
    lon: float
    heading: float = 0.0
    task: _Task | None = None
    next_fix: float = 0.0
    next_poll: float = 0.0
    home: tuple[float, float] = (0.0, 0.0)


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class LiveSimulator:
    def __init__(
        self,
        config: SimConfig,
        *,
        navigator: Navigator | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.navigator = navigator or StraightNavigator()
        self.transport = transport
        self.stats: Counter[str] = Counter()
        self._clients: list[httpx.Client] = []
        self.crews: list[_Crew] = []
        self.dispatcher: httpx.Client | None = None
        self.communities: list[dict[str, Any]] = []
        self._started = time.monotonic()
        self._sim_origin = datetime.now(UTC)
        self._call_serial = 0
        self._next_call = 0.0
        self._next_room = 0.0
        self._closing: dict[int, float] = {}

    # -- the clock --------------------------------------------------------------------------
    def sim_now(self) -> float:
        return (time.monotonic() - self._started) * self.config.speed

    def sim_datetime(self) -> datetime:
        return self._sim_origin + timedelta(seconds=self.sim_now())

    def real_to_sim(self, seconds: float) -> float:
        return seconds * self.config.speed

    # -- the accounts -----------------------------------------------------------------------
    def _client(self, username: str) -> httpx.Client | None:
        client = httpx.Client(base_url=self.config.base_url, timeout=10.0, transport=self.transport)
        try:
            response = client.post(
                "/api/auth/login", json={"username": username, "password": self.config.password}
            )
            if response.status_code != 200:
                log.info("simulator: %s cannot log in (%s)", username, response.status_code)
                client.close()
                return None
            csrf = response.json()["csrf_token"]
            issued = client.post(
                "/api/tokens", json={"name": "模拟器 simulator"}, headers={"X-CSRF-Token": csrf}
            )
            issued.raise_for_status()
        except httpx.HTTPError:
            client.close()
            raise
        client.cookies.clear()
        client.headers["Authorization"] = f"Bearer {issued.json()['token']}"
        self._clients.append(client)
        return client

    def connect(self) -> None:
        self.dispatcher = self._client(self.config.dispatcher)
        if self.dispatcher is None:
            raise RuntimeError(
                f"the simulator's dispatcher {self.config.dispatcher!r} cannot log in"
            )
        self.communities = self._get(self.dispatcher, "/api/communities") or []
        usernames = self.config.crew_usernames
        if usernames is None:
            officers = self._get(self.dispatcher, "/api/officers", role="patrol_crew") or []
            usernames = [o["username"] for o in officers]
        seen_units: set[int] = set()
        for username in usernames:
            client = self._client(username)
            if client is None:
                continue
            for unit in self._get(client, "/api/units/mine") or []:
                if unit["id"] in seen_units:
                    continue
                seen_units.add(unit["id"])
                lat = unit["lat"] if unit["lat"] is not None else self.rng.uniform(SOUTH, NORTH)
                lon = unit["lon"] if unit["lon"] is not None else self.rng.uniform(WEST, EAST)
                self.crews.append(
                    _Crew(
                        username=username,
                        client=client,
                        unit_id=unit["id"],
                        kind=unit["kind"],
                        lat=lat,
                        lon=lon,
                        heading=self.rng.uniform(0, 360),
                        home=(lat, lon),
                    )
                )
                break  # one terminal per crew account
        log.info("simulator: dispatcher and %d crews connected", len(self.crews))

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()

    # -- HTTP with the errors a busy station produces ---------------------------------------
    def _get(self, client: httpx.Client, path: str, **params: Any) -> Any:
        try:
            response = client.get(path, params=params)
        except httpx.HTTPError as exc:
            self.stats["network_errors"] += 1
            log.debug("GET %s failed: %s", path, exc)
            return None
        if response.status_code >= 400:
            self.stats[f"http_{response.status_code}"] += 1
            return None
        return response.json()

    def _post(self, client: httpx.Client, path: str, body: dict[str, Any], **headers: str) -> Any:
        try:
            response = client.post(path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            self.stats["network_errors"] += 1
            log.debug("POST %s failed: %s", path, exc)
            return None
        if response.status_code >= 400:
            # a person at the console may have got there first: a 409 is part of life
            self.stats[f"http_{response.status_code}"] += 1
            log.debug("POST %s → %s %s", path, response.status_code, response.text[:200])
            return None
        return response.json()

    # -- callers ----------------------------------------------------------------------------
    def _call_rate_per_s(self) -> float:
        hour = self.sim_datetime().astimezone(LOCAL_ZONE).hour
        curve = HOUR_CURVES["general"]
        factor = curve[hour] / (sum(curve) / len(curve))
        return self.config.calls_per_hour * factor / 3600.0

    def _random_point(self) -> tuple[float, float, str]:
        if self.communities:
            community = self.rng.choice(self.communities)
            ring = community.get("boundary") or []
            if ring:
                lons = [p[0] for p in ring]
                lats = [p[1] for p in ring]
                lat = self.rng.uniform(min(lats) + 0.001, max(lats) - 0.001)
                lon = self.rng.uniform(min(lons) + 0.001, max(lons) - 0.001)
                street = self.rng.choice(["雷锋大道", "金星大道", "谢家桥路", "桐木路", "天顶路"])
                number = self.rng.randint(1, 399)
                return lat, lon, f"雷锋街道{community['name']}{street}{number}号附近"
        return self.rng.uniform(SOUTH, NORTH), self.rng.uniform(WEST, EAST), "雷锋街道辖区内"

    def place_call(self) -> dict[str, Any] | None:
        assert self.dispatcher is not None
        family = self.rng.choices(FAMILIES, weights=[f.per_day for f in FAMILIES])[0]
        codes, weights = zip(*family.subtypes, strict=True)
        code = self.rng.choices(codes, weights=weights)[0]
        lat, lon, address = self._random_point()
        self._call_serial += 1
        body = {
            "category_code": code,
            "caller_phone": f"139{self.rng.randrange(10**8):08d}",
            "address_text": address,
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "description": self.rng.choice(family.words) or "报警求助",
        }
        key = f"sim-{self.config.seed}-{self._started:.0f}-{self._call_serial}"
        created = self._post(self.dispatcher, "/api/incidents", body, **{"Idempotency-Key": key})
        if created is None:
            return None
        self.stats["calls"] += 1
        return dict(created)

    # -- the stand-in dispatcher -------------------------------------------------------------
    def room_round(self) -> None:
        assert self.dispatcher is not None
        now = datetime.now(UTC)
        waiting = self._get(
            self.dispatcher, "/api/incidents", status="received", sort="oldest", per_page=50
        )
        for item in (waiting or {}).get("items", []):
            age = self.real_to_sim((now - _parse_time(item["reported_at"])).total_seconds())
            if age < self.config.auto_dispatch_after_s:
                continue
            self._take_over(item)
        for status in ("reported", "diverted"):
            page = self._get(self.dispatcher, "/api/incidents", status=status, per_page=50)
            for item in (page or {}).get("items", []):
                due = self._closing.setdefault(
                    item["id"],
                    self.sim_now() + self.config.close_after_s * self.rng.uniform(0.5, 1.5),
                )
                if self.sim_now() >= due:
                    closed = self._post(
                        self.dispatcher,
                        f"/api/incidents/{item['id']}/close",
                        {"note": "模拟：处置完毕，结警"},
                    )
                    self._closing.pop(item["id"], None)
                    if closed is not None:
                        self.stats["closed"] += 1

    def _take_over(self, item: dict[str, Any]) -> None:
        assert self.dispatcher is not None
        incident_id = item["id"]
        if (
            item["category_code"][:2] in ("04", "09")
            and self.rng.random() < self.config.divert_share * 3
        ):
            if self._post(
                self.dispatcher,
                f"/api/incidents/{incident_id}/triage",
                {"route": "community", "reason": "模拟：矛盾纠纷转社区警务队化解"},
            ):
                self.stats["diverted"] += 1
            return
        recommendations = self._get(
            self.dispatcher, f"/api/incidents/{incident_id}/recommendations"
        )
        if not recommendations:
            return
        top = recommendations[0]
        sent = self._post(
            self.dispatcher,
            f"/api/incidents/{incident_id}/dispatch",
            {"unit_ids": [top["unit_id"]], "instruction": "模拟调度：请迅速赶往现场处置"},
        )
        if sent is not None:
            self.stats["dispatched"] += 1

    # -- the crews ---------------------------------------------------------------------------
    def crew_round(self, crew: _Crew) -> None:
        now = self.sim_now()
        if now >= crew.next_poll:
            crew.next_poll = now + max(5.0, self.real_to_sim(1.0))
            self._poll_orders(crew)
        task = crew.task
        if task is not None and now >= task.due:
            self._advance(crew, task)
        self._move(crew)

    def _poll_orders(self, crew: _Crew) -> None:
        orders = self._get(crew.client, "/api/incidents/assigned")
        if orders is None:
            return
        mine = None
        for order in orders:
            for assignment in order["assignments"]:
                if assignment["unit_id"] == crew.unit_id and assignment["status"] in (
                    "dispatched",
                    "acknowledged",
                    "en_route",
                    "on_scene",
                ):
                    mine = (order, assignment)
                    break
            if mine:
                break
        if mine is None:
            crew.task = None
            return
        order, assignment = mine
        if crew.task is not None and crew.task.incident_id == order["id"]:
            return
        lat = order["lat"] if order["lat"] is not None else crew.lat
        lon = order["lon"] if order["lon"] is not None else crew.lon
        phase = assignment["status"]
        crew.task = _Task(order["id"], lat, lon, phase, self.sim_now() + self._answer_delay(phase))
        if phase == "en_route":
            crew.task.path = self.navigator.path((crew.lat, crew.lon), (lat, lon))

    def _answer_delay(self, phase: str) -> float:
        return {
            "dispatched": self.rng.uniform(5, 25),
            "acknowledged": self.rng.uniform(3, 12),
            "en_route": math.inf,  # arrives when it gets there
            "on_scene": self.rng.uniform(*self.config.on_scene_s),
        }.get(phase, 10.0)

    def _advance(self, crew: _Crew, task: _Task) -> None:
        following = {
            "dispatched": "acknowledged",
            "acknowledged": "en_route",
            "on_scene": "reported",
        }
        target = following.get(task.phase)
        if target is None:
            return
        body: dict[str, Any] = {"status": target, "unit_id": crew.unit_id}
        if target == "reported":
            body["feedback"] = self.rng.choice(
                ["现场已处置，报告完毕", "双方已调解，报告完毕", "已劝离，秩序恢复，报告完毕"]
            )
        done = self._post(crew.client, f"/api/incidents/{task.incident_id}/progress", body)
        if done is None:
            crew.task = None  # re-read the orders on the next poll
            return
        self.stats[target] += 1
        task.phase = target
        if target == "en_route":
            task.path = self.navigator.path((crew.lat, crew.lon), (task.lat, task.lon))
            task.leg = 1
            task.due = math.inf
        elif target == "reported":
            crew.task = None
        else:
            task.due = self.sim_now() + self._answer_delay(target)

    def _move(self, crew: _Crew) -> None:
        now = self.sim_now()
        if now < crew.next_fix:
            return
        moving = crew.task is not None and crew.task.phase == "en_route"
        interval = max(5.0 if moving else 30.0, self.real_to_sim(0.5 if moving else 2.0))
        elapsed = interval if crew.next_fix == 0.0 else interval + (now - crew.next_fix)
        crew.next_fix = now + interval
        speed = UNIT_SPEED_MPS.get(crew.kind, 8.0)
        if moving:
            assert crew.task is not None
            arrived = self._drive(crew, crew.task, speed * elapsed)
            self._post_fix(crew, speed)
            if arrived:
                crew.task.phase = "en_route_arrived"
                done = self._post(
                    crew.client,
                    f"/api/incidents/{crew.task.incident_id}/progress",
                    {"status": "on_scene", "unit_id": crew.unit_id},
                )
                if done is not None:
                    self.stats["on_scene"] += 1
                    crew.task.phase = "on_scene"
                    crew.task.due = now + self._answer_delay("on_scene")
                else:
                    crew.task = None
        elif crew.task is None:
            self._patrol(crew, speed * 0.4 * elapsed)
            self._post_fix(crew, speed * 0.4)
        else:
            self._post_fix(crew, 0.0)

    def _drive(self, crew: _Crew, task: _Task, metres: float) -> bool:
        path = task.path or [(crew.lat, crew.lon), (task.lat, task.lon)]
        task.leg = max(task.leg, 1)
        while metres > 0 and task.leg < len(path):
            target = path[task.leg]
            gap = haversine_m(crew.lat, crew.lon, target[0], target[1])
            crew.heading = (
                bearing_deg(crew.lat, crew.lon, target[0], target[1]) if gap > 1 else crew.heading
            )
            if gap <= metres:
                crew.lat, crew.lon = target
                metres -= gap
                task.leg += 1
            else:
                share = metres / gap
                crew.lat += (target[0] - crew.lat) * share
                crew.lon += (target[1] - crew.lon) * share
                metres = 0
        return task.leg >= len(path)

    def _patrol(self, crew: _Crew, metres: float) -> None:
        crew.heading = (crew.heading + self.rng.gauss(0, 25)) % 360
        # a slow pull home keeps each crew on its own beat
        north = math.cos(math.radians(crew.heading)) * metres
        east = math.sin(math.radians(crew.heading)) * metres
        crew.lat += north / M_PER_DEG_LAT + (crew.home[0] - crew.lat) * 0.05
        crew.lon += (
            east / (M_PER_DEG_LAT * math.cos(math.radians(crew.lat)))
            + (crew.home[1] - crew.lon) * 0.05
        )
        crew.lat = min(NORTH, max(SOUTH, crew.lat))
        crew.lon = min(EAST, max(WEST, crew.lon))

    def _post_fix(self, crew: _Crew, speed: float) -> None:
        fix = {
            "lat": round(crew.lat, 7),
            "lon": round(crew.lon, 7),
            "heading": round(crew.heading % 360, 1) % 360,
            "speed_mps": round(min(speed, 120.0), 2),
            "accuracy_m": 6.0,
        }
        if self._post(crew.client, f"/api/units/{crew.unit_id}/positions", fix) is not None:
            self.stats["positions"] += 1

    # -- the loop ----------------------------------------------------------------------------
    def step(self) -> None:
        now = self.sim_now()
        config = self.config
        if config.callers and (config.max_calls is None or self.stats["calls"] < config.max_calls):
            if self._next_call == 0.0:
                self._next_call = now + self.rng.expovariate(max(self._call_rate_per_s(), 1e-6))
            if now >= self._next_call:
                self.place_call()
                self._next_call = now + self.rng.expovariate(max(self._call_rate_per_s(), 1e-6))
        if config.auto_dispatch and now >= self._next_room:
            self._next_room = now + max(5.0, self.real_to_sim(1.0))
            self.room_round()
        for crew in self.crews:
            self.crew_round(crew)

    def run(self, stop: threading.Event) -> Counter[str]:
        if not self.crews and self.dispatcher is None:
            self.connect()
        deadline = (
            time.monotonic() + self.config.duration_s
            if self.config.duration_s is not None
            else None
        )
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            try:
                self.step()
            except Exception:  # the simulator must never take the station down with it
                self.stats["errors"] += 1
                log.exception("simulator step failed")
            stop.wait(self.config.tick_s)
        return self.stats


def wait_for_server(
    base_url: str, *, timeout_s: float, stop: threading.Event | None = None
) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not (stop and stop.is_set()):
        try:
            if httpx.get(f"{base_url}/api/categories", timeout=2.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


class BackgroundSimulator:
    """The simulator on its own thread, started and stopped with the app."""

    def __init__(self, config: SimConfig, navigator_factory: Callable[[], Navigator]) -> None:
        self.config = config
        self.navigator_factory = navigator_factory
        self.stop_event = threading.Event()
        self.simulator: LiveSimulator | None = None
        self.thread = threading.Thread(target=self._run, name="jingwu-simulator", daemon=True)

    def start(self) -> BackgroundSimulator:
        self.thread.start()
        return self

    def _run(self) -> None:
        if not wait_for_server(self.config.base_url, timeout_s=60.0, stop=self.stop_event):
            log.warning("simulator: the server at %s never answered", self.config.base_url)
            return
        simulator = LiveSimulator(self.config, navigator=self.navigator_factory())
        self.simulator = simulator
        try:
            simulator.connect()
            simulator.run(self.stop_event)
        except Exception:
            log.exception("simulator stopped")
        finally:
            simulator.close()

    def stop(self, timeout_s: float = 5.0) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout_s)


def parse_env(value: str) -> SimConfig:
    """`speed:seed:port`, as `jingwu demo` sets it."""
    speed, seed, port = [*value.split(":"), "", "", ""][:3]
    return SimConfig(
        base_url=f"http://127.0.0.1:{int(port or 8000)}",
        speed=float(speed or 1.0),
        seed=int(seed or 7),
    )


def start_from_env(database: Any) -> BackgroundSimulator | None:
    """Start the simulator when JINGWU_SIMULATE is set (by `jingwu demo`)."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    config = parse_env(value)
    log.info("simulator: %s× seed %s against %s", config.speed, config.seed, config.base_url)
    return BackgroundSimulator(config, lambda: load_navigator(database)).start()
