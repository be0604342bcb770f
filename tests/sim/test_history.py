"""Two years of history from the generating process: deterministic, shaped, on target."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from jingwu.command.models import Assignment, Incident, TimelineEntry
from jingwu.core.clock import to_local
from jingwu.core.db import Database
from jingwu.sim.history import HistoryBuilder, local_hour, yearly_counts
from jingwu.sim.leifeng import build_scenario

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def _events(database: Database, seed: int, days: int = 730) -> list[tuple[str, datetime, float]]:
    with database.session(write=False) as session:
        builder = HistoryBuilder(session, seed=seed, days=days, now=NOW)
        return [(e.code, e.at, e.lat) for e in builder.draw_events()]


def test_the_same_seed_draws_the_same_past(sim_station: Database) -> None:
    first = _events(sim_station, seed=3, days=120)
    again = _events(sim_station, seed=3, days=120)
    other = _events(sim_station, seed=4, days=120)
    assert first == again
    assert first != other


def test_year_on_year_comes_out_of_the_trend_parameters(sim_station: Database) -> None:
    rows = [(code, at) for code, at, _lat in _events(sim_station, seed=7)]
    end = NOW.replace(minute=0) - timedelta(hours=1)
    previous, latest = yearly_counts(rows, end=end, prefixes=["01", "08"])
    criminal = latest / previous - 1
    previous, latest = yearly_counts(rows, end=end, prefixes=["08"])
    fraud = latest / previous - 1
    assert -0.33 < criminal < -0.22, criminal  # the station's seed: about −27 %
    assert -0.41 < fraud < -0.28, fraud  # the seed: about −34 %
    previous, latest = yearly_counts(rows, end=end, prefixes=["03"])
    assert abs(latest / previous - 1) < 0.08  # traffic barely moves


def test_the_day_has_a_rhythm_and_the_festival_a_surge(sim_station: Database) -> None:
    events = _events(sim_station, seed=7)
    hours = Counter(local_hour(at) for _code, at, _lat in events)
    assert hours[4] * 3 < hours[20]  # small hours are quiet, evenings busy
    days = Counter(to_local(at).date() for _code, at, _lat in events)
    dragon_boat = datetime(2026, 6, 19, 12, tzinfo=UTC).date()
    ordinary = sorted(days.values())[len(days) // 2]
    assert days[dragon_boat] > 2 * ordinary
    burglaries = [(at, lat) for code, at, lat in events if code == "0106"]
    assert len(burglaries) > 50


@pytest.mark.parametrize("days", [30])
def test_history_rows_close_the_loop(database_url: str, days: int) -> None:
    database = Database(database_url)
    try:
        with database.session() as session:
            build_scenario(session, seed=7, history_days=days, track_days=1, now=NOW)
        with database.session(write=False) as session:
            incidents = session.scalars(select(Incident)).all()
            assert len(incidents) > days * 8
            assert all(i.closed_at is not None and i.reported_at <= i.closed_at for i in incidents)
            assert all(not i.is_drill and i.number.startswith("JQ") for i in incidents)
            patrol = [i for i in incidents if i.route == "patrol"]
            assert patrol
            assert all(
                i.reported_at <= i.dispatched_at <= i.acknowledged_at <= i.on_scene_at  # type: ignore[operator]
                for i in patrol
            )
            steps = session.scalar(select(func.count(TimelineEntry.id)))
            assert (steps or 0) >= 3 * len(incidents)
            assert session.scalar(select(func.count(Assignment.id))) == len(patrol)
        # a live incident after the history gets the next id on both databases
        with database.session() as session:
            newest = Incident(number="probe", priority=3, category_code="0101")
            session.add(newest)
            session.flush()
            assert newest.id == len(incidents) + 1
    finally:
        database.dispose()
