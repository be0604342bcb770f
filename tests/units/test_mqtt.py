"""Vehicle terminals through the real Mosquitto: a receiver log replayed on a unit's topic."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jingwu.app import create_app
from jingwu.core.db import Database
from jingwu.units.models import Unit, UnitPosition
from jingwu.units.nmea import decode_lines
from tests.conftest import IN_CI, make_settings

NMEA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nmea"
BROKER = ("127.0.0.1", 1883)


def _broker_or_skip() -> None:
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError as exc:
        reason = f"Mosquitto not reachable on {BROKER[0]}:{BROKER[1]}: {exc}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


async def _publish(topic: str, payloads: list[str]) -> None:
    import aiomqtt

    async with aiomqtt.Client(*BROKER) as client:
        for payload in payloads:
            await client.publish(topic, payload.encode(), qos=1)


def _wait_for(predicate: Any, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.mark.parametrize("log_name", ["gpsd-beidou-gb.log", "gpsd-bu353s4.log"])
def test_nmea_log_over_mqtt_moves_the_unit(station: Database, log_name: str) -> None:
    _broker_or_skip()
    path = NMEA / log_name
    if not path.exists():
        pytest.skip(f"../shared/data/nmea/{log_name} is not on this machine")
    prefix = f"jingwu-test-{uuid.uuid4().hex[:8]}/units"
    settings = make_settings(
        station.url, mqtt_url="mqtt://127.0.0.1:1883", mqtt_topic_prefix=prefix
    )
    app = create_app(settings, station)
    with station.session() as session:
        unit = session.scalars(select(Unit).where(Unit.call_sign == "3号巡逻车")).one()
        unit_id = unit.id
    lines = path.read_text().splitlines()
    expected = decode_lines(lines)
    with TestClient(app):
        _wait_for(lambda: app.state.mqtt.ready.is_set())
        # a terminal sends its sentences in bursts of a few lines, as serial reads arrive
        bursts = ["\n".join(lines[i : i + 5]) for i in range(0, len(lines), 5)]
        asyncio.run(_publish(f"{prefix}/{unit_id}/nmea", bursts))
        asyncio.run(_publish(f"{prefix}/{unit_id}/position", ["{not json"]))

        def stored() -> list[UnitPosition]:
            with station.session(write=False) as session:
                query = select(UnitPosition).where(UnitPosition.unit_id == unit_id)
                return list(session.scalars(query.order_by(UnitPosition.id)).all())

        _wait_for(lambda: len(stored()) >= len(expected))
        positions = stored()
        assert [(p.lat, p.lon) for p in positions] == [(f.lat, f.lon) for f in expected]
        assert {p.source for p in positions} == {"mqtt-nmea"}
        _wait_for(lambda: app.state.mqtt.rejected >= 1)
    with station.session(write=False) as session:
        moved = session.get(Unit, unit_id)
        assert moved is not None
        assert (moved.lat, moved.lon) == (expected[-1].lat, expected[-1].lon)
