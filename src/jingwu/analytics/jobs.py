"""Reviews on schedule: after each day, week and month ends, its review is generated and kept.

``generate_due`` is idempotent — it writes only the reviews not kept yet — so it can run from
cron (``jingwu report --due``) or from a loop in the app every few minutes.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from jingwu.analytics import service
from jingwu.analytics.export import review_pdf, review_xlsx
from jingwu.analytics.models import StoredReview
from jingwu.analytics.periods import PeriodKind, last_complete, period_of
from jingwu.analytics.schemas import ReviewOut
from jingwu.core.db import Database

SCHEDULED = (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.MONTH)


def generate_due(database: Database, *, now: datetime | None = None) -> list[str]:
    """Generate the reviews of the periods that ended and have none kept; their labels."""
    made = []
    for kind in SCHEDULED:
        period = last_complete(kind, now)
        with database.session() as session:
            kept = session.scalars(
                select(StoredReview.id).where(
                    StoredReview.kind == kind.value, StoredReview.period_start == period.first
                )
            ).first()
            if kept is None:
                service.do_store_review(session, period=period, officer_id=None)
                made.append(f"{kind.value} {period.label}")
    return made


def write_files(review: ReviewOut, folder: Path, formats: tuple[str, ...]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = folder / f"review-{review.kind}-{review.first.isoformat()}.{fmt}"
        path.write_bytes(review_pdf(review) if fmt == "pdf" else review_xlsx(review))
        written.append(path)
    return written


def report(database: Database, *, kind: PeriodKind, on: date | None) -> ReviewOut:
    """Generate (and keep) the review of the period containing ``on``; the last complete one if None."""
    period = period_of(kind, on) if on else last_complete(kind)
    with database.session() as session:
        _, review = service.do_store_review(session, period=period, officer_id=None)
    return review
