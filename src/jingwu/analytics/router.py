"""Analytics over HTTP: the board, the records behind it, reviews and exports, hotspots, beats."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from jingwu.analytics import service, station
from jingwu.analytics.export import review_pdf, review_xlsx
from jingwu.analytics.figures import board as board_of
from jingwu.analytics.models import Commendation, PublicFeedback
from jingwu.analytics.periods import PeriodKind, check_range, last_twelve_months
from jingwu.analytics.reviews import build_review, tile_out
from jingwu.analytics.schemas import (
    BeatComparisonOut,
    BoardOut,
    CommendationIn,
    CommendationOut,
    FeedbackIn,
    FeedbackOut,
    HotspotOut,
    RecordPage,
    ReviewOut,
    StoredReviewOut,
)
from jingwu.core.clock import to_local, utcnow
from jingwu.core.http import DbSession
from jingwu.identity.deps import require
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission

router = APIRouter(prefix="/api/analytics", tags=["analytics 研判"])
CanViewAnalytics = Annotated[Officer, Depends(require(Permission.ANALYTICS_VIEW))]
CanRecordAnalytics = Annotated[Officer, Depends(require(Permission.ANALYTICS_RECORD))]
ReviewKind = Literal["day", "week", "month"]
FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _today() -> date:
    return to_local(utcnow()).date()


def _range(start: date | None, end: date | None) -> tuple[date, date]:
    """Month to date unless told otherwise (records, reviews)."""
    today = _today()
    return start or today.replace(day=1), end or today


@router.get("/board", response_model=BoardOut, summary="所情看板：主要指标同比")
def board(
    session: DbSession,
    _viewer: CanViewAnalytics,
    start: date | None = None,
    end: date | None = None,
) -> BoardOut:
    last = end or _today()
    # the station's headline figures are annual: the board shows the last twelve months
    period = check_range(start, last) if start else last_twelve_months(last)
    before = period.year_before()
    tiles = []
    for tile in board_of(session, period=period):
        out = tile_out(tile)
        if out.records_url:
            out.records_url += f"&start={period.first}&end={period.last}"
        tiles.append(out)
    return BoardOut(
        period_label=period.label,
        start=period.first,
        end=period.last,
        year_before_start=before.first,
        year_before_end=before.last,
        tiles=tiles,
    )


@router.get("/records", response_model=RecordPage, summary="指标下钻：背后的记录")
def records(
    session: DbSession,
    _viewer: CanViewAnalytics,
    figure: str | None = Query(default=None, max_length=40),
    category: str | None = Query(default=None, min_length=2, max_length=8, pattern="^[0-9]+$"),
    beat_id: int | None = Query(default=None, ge=1),
    community_id: int | None = Query(default=None, ge=1),
    start: date | None = None,
    end: date | None = None,
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=50, ge=1, le=200),
) -> RecordPage:
    return service.records(
        session,
        period=check_range(*_range(start, end)),
        figure=figure,
        category=category,
        beat_id=beat_id,
        community_id=community_id,
        page=page,
        per_page=per_page,
    )


@router.get("/reviews", response_model=list[StoredReviewOut], summary="已生成的复盘/分析/总结")
def stored(
    session: DbSession, _viewer: CanViewAnalytics, kind: ReviewKind | None = None
) -> list[StoredReviewOut]:
    return [StoredReviewOut.model_validate(r) for r in service.stored_reviews(session, kind=kind)]


def _review(session: DbSession, kind: ReviewKind, on: date | None, fresh: bool) -> ReviewOut:
    period = service.check_period(PeriodKind(kind), anchor=on or _today())
    if not fresh:
        kept = service.stored_review(session, kind=kind, first=period.first)
        if kept is not None:
            return kept
    return build_review(session, period=period)


@router.get("/reviews/{kind}", response_model=ReviewOut, summary="每日复盘 / 每周分析 / 每月总结")
def review(
    kind: ReviewKind,
    session: DbSession,
    _viewer: CanViewAnalytics,
    on: date | None = Query(default=None, description="any day of the period; today if omitted"),
    fresh: bool = Query(default=False, description="recompute even if a stored review exists"),
) -> ReviewOut:
    return _review(session, kind, on, fresh)


@router.get(
    "/reviews/{kind}/export",
    summary="导出复盘（PDF / XLSX）",
    response_class=Response,
    responses={200: {"content": {v: {} for v in FILE_TYPES.values()}}},
)
def export(
    kind: ReviewKind,
    session: DbSession,
    _viewer: CanViewAnalytics,
    format: Literal["pdf", "xlsx"] = "pdf",
    on: date | None = None,
    fresh: bool = False,
) -> Response:
    result = _review(session, kind, on, fresh)
    body = review_pdf(result) if format == "pdf" else review_xlsx(result)
    filename = f"review-{kind}-{result.first.isoformat()}.{format}"
    return Response(
        body,
        media_type=FILE_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/reviews/{kind}", response_model=ReviewOut, status_code=201, summary="生成并保存复盘")
def generate(
    kind: ReviewKind,
    session: DbSession,
    officer: CanRecordAnalytics,
    on: date | None = None,
) -> ReviewOut:
    period = service.check_period(PeriodKind(kind), anchor=on or _today())
    _, result = service.do_store_review(session, period=period, officer_id=officer.id)
    return result


@router.get("/hotspots", response_model=HotspotOut, summary="热点预测（下一班次/日/周）")
def hotspots(
    session: DbSession,
    _viewer: CanViewAnalytics,
    model: Literal["sepp", "kde", "naive", "prospective"] = "sepp",
    horizon: Literal["shift", "day", "week"] = "day",
    start: datetime | None = Query(default=None, description="start of the window; now if omitted"),
) -> HotspotOut:
    moment = start or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=to_local(utcnow()).tzinfo)
    return station.hotspots(session, model=model, horizon=horizon, start=moment)


@router.get("/beats", response_model=BeatComparisonOut, summary="警务区划分方案比较")
def beats(
    session: DbSession,
    _viewer: CanViewAnalytics,
    k: int = Query(default=2, ge=1, le=12),
    days: int = Query(default=365, ge=7, le=1100),
    grid: int = Query(
        default=0, ge=0, le=30, description="0: whole communities; 10–30: a grid of n × n cells"
    ),
) -> BeatComparisonOut:
    until = utcnow() + timedelta(seconds=1)
    return station.beat_plans(session, k=k, until=until, days=days, grid=grid)


@router.post(
    "/commendations", response_model=CommendationOut, status_code=201, summary="登记锦旗/表扬"
)
def add_commendation(
    body: CommendationIn, session: DbSession, officer: CanRecordAnalytics
) -> Commendation:
    return service.do_record_commendation(session, data=body, officer_id=officer.id)


@router.post("/feedback", response_model=FeedbackOut, status_code=201, summary="登记群众评价")
def add_feedback(
    body: FeedbackIn, session: DbSession, officer: CanRecordAnalytics
) -> PublicFeedback:
    return service.do_record_feedback(session, data=body, officer_id=officer.id)
