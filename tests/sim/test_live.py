"""The live simulator drives an incident round the whole loop against the real server."""

from __future__ import annotations

import threading
import time

import httpx
from sqlalchemy import select

from jingwu.command.models import Incident, TimelineEntry
from jingwu.sim.live import LiveSimulator, SimConfig, load_navigator, parse_env
from jingwu.units.models import UnitPosition
from tests.sim.conftest import LiveStation


def test_the_simulator_plays_callers_dispatcher_and_crews(live_station: LiveStation) -> None:
    config = SimConfig(
        base_url=live_station.base_url,
        speed=60,
        seed=11,
        calls_per_hour=400,
        max_calls=1,
        close_after_s=20,
        on_scene_s=(20, 40),
        crew_usernames=["crew1", "crew2", "crew3", "crew4", "crew5", "crew6", "crew7", "crew8"],
        tick_s=0.05,
    )
    simulator = LiveSimulator(config, navigator=load_navigator(live_station.database))
    simulator.connect()
    assert len(simulator.crews) == 8
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline and simulator.stats["closed"] < 1:
            simulator.step()
            time.sleep(config.tick_s)
    finally:
        simulator.close()
    assert simulator.stats["calls"] == 1
    with live_station.database.session(write=False) as session:
        incident = session.scalars(select(Incident)).one()
        kinds = [
            t.kind
            for t in session.scalars(
                select(TimelineEntry)
                .where(TimelineEntry.incident_id == incident.id)
                .order_by(TimelineEntry.id)
            )
        ]
        fixes = session.scalars(select(UnitPosition).where(UnitPosition.source == "http")).all()
    if incident.route == "community":  # the stand-in dispatcher may divert a dispute
        assert kinds[:2] == ["received", "triaged"]
        assert incident.status == "closed"
        return
    assert incident.status == "closed", (incident.status, kinds, dict(simulator.stats))
    for step in ["received", "dispatched", "acknowledged", "en_route", "on_scene", "reported"]:
        assert step in kinds
    assert kinds[-1] == "closed"
    assert len(fixes) > 8  # every crew reported where it is, the sent one while driving


def test_the_demo_starts_the_simulator_from_its_environment(
    live_station: LiveStation,
) -> None:
    config = parse_env(f"60:5:{live_station.base_url.rsplit(':', 1)[1]}")
    assert (config.speed, config.seed) == (60, 5)
    assert config.base_url == live_station.base_url
    assert SimConfig(base_url="x", speed=500).speed == 60  # speed is held to 1–60×
    config.duration_s = 3
    config.calls_per_hour = 3000
    simulator = LiveSimulator(config)
    stats = simulator.run(threading.Event())
    simulator.close()
    assert stats["calls"] >= 1
    queue = httpx.get(f"{live_station.base_url}/api/incidents")
    assert queue.status_code == 401  # the simulator's tokens are its own; the API stays closed
