"""The squad's record, summed from its operation reports — never a typed-in total.

Analytics and the station board call :func:`squad_record` and :func:`operations_summary`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from jingwu.command.categories import label, top_of
from jingwu.core.clock import LOCAL_ZONE, as_utc, seconds_between, to_local, utcnow
from jingwu.core.errors import InvalidInput
from jingwu.fire.models import FireOperation, Honour
from jingwu.fire.schemas import (
    CategoryFigures,
    HonourOut,
    OperationsSummaryOut,
    SquadRecordOut,
    YearFigures,
)

FOUNDED_YEAR = 1998  # 雷锋班正式创建


def squad_record(session: Session, *, as_of: datetime | None = None) -> SquadRecordOut:
    """Operations, people rescued and property protected since founding, up to ``as_of``."""
    now = utcnow()
    moment = min(as_utc(as_of), now) if as_of else now  # nothing is recorded after now
    last_year = to_local(moment).year
    first_year = min(FOUNDED_YEAR, last_year)
    # local (Asia/Shanghai) years, bucketed in SQL by their UTC boundaries
    whens = [
        (FireOperation.started_at < datetime(y + 1, 1, 1, tzinfo=LOCAL_ZONE), y)
        for y in range(first_year, last_year)
    ] or [(FireOperation.started_at <= moment, last_year)]  # as_of before founding: one bucket
    year_of = case(*whens, else_=last_year).label("year")
    rows = session.execute(
        select(
            year_of,
            func.count(FireOperation.id),
            func.coalesce(func.sum(FireOperation.people_rescued), 0),
            func.coalesce(func.sum(FireOperation.property_protected_yuan), 0),
            func.coalesce(func.sum(FireOperation.property_lost_yuan), 0),
        )
        .where(FireOperation.started_at <= moment)
        .group_by(year_of)
        .order_by(year_of)
    ).all()
    by_year = [
        YearFigures(
            year=int(year), operations=int(n), people_rescued=int(p), property_protected_yuan=int(v)
        )
        for year, n, p, v, _ in rows
    ]
    honours = session.scalars(
        select(Honour).where(Honour.year <= to_local(moment).year).order_by(Honour.year, Honour.id)
    ).all()
    return SquadRecordOut(
        founded_year=FOUNDED_YEAR,
        as_of=moment,
        operations=sum(y.operations for y in by_year),
        people_rescued=sum(y.people_rescued for y in by_year),
        property_protected_yuan=sum(y.property_protected_yuan for y in by_year),
        property_lost_yuan=sum(int(row[4]) for row in rows),
        honours=[HonourOut(year=h.year, title=h.title, level=h.level) for h in honours],
        by_year=by_year,
    )


def operations_summary(session: Session, *, start: datetime, end: datetime) -> OperationsSummaryOut:
    """Operations begun in [start, end): counts and outcomes, by top category."""
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise InvalidInput("结束时间须晚于开始时间 / end must follow start", code="bad_range")
    operations = session.scalars(
        select(FireOperation).where(
            FireOperation.started_at >= start, FireOperation.started_at < end
        )
    ).all()
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    seconds = 0.0
    for operation in operations:
        figures = by_category[top_of(operation.category_code).code]
        figures[0] += 1
        figures[1] += operation.people_rescued
        figures[2] += operation.property_protected_yuan
        seconds += seconds_between(operation.started_at, operation.ended_at) or 0.0
    return OperationsSummaryOut(
        start=start,
        end=end,
        operations=len(operations),
        people_rescued=sum(o.people_rescued for o in operations),
        property_protected_yuan=sum(o.property_protected_yuan for o in operations),
        property_lost_yuan=sum(o.property_lost_yuan for o in operations),
        hours=round(seconds / 3600, 2),
        by_category=[
            CategoryFigures(
                category_code=code,
                category_label=label(code),
                operations=f[0],
                people_rescued=f[1],
                property_protected_yuan=f[2],
            )
            for code, f in sorted(by_category.items())
        ],
    )


def operation_count(session: Session) -> int:
    return session.scalar(select(func.count(FireOperation.id))) or 0
