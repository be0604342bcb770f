"""Group commit of position reports: all stored once, durable before the answer, all-or-none."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from jingwu.core.clock import as_utc, utcnow
from jingwu.core.db import Database
from jingwu.core.events import OutboxEvent
from jingwu.units.batching import PositionBatcher, PositionsBusy
from jingwu.units.models import Unit, UnitPosition
from jingwu.units.schemas import PositionIn

THREADS = 24
PER_THREAD = 5


def _unit_ids(db: Database) -> list[int]:
    with db.session(write=False) as session:
        return list(session.scalars(select(Unit.id).order_by(Unit.id)))


def _count(db: Database, unit_ids: list[int]) -> int:
    with db.session(write=False) as session:
        query = select(func.count()).select_from(UnitPosition)
        return session.scalar(query.where(UnitPosition.unit_id.in_(unit_ids))) or 0


def test_concurrent_fixes_stored_once_and_committed_before_the_answer(station: Database) -> None:
    units = _unit_ids(station)
    batcher = PositionBatcher(station, max_wait_s=0.05)
    batcher.start()
    other = create_engine(station.url)  # a second connection: sees only committed rows
    base = utcnow() - timedelta(minutes=5)
    seen_late: list[str] = []
    errors: list[BaseException] = []

    def report(worker: int) -> None:
        try:
            for i in range(PER_THREAD):
                lat = 28.2 + worker * 0.001 + i * 0.00001
                at = base + timedelta(seconds=worker * PER_THREAD + i)
                unit_id = units[worker % len(units)]
                out = batcher.submit(
                    unit_id=unit_id,
                    position=PositionIn(lat=lat, lon=112.9, at=at),
                    source="test",
                )
                assert out.unit_id == unit_id
                with other.connect() as conn:
                    rows = conn.execute(
                        select(func.count())
                        .select_from(UnitPosition)
                        .where(UnitPosition.unit_id == unit_id, UnitPosition.lat == lat)
                    ).scalar()
                if rows != 1:
                    seen_late.append(f"worker {worker} fix {i}: {rows} rows after the answer")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=report, args=(w,)) for w in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    batcher.stop()
    other.dispose()
    assert not errors, errors
    assert not seen_late, seen_late
    assert _count(station, units) == THREADS * PER_THREAD
    assert batcher.stored == THREADS * PER_THREAD
    assert batcher.batches < THREADS * PER_THREAD  # fixes did share commits
    # each unit ends at its newest fix (the latest time), with an event for it
    with station.session(write=False) as session:
        for unit in session.scalars(select(Unit).where(Unit.id.in_(units))):
            newest = session.scalars(
                select(UnitPosition)
                .where(UnitPosition.unit_id == unit.id)
                .order_by(UnitPosition.at.desc())
                .limit(1)
            ).first()
            if newest is None:
                continue
            assert unit.last_fix_at is not None
            assert as_utc(unit.last_fix_at) == as_utc(newest.at)
            assert unit.lat == newest.lat
        moved = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "unit.position")
        )
        assert moved
        assert moved >= len({units[w % len(units)] for w in range(THREADS)})


def test_newest_fix_wins_whatever_the_order_in_the_batch(station: Database) -> None:
    unit_id = _unit_ids(station)[0]
    batcher = PositionBatcher(station, max_wait_s=0.5, max_batch=3)
    batcher.start()
    now = utcnow()
    fixes = [
        (28.21, now - timedelta(seconds=10)),
        (28.23, now),
        (28.22, now - timedelta(seconds=5)),
    ]
    done: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda lat=lat, at=at: done.append(
                batcher.submit(
                    unit_id=unit_id, position=PositionIn(lat=lat, lon=112.9, at=at), source="t"
                )
            )
        )
        for lat, at in fixes
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    batcher.stop()
    assert len(done) == 3
    with station.session(write=False) as session:
        unit = session.get(Unit, unit_id)
        assert unit is not None
        assert unit.lat == 28.23
        assert unit.last_fix_at is not None
        assert as_utc(unit.last_fix_at) == now


def test_a_failing_batch_answers_every_waiter_503_and_stores_none(station: Database) -> None:
    units = _unit_ids(station)
    before = _count(station, units)
    n = 8
    batcher = PositionBatcher(station, max_wait_s=2.0, max_batch=n)
    batcher.start()
    answers: list[BaseException | object] = []

    def report(k: int) -> None:
        # the last one names a unit that does not exist: the database refuses the batch (FK)
        unit_id = units[k % len(units)] if k < n - 1 else max(units) + 10_000
        try:
            answers.append(
                batcher.submit(
                    unit_id=unit_id, position=PositionIn(lat=28.2, lon=112.9), source="t"
                )
            )
        except PositionsBusy as exc:
            answers.append(exc)

    threads = [threading.Thread(target=report, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    batcher.stop()
    assert len(answers) == n
    assert all(isinstance(a, PositionsBusy) for a in answers), answers
    assert {a.status_code for a in answers if isinstance(a, PositionsBusy)} == {503}
    assert _count(station, units) == before
    assert batcher.failed_batches == 1
    # and the writer lives on: the next fix is stored
    batcher.start()
    batcher.submit(unit_id=units[0], position=PositionIn(lat=28.2, lon=112.9), source="t")
    batcher.stop()
    assert _count(station, units) == before + 1


def test_http_report_goes_through_the_batcher_and_says_503_when_stopped(
    login: Any, app: Any
) -> None:
    crew = login("crew1")  # enters the lifespan: the writer runs
    batcher: PositionBatcher = app.state.positions
    assert batcher.running
    unit_id = crew.get("/api/units/mine").json()[0]["id"]
    stored = crew.post(f"/api/units/{unit_id}/positions", json={"lat": 28.23, "lon": 112.83})
    assert stored.status_code == 201, stored.text
    assert stored.json()["source"] == "http"
    assert batcher.stored == 1
    future = crew.post(
        f"/api/units/{unit_id}/positions",
        json={"lat": 28.23, "lon": 112.83, "at": (utcnow() + timedelta(hours=1)).isoformat()},
    )
    assert future.status_code == 422  # checked before queueing
    assert batcher.stored == 1
    busy = PositionBatcher(app.state.db)  # one that was never started
    with pytest.raises(PositionsBusy):
        busy.submit(unit_id=unit_id, position=PositionIn(lat=28.2, lon=112.9), source="t")
