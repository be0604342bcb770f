"""The community team's pages: the officer's phone, the team leader's board, the partner portal."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jingwu.community import disputes, service, whistle
from jingwu.core.clock import utcnow
from jingwu.core.errors import AppError
from jingwu.core.http import DbSession
from jingwu.identity.roles import Permission, can
from jingwu.places import service as places_service
from jingwu.web.pages import _error_page, _page, _render

router = APIRouter(include_in_schema=False)


@router.get("/community", response_class=HTMLResponse)
def officer_phone(request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.COMMUNITY_VIEW)
    if isinstance(viewer, Response):
        return viewer
    return _render(
        request,
        "community.html",
        {
            "viewer": viewer,
            "communities": places_service.list_communities(session),
            "agencies": whistle.list_agencies(session),
            "can_manage": can(viewer.officer.role, Permission.COMMUNITY_MANAGE),
            "can_unmask": can(viewer.officer.role, Permission.PERSON_UNMASK),
        },
    )


@router.get("/community/disputes/{dispute_id}", response_class=HTMLResponse)
def dispute_page(dispute_id: int, request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.COMMUNITY_VIEW)
    if isinstance(viewer, Response):
        return viewer
    try:
        dispute = disputes.get_dispute(session, dispute_id=dispute_id)
    except AppError as exc:
        return _error_page(request, viewer, exc.message, status_code=404)
    return _render(
        request,
        "community_dispute.html",
        {
            "viewer": viewer,
            "d": disputes.describe_dispute(session, dispute=dispute, unmasked=False),
            "status_label": disputes.STATUS_LABELS,
            "risk_label": disputes.RISK_LABELS,
            "can_manage": can(viewer.officer.role, Permission.COMMUNITY_MANAGE),
        },
    )


@router.get("/community/board", response_class=HTMLResponse)
def team_board(request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.COMMUNITY_VIEW)
    if isinstance(viewer, Response):
        return viewer
    now = utcnow()
    beats = places_service.list_beats(session)
    rates = [
        (
            beat,
            disputes.dispute_resolution_rate(
                session,
                start=now - timedelta(days=30),
                end=now + timedelta(seconds=1),
                beat_id=beat.id,
            ),
        )
        for beat in beats
    ]
    open_rows, open_total = disputes.list_disputes(session, open_only=True, limit=20)
    overdue = service.list_key_persons(session, overdue_only=True)
    return _render(
        request,
        "community_board.html",
        {
            "viewer": viewer,
            "quality": service.information_quality(session),
            "rates": rates,
            "stability": service.stability_control_rate(session),
            "open_disputes": open_rows,
            "open_total": open_total,
            "overdue": [
                service.describe_key_person(session, person=p, unmasked=False) for p in overdue
            ],
            "partners": whistle.partner_stats(session),
            "whistles": [
                whistle.describe(session, r)
                for r in whistle.list_requests(session, open_only=True, limit=20)[0]
            ],
            "status_label": disputes.STATUS_LABELS,
            "whistle_label": whistle.STATUS_LABELS,
            "risk_label": disputes.RISK_LABELS,
        },
    )


@router.get("/partner", response_class=HTMLResponse)
def partner_portal(request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.WHISTLE_RESPOND)
    if isinstance(viewer, Response):
        return viewer
    try:
        agency = whistle.agency_of_partner(session, officer_id=viewer.officer.id)
    except AppError as exc:
        return _error_page(request, viewer, exc.message, status_code=403)
    return _render(request, "partner.html", {"viewer": viewer, "agency": agency})
