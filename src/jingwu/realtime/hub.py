"""The process's live hub: every connected console or terminal has a queue; events fan out to them.

Events reach the hub from a :class:`~jingwu.realtime.broker.Fanout` (in-process, or a broker that
carries every worker's events to every worker). The hub drops duplicates (two workers may relay
the same outbox row) and never blocks on a slow client: a client whose queue overflows is cut
off and reconnects with its last event id, replaying what it missed from the outbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from jingwu.core.events import Envelope

log = logging.getLogger(__name__)
QUEUE_LIMIT = 5000
SEEN_LIMIT = 20_000

EventFilter = Callable[[Envelope], bool]


@dataclass(frozen=True, slots=True)
class Delivery:
    """An event as the clients receive it: its id and its JSON frame, encoded once for all."""

    id: int
    text: str


def frame(envelope: Envelope) -> str:
    return json.dumps(
        {
            "kind": "event",
            "id": envelope.id,
            "type": envelope.type,
            "at": envelope.at.isoformat(),
            "payload": envelope.payload,
        },
        ensure_ascii=False,
    )


@dataclass(eq=False)
class Listener:
    """One connected client: what it may see, and its queue of serialised events."""

    allows: EventFilter
    queue: asyncio.Queue[Delivery | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_LIMIT)
    )
    overflowed: bool = False


class LiveHub:
    def __init__(self) -> None:
        self._listeners: set[Listener] = set()
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.delivered = 0
        self.high_water = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    @property
    def listener_count(self) -> int:
        return len(self._listeners)

    def add(self, allows: EventFilter) -> Listener:
        listener = Listener(allows=allows)
        self._listeners.add(listener)
        return listener

    def remove(self, listener: Listener) -> None:
        self._listeners.discard(listener)

    def deliver(self, envelope: Envelope) -> None:
        """On the event loop: hand the event to every listener that may see it, once."""
        if envelope.id in self._seen:
            return
        self._seen[envelope.id] = None
        if len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        self.high_water = max(self.high_water, envelope.id)
        delivery: Delivery | None = None
        for listener in list(self._listeners):
            if listener.overflowed or not listener.allows(envelope):
                continue
            if delivery is None:
                delivery = Delivery(envelope.id, frame(envelope))
            try:
                listener.queue.put_nowait(delivery)
                self.delivered += 1
            except asyncio.QueueFull:
                log.warning("live client too slow: cutting it off (it will replay)")
                listener.overflowed = True
                self._cut_off(listener)

    @staticmethod
    def _cut_off(listener: Listener) -> None:
        while not listener.queue.empty():
            listener.queue.get_nowait()
        listener.queue.put_nowait(None)

    def deliver_threadsafe(self, envelope: Envelope) -> None:
        """From any thread (the outbox relay): schedule the delivery on the hub's loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self.deliver, envelope)

    def close_all(self) -> None:
        for listener in list(self._listeners):
            self._cut_off(listener)
        self._listeners.clear()
