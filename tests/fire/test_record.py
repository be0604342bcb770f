"""The squad's record is summed from its operation reports, the history since 1998 included."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from jingwu.core.db import Database
from jingwu.fire import record
from jingwu.fire.demo import ARTICLE_DAY, FireDemoReport, build_fire_station
from jingwu.fire.models import FireMember, FireOperation, OperationStatus
from jingwu.sim.leifeng import build_scenario


def test_totals_come_from_the_operation_reports(db: Database) -> None:
    with db.session() as session:
        build_scenario(session, seed=7)
        report = build_fire_station(session, seed=7, history=True)
    assert report.operations > 5000

    with db.session(write=False) as session:
        at_article = record.squad_record(session, as_of=ARTICLE_DAY)
        # what the seed's article says, 25 years after founding
        assert 5000 <= at_article.operations < 6000
        assert 1700 <= at_article.people_rescued < 2000
        assert at_article.property_protected_yuan > 2_000_000_000
        assert at_article.founded_year == 1998
        assert [h.level for h in at_article.honours].count("集体一等功") == 1
        assert at_article.by_year[0].year == 1998
        assert sum(y.operations for y in at_article.by_year) == at_article.operations

        # the same totals straight from the rows
        rows = select(
            func.count(FireOperation.id),
            func.sum(FireOperation.people_rescued),
            func.sum(FireOperation.property_protected_yuan),
        ).where(FireOperation.started_at <= ARTICLE_DAY)
        count, rescued, protected = session.execute(rows).one()
        assert (at_article.operations, at_article.people_rescued) == (count, int(rescued))
        assert at_article.property_protected_yuan == int(protected)

        flood_year = record.operations_summary(
            session, start=datetime(2017, 1, 1, tzinfo=UTC), end=datetime(2018, 1, 1, tzinfo=UTC)
        )
        rescue = next(c for c in flood_year.by_category if c.category_code == "07")
        assert rescue.people_rescued >= 46  # the three days and nights on the Weishui
        assert flood_year.hours > 72

        now = record.squad_record(session)
        assert now.operations == session.scalar(select(func.count(FireOperation.id)))

    # one more report moves the record by exactly its figures
    with db.session() as session:
        session.add(
            FireOperation(
                category_code="0601",
                title="建筑火灾 · 测试",
                started_at=datetime.now(UTC),
                status=OperationStatus.CLOSED.value,
                people_rescued=3,
                property_protected_yuan=1_000_000,
            )
        )
    with db.session(write=False) as session:
        after = record.squad_record(session)
    assert after.operations == now.operations + 1
    assert after.people_rescued == now.people_rescued + 3
    assert after.property_protected_yuan == now.property_protected_yuan + 1_000_000


def test_the_squad_is_built_once(db: Database) -> None:
    with db.session() as session:
        build_scenario(session, seed=7)  # the Leifeng scenario builds the squad
        members = session.scalar(select(func.count(FireMember.id)))
        again = build_fire_station(session, seed=7, history=False)
    assert members == 10
    assert again == FireDemoReport(0, 0, 0, 0)
