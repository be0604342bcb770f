"""Vehicle terminals over MQTT: one topic per unit, NMEA 0183 or JSON positions.

* ``{prefix}/{unit_id}/nmea`` — one or more NMEA sentences per message (a line each);
* ``{prefix}/{unit_id}/position`` — one JSON position (the same body as the HTTP endpoint).

Workers share one subscription (``$share/jingwu/…``), so each message is ingested once however
many workers run. Who may publish on a unit's topic is the broker's ACL (one login per
terminal, write access to its own topic only).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlparse

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from jingwu.core.clock import utcnow
from jingwu.core.db import Database
from jingwu.core.errors import AppError
from jingwu.units import service
from jingwu.units.nmea import NmeaDecoder, NmeaFix
from jingwu.units.schemas import PositionIn

log = logging.getLogger(__name__)
SHARE_GROUP = "jingwu"
MAX_PAYLOAD = 16 * 1024
# receivers with a week-rollover bug report dates years off: keep the place, stamp receipt time
TRUST_FIX_TIME_WITHIN = timedelta(hours=24)


def _position(fix: NmeaFix) -> PositionIn:
    skew = abs(fix.at - utcnow())
    return PositionIn(
        lat=fix.lat,
        lon=fix.lon,
        at=fix.at if skew <= TRUST_FIX_TIME_WITHIN else None,
        heading=fix.track_deg,
        speed_mps=min(fix.speed_mps, 120.0) if fix.speed_mps is not None else None,
    )


def store_positions(
    database: Database, *, unit_id: int, positions: list[PositionIn], source: str
) -> int:
    """One transaction per message; a position the service refuses is skipped and logged."""
    stored = 0
    with database.session() as session:
        unit = service.get_unit(session, unit_id=unit_id)
        for position in positions:
            try:
                with session.begin_nested():
                    service.do_report_position(session, unit=unit, position=position, source=source)
                stored += 1
            except AppError as exc:
                log.info("unit %s: position refused: %s", unit_id, exc.message)
    return stored


@dataclass
class MqttIngest:
    database: Database
    url: str
    prefix: str = "jingwu/units"
    decoders: dict[int, NmeaDecoder] = field(default_factory=dict)
    stored: int = 0
    rejected: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def topics(self) -> list[str]:
        return [
            f"$share/{SHARE_GROUP}/{self.prefix}/+/nmea",
            f"$share/{SHARE_GROUP}/{self.prefix}/+/position",
        ]

    def _unit_and_kind(self, topic: str) -> tuple[int, str] | None:
        parts = topic.split("/")
        head = self.prefix.split("/")
        if len(parts) != len(head) + 2 or parts[: len(head)] != head:
            return None
        unit, kind = parts[-2], parts[-1]
        if not unit.isdigit() or kind not in ("nmea", "position"):
            return None
        return int(unit), kind

    def positions_from(self, unit_id: int, kind: str, payload: bytes) -> list[PositionIn]:
        if len(payload) > MAX_PAYLOAD:
            self.rejected += 1
            return []
        text = payload.decode("ascii", errors="replace")
        if kind == "position":
            try:
                return [PositionIn.model_validate_json(text)]
            except ValidationError:
                self.rejected += 1
                return []
        decoder = self.decoders.setdefault(unit_id, NmeaDecoder())
        positions = []
        for line in text.splitlines():
            fix = decoder.feed(line)
            if fix is not None:
                try:
                    positions.append(_position(fix))
                except ValidationError:
                    self.rejected += 1
        return positions

    async def handle(self, topic: str, payload: bytes) -> None:
        target = self._unit_and_kind(topic)
        if target is None:
            self.rejected += 1
            return
        unit_id, kind = target
        positions = self.positions_from(unit_id, kind, payload)
        if not positions:
            return
        try:
            self.stored += await run_in_threadpool(
                store_positions,
                self.database,
                unit_id=unit_id,
                positions=positions,
                source=f"mqtt-{kind}",
            )
        except AppError as exc:
            self.rejected += len(positions)
            log.info("mqtt %s: %s", topic, exc.message)

    async def run(self) -> None:
        import aiomqtt

        parsed = urlparse(self.url)
        delay = 0.5
        while True:
            try:
                async with aiomqtt.Client(
                    parsed.hostname or "127.0.0.1",
                    parsed.port or 1883,
                    username=parsed.username,
                    password=parsed.password,
                ) as client:
                    for topic in self.topics():
                        await client.subscribe(topic, qos=1)
                    self.ready.set()
                    delay = 0.5
                    async for message in client.messages:
                        payload = message.payload
                        if isinstance(payload, bytes | bytearray):
                            await self.handle(message.topic.value, bytes(payload))
            except asyncio.CancelledError:
                raise
            except Exception:
                self.ready.clear()
                log.warning("mqtt connection lost; retrying in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
