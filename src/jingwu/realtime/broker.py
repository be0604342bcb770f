"""Fan-out of committed events to every worker: in-process by default, Redis or NATS by setting.

The outbox relay of each worker calls :meth:`Fanout.publish` (from its thread) with every event
it relays; each worker's :meth:`Fanout.run` receives every worker's events and hands them to its
hub. The broker only carries the live feed — the outbox stays the record, so a worker that lost
its broker connection catches up from the database when it is back (``catch_up``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from pydantic import ValidationError

from jingwu.core.events import Envelope
from jingwu.realtime.hub import LiveHub

log = logging.getLogger(__name__)
CHANNEL = "jingwu.events"
CatchUp = Callable[[], Awaitable[None]]


class Fanout(Protocol):
    name: str

    def publish(self, envelope: Envelope) -> None: ...

    async def run(self, catch_up: CatchUp) -> None: ...

    async def close(self) -> None: ...


def _decode(raw: bytes | str) -> Envelope | None:
    try:
        return Envelope.model_validate_json(raw)
    except ValidationError:
        log.warning("dropping a malformed event from the broker")
        return None


class MemoryFanout:
    """One worker: the relay hands events straight to the hub."""

    name = "memory"

    def __init__(self, hub: LiveHub) -> None:
        self._hub = hub
        self._stopped = asyncio.Event()

    def publish(self, envelope: Envelope) -> None:
        self._hub.deliver_threadsafe(envelope)

    async def run(self, catch_up: CatchUp) -> None:
        await self._stopped.wait()

    async def close(self) -> None:
        self._stopped.set()


class RedisFanout:
    """Redis pub/sub on one channel; every worker publishes and every worker listens."""

    name = "redis"

    def __init__(self, hub: LiveHub, url: str, channel: str = CHANNEL) -> None:
        import redis

        self._hub = hub
        self._url = url
        self._channel = channel
        self._sync = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._client: Any = None

    def publish(self, envelope: Envelope) -> None:
        try:
            self._sync.publish(self._channel, envelope.model_dump_json())
        except Exception:
            # the broker is down: this worker's own clients still get the event
            log.warning("redis publish failed; delivering locally only", exc_info=True)
            self._hub.deliver_threadsafe(envelope)

    async def run(self, catch_up: CatchUp) -> None:
        import redis.asyncio as aioredis

        delay = 0.5
        while True:
            try:
                self._client = aioredis.Redis.from_url(self._url)
                pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self._channel)
                await catch_up()
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    envelope = _decode(message["data"])
                    if envelope is not None:
                        self._hub.deliver(envelope)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("redis subscription lost; retrying in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
            finally:
                if self._client is not None:
                    with contextlib.suppress(Exception):
                        await self._client.aclose()
                    self._client = None

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self._sync.close()


class NatsFanout:
    """NATS core pub/sub on one subject; publishes from the relay thread via the event loop."""

    name = "nats"

    def __init__(self, hub: LiveHub, url: str, subject: str = CHANNEL) -> None:
        self._hub = hub
        self._url = url
        self._subject = subject
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = asyncio.Event()

    def publish(self, envelope: Envelope) -> None:
        client, loop = self._client, self._loop
        if client is None or loop is None or not client.is_connected:
            self._hub.deliver_threadsafe(envelope)
            return
        data = envelope.model_dump_json().encode()
        future = asyncio.run_coroutine_threadsafe(client.publish(self._subject, data), loop)
        try:
            future.result(timeout=2)
        except Exception:
            log.warning("nats publish failed; delivering locally only", exc_info=True)
            self._hub.deliver_threadsafe(envelope)

    async def run(self, catch_up: CatchUp) -> None:
        import nats

        self._loop = asyncio.get_running_loop()

        async def _on_message(message: Any) -> None:
            envelope = _decode(message.data)
            if envelope is not None:
                self._hub.deliver(envelope)

        async def _reconnected() -> None:
            await catch_up()

        self._client = await nats.connect(
            self._url, reconnected_cb=_reconnected, max_reconnect_attempts=-1
        )
        await self._client.subscribe(self._subject, cb=_on_message)
        await self._client.flush()
        await catch_up()
        await self._stopped.wait()

    async def close(self) -> None:
        self._stopped.set()
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.drain()
            self._client = None


def make_fanout(hub: LiveHub, setting: str) -> Fanout:
    """``memory`` | ``redis://…`` | ``nats://…`` (Settings.event_bus); ``?channel=name`` picks
    the channel (subject), so that two stations may share one broker."""
    url, _, query = setting.partition("?channel=")
    channel = query or CHANNEL
    if setting.startswith(("redis://", "rediss://", "unix://")):
        return RedisFanout(hub, url, channel)
    if setting.startswith(("nats://", "tls://")):
        return NatsFanout(hub, url, channel)
    if setting in ("", "memory"):
        return MemoryFanout(hub)
    raise ValueError(f"JINGWU_EVENT_BUS must be memory, redis://… or nats://… (got {setting!r})")
