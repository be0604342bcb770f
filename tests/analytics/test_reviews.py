"""Reviews and the board over generated incident history, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import update

from jingwu.analytics import figures
from jingwu.analytics.periods import PeriodKind, period_of
from jingwu.analytics.reviews import build_review
from jingwu.command.models import Incident
from jingwu.core.db import Database
from tests.analytics.conftest import utc


def test_monthly_review_counts_compares_and_explains(
    station: Database, history: Callable[..., int]
) -> None:
    history(start=utc(2025, 5, 1), days=31, per_day=6, seed=1)
    history(start=utc(2026, 4, 1), days=30, per_day=6, seed=2)
    made = history(start=utc(2026, 5, 1), days=31, per_day=6, seed=3)
    # a burglary wave in one community in May 2026
    history(start=utc(2026, 5, 10), days=5, per_day=6, seed=4, codes={"0106": 1.0})
    with station.session() as session:
        session.execute(
            update(Incident).where(Incident.number == "T00000001").values(is_drill=True)
        )
    period = period_of(PeriodKind.MONTH, date(2026, 5, 17))
    with station.session(write=False) as session:
        review = build_review(session, period=period)
    assert review.period_label == "2026年5月"
    assert made - 1 < review.total  # drills are not counted, the wave is
    burglary = next(r for r in review.subtypes if r.key == "0106")
    assert burglary.unusual, burglary
    assert any("入室盗窃" in line and "显著高于基线" in line for line in review.highlights)
    assert sum(review.hours) == review.total
    assert sum(map(sum, review.heat)) == review.total
    assert sum(review.trend) == review.total
    assert len(review.trend) == 31
    assert {b.name for b in review.beats} == {"雷锋第一警务区", "雷锋第二警务区"}
    tiles = {t.key: t for t in review.tiles}
    assert tiles["clearance_rate"].value is None or tiles["clearance_rate"].source == "cases"
    assert tiles["criminal"].value
    assert tiles["criminal"].year_before
    assert len(tiles["criminal"].spark) == figures.SPARK_POINTS


def test_drills_never_count(station: Database, history: Callable[..., int]) -> None:
    history(start=utc(2026, 3, 1), days=2, per_day=5, seed=9)
    with station.session() as session:
        session.execute(update(Incident).values(is_drill=True))
    with station.session(write=False) as session:
        review = build_review(
            session, period=period_of(PeriodKind.DAY, date(2026, 3, 1)), with_board=False
        )
    assert review.total == 0
    assert review.highlights == ["本期无有效警情记录。"]
