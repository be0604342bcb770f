"""Typed events and the transactional outbox.

A service calls :func:`record` inside its transaction; the outbox row commits with the
change. After commit the :class:`EventBus` relays unpublished rows to subscribers (in-process
by default, Redis or NATS across workers) and marks them published. A crash between commit
and publish loses nothing: the next relay picks the row up.
"""

from __future__ import annotations

import builtins
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jingwu.core.clock import utcnow
from jingwu.core.db import Base, Database

log = logging.getLogger(__name__)


class Event(BaseModel):
    """Base of every domain event: a ``type`` literal and no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    registry: ClassVar[dict[str, builtins.type[Event]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        default = cls.model_fields["type"].default
        if isinstance(default, str):
            Event.registry[default] = cls


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None, index=True)


def record(session: Session, event_: Event) -> OutboxEvent:
    """Write the event into the outbox of the current transaction."""
    row = OutboxEvent(type=event_.type, payload=event_.model_dump(mode="json"))
    session.add(row)
    session.info.setdefault("jingwu_outbox", True)
    return row


def parse(type_: str, payload: dict[str, Any]) -> Event:
    cls = Event.registry.get(type_)
    return cls.model_validate(payload) if cls else Event.model_validate({"type": type_})


class Envelope(BaseModel):
    """An event as it travels: its outbox id (the replay cursor) and its payload."""

    id: int
    type: str
    at: datetime
    payload: dict[str, Any]


Subscriber = Callable[[Envelope], None]


class EventBus:
    """Relays committed outbox rows to subscribers, in id order, at least once.

    Started, it relays from a background thread woken by each commit that recorded an event,
    so a request does not wait for the relay; not started, it relays inside the commit hook.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
            self._thread.start()
            self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            try:
                while self.relay() and not self._stopping.is_set():
                    pass
            except Exception:
                log.exception("outbox relay failed; retrying")

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def watch(self) -> None:
        """Relay after every commit of a session that recorded an event."""

        @event.listens_for(self._database.sessions, "after_commit")
        def _after_commit(session: Session) -> None:
            if session.info.pop("jingwu_outbox", False):
                if self._thread is not None:
                    self._wake.set()
                else:
                    self.relay()

    def relay(self, batch: int = 500) -> int:
        with self._lock, self._database.session() as session:
            rows = session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None))
                .order_by(OutboxEvent.id)
                .limit(batch)
            ).all()
            for row in rows:
                envelope = Envelope(
                    id=row.id, type=row.type, at=row.created_at, payload=row.payload
                )
                for subscriber in self._subscribers:
                    try:
                        subscriber(envelope)
                    except Exception:
                        log.exception("event subscriber failed on %s #%s", row.type, row.id)
                row.published_at = utcnow()
            return len(rows)


def events_since(session: Session, last_id: int, limit: int = 1000) -> list[Envelope]:
    """Replay: committed events after ``last_id``, in order."""
    rows = session.scalars(
        select(OutboxEvent).where(OutboxEvent.id > last_id).order_by(OutboxEvent.id).limit(limit)
    ).all()
    return [Envelope(id=r.id, type=r.type, at=r.created_at, payload=r.payload) for r in rows]
