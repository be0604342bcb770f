"""The analyst's and the chief's pages: board, reviews, hotspots, beat plans, records."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jingwu.core.http import AppSettings, DbSession
from jingwu.identity.roles import Permission, can
from jingwu.web.pages import _page, _render

router = APIRouter(include_in_schema=False)


def _analytics_page(
    request: Request, session: DbSession, template: str, **extra: object
) -> Response:
    viewer = _page(request, session, Permission.ANALYTICS_VIEW)
    if isinstance(viewer, Response):
        return viewer
    return _render(
        request,
        template,
        {
            "viewer": viewer,
            "can_record": can(viewer.officer.role, Permission.ANALYTICS_RECORD),
            **extra,
        },
    )


@router.get("/analytics", response_class=HTMLResponse)
def board_page(request: Request, session: DbSession) -> Response:
    return _analytics_page(request, session, "board.html")


@router.get("/analytics/review", response_class=HTMLResponse)
def review_page(request: Request, session: DbSession) -> Response:
    return _analytics_page(request, session, "analytics_review.html")


@router.get("/analytics/records", response_class=HTMLResponse)
def records_page(request: Request, session: DbSession) -> Response:
    return _analytics_page(request, session, "analytics_records.html")


@router.get("/analytics/hotspots", response_class=HTMLResponse)
def hotspots_page(request: Request, session: DbSession, settings: AppSettings) -> Response:
    return _analytics_page(
        request,
        session,
        "analytics_hotspots.html",
        tile_url=settings.tile_url,
        tile_gcj02=settings.tile_gcj02,
    )


@router.get("/analytics/beats", response_class=HTMLResponse)
def beats_page(request: Request, session: DbSession) -> Response:
    return _analytics_page(request, session, "analytics_beats.html")
