"""Server-rendered pages. Every value a user typed is escaped by Jinja's autoescape."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from jingwu.command import intake, queries
from jingwu.command.categories import CATEGORIES, label
from jingwu.command.states import ASSIGNMENT_LABELS, PRIORITY_LABELS, ROUTE_LABELS, STATUS_LABELS
from jingwu.core.clock import format_local, format_local_seconds
from jingwu.core.errors import AppError
from jingwu.core.http import AppSettings, DbSession
from jingwu.core.i18n import pick_locale, translate
from jingwu.identity import service as identity_service
from jingwu.identity.deps import SESSION_COOKIE
from jingwu.identity.models import Officer
from jingwu.identity.roles import ROLE_LABELS, Permission, Role, can
from jingwu.units import service as units_service

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
LOGIN_CSRF_COOKIE = "jingwu_login_csrf"
LANG_COOKIE = "jingwu_lang"
HOME_BY_ROLE = {
    Role.PATROL_CREW: "/terminal",
    Role.FIRE_CREW: "/fire",
    Role.COMMUNITY_OFFICER: "/community",
    Role.PARTNER: "/partner",
}

router = APIRouter(include_in_schema=False)


class _PageOfficer:
    """The officer behind a page request, with the CSRF token the page's scripts send back."""

    def __init__(self, officer: Officer, csrf_token: str) -> None:
        self.officer = officer
        self.csrf_token = csrf_token


def _page_officer(request: Request, session: DbSession) -> _PageOfficer | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    browser = identity_service.resolve_session(session, cookie=cookie)
    if browser is None:
        return None
    officer = identity_service.get_officer(session, officer_id=browser.officer_id)
    return _PageOfficer(officer, browser.csrf_token)


def _render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    locale = pick_locale(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )
    base = {
        "request": request,
        "_": lambda text: translate(text, locale),
        "locale": locale,
        "fmt_time": format_local,
        "fmt_seconds": format_local_seconds,
        "assignment_labels": ASSIGNMENT_LABELS,
        "category_label": label,
        "status_labels": {k.value: v for k, v in STATUS_LABELS.items()},
        "route_labels": {k.value: v for k, v in ROUTE_LABELS.items()},
        "priority_labels": PRIORITY_LABELS,
        "role_labels": {k.value: v for k, v in ROLE_LABELS.items()},
    }
    response = TEMPLATES.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, locale, samesite="lax", max_age=365 * 86400)
    return response


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession) -> Response:
    viewer = _page_officer(request, session)
    if viewer is None:
        return _to_login(request)
    return RedirectResponse(
        HOME_BY_ROLE.get(Role(viewer.officer.role), "/console"), status_code=303
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = _render(request, "login.html", {"csrf_token": token, "next": _safe_next(next) or ""})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=3600)
    return response


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    username: str = Form(max_length=64),
    password: str = Form(max_length=256),
    csrf_token: str = Form(max_length=64),
    next: str = Form(default="", max_length=200),
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _render(
            request,
            "login.html",
            {
                "csrf_token": expected,
                "next": next,
                "error": "页面已过期，请重新登录 / the page expired",
            },
            status_code=403,
        )
    try:
        officer = identity_service.authenticate(
            session,
            username=username,
            password=password,
            max_failures=settings.login_max_failures,
            lockout_minutes=settings.login_lockout_minutes,
        )
    except AppError as exc:
        session.commit()  # keep the failure count even though the page shows an error
        return _render(
            request,
            "login.html",
            {"csrf_token": expected, "next": next, "error": exc.message, "username": username},
            status_code=exc.status_code,
        )
    opened = identity_service.open_session(session, officer=officer, hours=settings.session_hours)
    target = _safe_next(next) or HOME_BY_ROLE.get(Role(officer.role), "/console")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.cookie,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=settings.session_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, csrf_token: str = Form(max_length=64)) -> Response:
    viewer = _page_officer(request, session)
    cookie = request.cookies.get(SESSION_COOKIE)
    if viewer and not hmac.compare_digest(viewer.csrf_token, csrf_token):
        return RedirectResponse("/", status_code=303)  # a forged post: the session stays
    if viewer and cookie:
        identity_service.close_session(session, cookie=cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _error_page(
    request: Request, viewer: _PageOfficer, message: str, *, status_code: int
) -> HTMLResponse:
    """The error page a signed-in officer sees: a record not found (404), a page not theirs (403)."""
    return _render(
        request, "error.html", {"viewer": viewer, "message": message}, status_code=status_code
    )


def _page(request: Request, session: DbSession, permission: Permission) -> _PageOfficer | Response:
    viewer = _page_officer(request, session)
    if viewer is None:
        return _to_login(request)
    if not can(viewer.officer.role, permission):
        return _error_page(
            request,
            viewer,
            "当前角色无权访问此页面 / your role may not open this page",
            status_code=403,
        )
    return viewer


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, session: DbSession, settings: AppSettings) -> Response:
    viewer = _page(request, session, Permission.INCIDENT_VIEW)
    if isinstance(viewer, Response):
        return viewer
    top = {c.code: c for c in CATEGORIES.values()}
    return _render(
        request,
        "console.html",
        {
            "viewer": viewer,
            "categories": list(top.values()),
            "can_dispatch": can(viewer.officer.role, Permission.INCIDENT_DISPATCH),
            "can_intake": can(viewer.officer.role, Permission.INCIDENT_INTAKE),
            "ack_limit": settings.ack_limit_seconds,
            "call_ack": settings.call_ack_seconds,
            "tile_url": settings.tile_url,
            "tile_gcj02": settings.tile_gcj02,
        },
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(incident_id: int, request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.INCIDENT_VIEW)
    if isinstance(viewer, Response):
        return viewer
    try:
        incident = intake.get_incident(session, incident_id=incident_id)
    except AppError as exc:
        return _error_page(request, viewer, exc.message, status_code=404)
    return _render(
        request,
        "incident.html",
        {"viewer": viewer, "incident": queries.describe(session, incident=incident)},
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, session: DbSession, settings: AppSettings) -> Response:
    viewer = _page(request, session, Permission.PLACE_VIEW)
    if isinstance(viewer, Response):
        return viewer
    return _render(
        request,
        "map.html",
        {
            "viewer": viewer,
            "tile_url": settings.tile_url,
            "tile_gcj02": settings.tile_gcj02,
            "can_see_incidents": can(viewer.officer.role, Permission.INCIDENT_VIEW),
        },
    )


@router.get("/room", response_class=HTMLResponse)
def duty_room(request: Request, session: DbSession) -> Response:
    """值班室: seats and handover, video patrol rounds, key-site watch."""
    viewer = _page(request, session, Permission.INCIDENT_VIEW)
    if isinstance(viewer, Response):
        return viewer
    return _render(request, "room.html", {"viewer": viewer})


@router.get("/terminal", response_class=HTMLResponse)
def terminal(request: Request, session: DbSession) -> Response:
    viewer = _page(request, session, Permission.INCIDENT_RESPOND)
    if isinstance(viewer, Response):
        return viewer
    units = units_service.describe(
        session, units_service.units_of_officer(session, officer_id=viewer.officer.id)
    )
    return _render(request, "terminal.html", {"viewer": viewer, "units": units})
