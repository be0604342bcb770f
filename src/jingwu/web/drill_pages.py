"""Pages for drill mode (演练) and replay (回放); their data comes from the sim API."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jingwu.core.clock import to_local, utcnow
from jingwu.core.http import DbSession
from jingwu.identity.roles import Permission
from jingwu.web.pages import _page, _render

router = APIRouter(include_in_schema=False)


@router.get("/drill", response_class=HTMLResponse)
def drill_page(request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.INCIDENT_DISPATCH)
    if isinstance(viewer, Response):
        return viewer
    return _render(request, "drill.html", {"viewer": viewer})


@router.get("/replay", response_class=HTMLResponse)
def replay_page(request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.INCIDENT_VIEW)
    if isinstance(viewer, Response):
        return viewer
    yesterday = (to_local(utcnow()) - timedelta(days=1)).date().isoformat()
    return _render(request, "replay.html", {"viewer": viewer, "yesterday": yesterday})
