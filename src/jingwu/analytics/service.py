"""Analytics writes (commendations, feedback, stored reviews) and the drill-down to records."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.analytics.events import CommendationRecorded, FeedbackRecorded, ReviewGenerated
from jingwu.analytics.figures import FIGURES_BY_KEY
from jingwu.analytics.models import Commendation, PublicFeedback, StoredReview
from jingwu.analytics.periods import Period, PeriodKind, check_range, period_of
from jingwu.analytics.reviews import build_review
from jingwu.analytics.schemas import (
    CommendationIn,
    FeedbackIn,
    RecordOut,
    RecordPage,
    ReviewOut,
)
from jingwu.command.categories import CATEGORIES, label
from jingwu.command.models import Incident
from jingwu.core.clock import format_local, utcnow
from jingwu.core.errors import InvalidInput, NotFound
from jingwu.core.events import record
from jingwu.core.paging import page_of
from jingwu.identity import audit
from jingwu.identity.models import Officer

CHANNEL_LABELS = {"callback": "回访", "rating": "评价器", "hotline": "热线", "other": "其他"}
KIND_LABELS = {"banner": "锦旗", "letter": "感谢信", "other": "表扬"}


def check_period(
    kind: PeriodKind,
    *,
    anchor: date | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Period:
    if kind is PeriodKind.RANGE:
        if start is None or end is None:
            raise InvalidInput("请给出开始和结束日期 / give start and end", code="bad_period")
        return check_range(start, end)
    if anchor is None:
        raise InvalidInput("请给出日期 / give a date", code="bad_period")
    if not 1990 <= anchor.year <= 2200:
        raise InvalidInput("日期超出范围 / date out of range", code="bad_period")
    return period_of(kind, anchor)


def _check_refs(session: Session, *, officer_id: int | None, incident_id: int | None) -> None:
    if officer_id is not None and session.get(Officer, officer_id) is None:
        raise NotFound("没有这位民警 / no such officer", code="officer_not_found", id=officer_id)
    if incident_id is not None and session.get(Incident, incident_id) is None:
        raise NotFound("没有这起警情 / no such incident", code="incident_not_found", id=incident_id)


def do_record_commendation(
    session: Session, *, data: CommendationIn, officer_id: int
) -> Commendation:
    _check_refs(session, officer_id=data.officer_id, incident_id=data.incident_id)
    row = Commendation(**data.model_dump(), recorded_by_id=officer_id)
    session.add(row)
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action="commendation.record",
        entity="commendation",
        entity_id=row.id,
        detail={"kind": row.kind, "officer_id": row.officer_id},
    )
    record(
        session,
        CommendationRecorded(commendation_id=row.id, kind=row.kind, officer_id=row.officer_id),
    )
    return row


def do_record_feedback(session: Session, *, data: FeedbackIn, officer_id: int) -> PublicFeedback:
    _check_refs(session, officer_id=None, incident_id=data.incident_id)
    row = PublicFeedback(**data.model_dump(), recorded_by_id=officer_id)
    session.add(row)
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action="feedback.record",
        entity="public_feedback",
        entity_id=row.id,
        detail={"score": row.score, "channel": row.channel},
    )
    record(session, FeedbackRecorded(feedback_id=row.id, score=row.score))
    return row


def do_store_review(
    session: Session, *, period: Period, officer_id: int | None
) -> tuple[StoredReview, ReviewOut]:
    """Generate the review of a period and keep it; a second run replaces the first."""
    if period.kind is PeriodKind.RANGE:
        raise InvalidInput(
            "只保存日、周、月报 / only day, week and month reviews are kept", code="bad_period"
        )
    review = build_review(session, period=period)
    row = session.scalars(
        select(StoredReview).where(
            StoredReview.kind == period.kind.value, StoredReview.period_start == period.first
        )
    ).first()
    if row is None:
        row = StoredReview(
            kind=period.kind.value, period_start=period.first, period_end=period.last
        )
        session.add(row)
    row.payload = review.model_dump(mode="json")
    row.generated_at = utcnow()
    row.generated_by_id = officer_id
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action="review.generate",
        entity="analytics_review",
        entity_id=row.id,
        detail={"kind": row.kind, "period_start": period.first.isoformat()},
    )
    record(
        session,
        ReviewGenerated(
            review_id=row.id,
            kind=row.kind,
            period_start=period.first.isoformat(),
            total=review.total,
            unusual=[u.name for u in review.unusual],
        ),
    )
    return row, review


def stored_reviews(
    session: Session, *, kind: str | None = None, limit: int = 50
) -> list[StoredReview]:
    query = select(StoredReview)
    if kind:
        query = query.where(StoredReview.kind == kind)
    return list(session.scalars(query.order_by(StoredReview.period_start.desc()).limit(limit)))


def stored_review(session: Session, *, kind: str, first: date) -> ReviewOut | None:
    row = session.scalars(
        select(StoredReview).where(StoredReview.kind == kind, StoredReview.period_start == first)
    ).first()
    return None if row is None else ReviewOut.model_validate(row.payload)


def _incident_codes(figure: str | None, category: str | None) -> frozenset[str]:
    if category:
        codes = frozenset(c for c in CATEGORIES if c.startswith(category))
        if not codes:
            raise InvalidInput("未知的警情类别 / unknown category", code="unknown_category")
        return codes
    spec = FIGURES_BY_KEY.get(figure or "incidents")
    if spec is None or spec.records is None:
        raise InvalidInput(
            "该指标没有可下钻的记录 / this figure has no records to list",
            code="no_records",
            known=sorted(k for k, f in FIGURES_BY_KEY.items() if f.records),
        )
    return spec.codes


def records(
    session: Session,
    *,
    period: Period,
    figure: str | None = None,
    category: str | None = None,
    beat_id: int | None = None,
    community_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> RecordPage:
    """The records behind a figure: counted incidents, commendations or feedback."""
    spec = FIGURES_BY_KEY.get(figure or "incidents")
    kind = spec.records if spec and not category else "incidents"
    if kind == "commendations":
        return _commendation_page(session, period=period, page=page, per_page=per_page)
    if kind == "feedback":
        return _feedback_page(session, period=period, page=page, per_page=per_page)
    codes = _incident_codes(figure, category)
    query = select(Incident).where(
        Incident.reported_at >= period.start_utc,
        Incident.reported_at < period.end_utc,
        Incident.is_drill.is_(False),
        Incident.merged_into_id.is_(None),
        Incident.category_code.in_(sorted(codes)),
    )
    if beat_id:
        query = query.where(Incident.beat_id == beat_id)
    if community_id:
        query = query.where(Incident.community_id == community_id)
    rows, total = page_of(
        session,
        query,
        Incident.reported_at.desc(),
        Incident.id.desc(),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    title = label(category) if category else (spec.label if spec else "警情")
    return RecordPage(
        figure=figure or "incidents",
        label=title,
        items=[
            RecordOut(
                id=r.id,
                kind="incident",
                at=r.reported_at,
                title=f"{r.number} {label(r.category_code)}",
                place=r.address_text,
                detail=f"{format_local(r.reported_at)} · 优先级{r.priority} · {r.status}",
                url=f"/incidents/{r.id}",
            )
            for r in rows
        ],
        total=total,
        page=page,
        per_page=per_page,
    )


def _commendation_page(session: Session, *, period: Period, page: int, per_page: int) -> RecordPage:
    query = select(Commendation).where(
        Commendation.received_at >= period.start_utc, Commendation.received_at < period.end_utc
    )
    rows, total = page_of(
        session,
        query,
        Commendation.received_at.desc(),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return RecordPage(
        figure="commendations",
        label="锦旗及表扬",
        items=[
            RecordOut(
                id=r.id,
                kind="commendation",
                at=r.received_at,
                title=f"{KIND_LABELS.get(r.kind, r.kind)}：{r.words}",
                place=r.recipient,
                detail=f"{format_local(r.received_at)} · {r.giver}",
                url=f"/incidents/{r.incident_id}" if r.incident_id else None,
            )
            for r in rows
        ],
        total=total,
        page=page,
        per_page=per_page,
    )


def _feedback_page(session: Session, *, period: Period, page: int, per_page: int) -> RecordPage:
    query = select(PublicFeedback).where(
        PublicFeedback.received_at >= period.start_utc, PublicFeedback.received_at < period.end_utc
    )
    rows, total = page_of(
        session,
        query,
        PublicFeedback.received_at.desc(),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return RecordPage(
        figure="satisfaction",
        label="群众评价",
        items=[
            RecordOut(
                id=r.id,
                kind="feedback",
                at=r.received_at,
                title=f"{'★' * r.score}{'☆' * (5 - r.score)} {CHANNEL_LABELS.get(r.channel, r.channel)}",
                place="",
                detail=f"{format_local(r.received_at)} · {r.text[:200]}",
                url=f"/incidents/{r.incident_id}" if r.incident_id else None,
            )
            for r in rows
        ],
        total=total,
        page=page,
        per_page=per_page,
    )
