"""The fire squad's pages: the watch room (值班室) and the crew's phone."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from jingwu.command.categories import CATEGORIES
from jingwu.core.http import AppSettings, DbSession
from jingwu.fire import operations, record, service
from jingwu.identity.roles import Permission, can
from jingwu.units import service as units_service
from jingwu.web.pages import _page, _render

router = APIRouter(include_in_schema=False)


def _fire_categories() -> list[tuple[str, str]]:
    return [
        (c.code, f"{c.code} {c.name}")
        for c in CATEGORIES.values()
        if c.code[:2] in operations.FIRE_CATEGORIES
    ]


@router.get("/fire", response_class=HTMLResponse)
def watch_room(request: Request, session: DbSession, settings: AppSettings) -> Response:
    viewer = _page(request, session, Permission.FIRE_VIEW)
    if isinstance(viewer, Response):
        return viewer
    role = viewer.officer.role
    return _render(
        request,
        "fire.html",
        {
            "viewer": viewer,
            "record": record.squad_record(session),
            "board": service.readiness_board(session),
            "routine": service.routine_today(session),
            "categories": _fire_categories(),
            "can_manage": can(role, Permission.FIRE_MANAGE),
            "can_dispatch": can(role, Permission.FIRE_DISPATCH),
            "tile_url": settings.tile_url,
            "tile_gcj02": settings.tile_gcj02,
        },
    )


@router.get("/fire/phone", response_class=HTMLResponse)
def crew_phone(request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.FIRE_VIEW)
    if isinstance(viewer, Response):
        return viewer
    member = service.member_for_officer(session, officer_id=viewer.officer.id)
    units = units_service.describe(
        session, units_service.units_of_officer(session, officer_id=viewer.officer.id)
    )
    return _render(
        request,
        "fire_phone.html",
        {
            "viewer": viewer,
            "member": service.describe_members(session, [member])[0] if member else None,
            "units": units,
            "routine": service.routine_today(session),
        },
    )
