"""The database: SQLite (WAL, synchronous=FULL) by default, PostgreSQL by URL.

Services flush; the request (or the job) commits. A commit that returns has been fsynced.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from jingwu.core.clock import as_utc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and on the way out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware times only")
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012 - SQLAlchemy's class-level map


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # we issue BEGIN ourselves (see _sqlite_begin); this also makes SAVEPOINT work
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


WRITE = {"sqlite_begin": "IMMEDIATE"}


def _sqlite_begin(connection: Any) -> None:
    """A writing unit of work takes SQLite's write lock up front (BEGIN IMMEDIATE).

    Otherwise two requests that read and then write would fail with "database is locked"
    the moment the second tries to write on a stale snapshot.
    """
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class WriterQueue:
    """The process's SQLite writers, one at a time, in arrival order; re-entrant per thread.

    Unlike ``threading.RLock`` it may be released from another thread than the one that took
    it: FastAPI enters a sync dependency (the request's unit of work) in one worker thread and
    leaves it in another. A thread that takes it again while it holds it (the outbox relay run
    inside a commit hook, or a pool thread that picked up the next request) passes through;
    SQLite's own lock (BEGIN IMMEDIATE, busy_timeout) still keeps such writers apart.
    """

    max_wait_s = 2.0

    def __init__(self) -> None:
        self._free = threading.Condition()
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        deadline = time.monotonic() + self.max_wait_s
        with self._free:
            while self._owner not in (None, me):
                left = deadline - time.monotonic()
                if left <= 0:
                    # every worker thread may be waiting here while the holder needs one to
                    # leave its unit of work: stop queueing, let SQLite's busy handler decide
                    break
                self._free.wait(left)
            self._owner = me if self._owner is None else self._owner
            self._depth += 1

    def __exit__(self, *_exc: object) -> None:
        with self._free:
            self._depth = max(0, self._depth - 1)
            if self._depth == 0:
                self._owner = None
                self._free.notify()


class Database:
    """An engine and its session factory; one per process, made by the composition root."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: threads of this process queue here, in order, instead
        # of polling SQLite's busy handler (whose back-off sleeps make long latency tails)
        self._writer: AbstractContextManager[Any] = (
            WriterQueue() if url.startswith("sqlite") else contextlib.nullcontext()
        )

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        with self._writer if write else contextlib.nullcontext(), self.sessions() as session:
            if write:
                session.connection(execution_options=WRITE)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
