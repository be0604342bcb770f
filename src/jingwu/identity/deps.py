"""Who is asking: a browser session (cookie + CSRF token) or a bearer token."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from jingwu.core.db import Database
from jingwu.core.errors import Forbidden, Unauthorized
from jingwu.core.http import SAFE_METHODS, DbSession
from jingwu.identity import service
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission, can

SESSION_COOKIE = "jingwu_session"
CSRF_HEADER = "X-CSRF-Token"


def _current_officer(request: Request, session: DbSession) -> Officer:
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        officer = service.resolve_token(session, token=authorization[7:].strip())
        if officer is None:
            raise Unauthorized("令牌无效或已吊销 / token invalid or revoked", code="bad_token")
        return officer
    cookie = request.cookies.get(SESSION_COOKIE)
    browser = service.resolve_session(session, cookie=cookie) if cookie else None
    if browser is None:
        raise Unauthorized("请先登录 / please log in", code="not_logged_in")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, browser.csrf_token):
            raise Forbidden(
                "CSRF 校验失败，请刷新页面 / CSRF check failed: reload the page", code="csrf"
            )
    request.state.csrf_token = browser.csrf_token
    return service.get_officer(session, officer_id=browser.officer_id)


CurrentOfficer = Annotated[Officer, Depends(_current_officer)]


def _may(officer: Officer, permission: Permission) -> Officer:
    if not can(officer.role, permission):
        raise Forbidden(
            f"当前角色无权执行此操作 / your role may not do this ({permission.value})",
            code="forbidden",
            permission=permission.value,
        )
    return officer


def require(permission: Permission) -> Callable[[Officer], Officer]:
    def _check(officer: CurrentOfficer) -> Officer:
        return _may(officer, permission)

    return _check


def require_on_read_session(permission: Permission) -> Callable[[Request], Officer]:
    """Like :func:`require`, but resolves the caller on a short read-only session.

    For a write route that must not hold the request's write unit of work while it waits
    (position reports wait for the group commit, which needs the write lock itself). The
    returned officer is detached: its columns are loaded, its relationships are not.
    """

    def _check(request: Request) -> Officer:
        database: Database = request.app.state.db
        with database.session(write=False) as session:
            officer = _current_officer(request, session)
        return _may(officer, permission)

    return _check


CanViewIncidents = Annotated[Officer, Depends(require(Permission.INCIDENT_VIEW))]
CanIntake = Annotated[Officer, Depends(require(Permission.INCIDENT_INTAKE))]
CanDispatch = Annotated[Officer, Depends(require(Permission.INCIDENT_DISPATCH))]
CanRespond = Annotated[Officer, Depends(require(Permission.INCIDENT_RESPOND))]
CanClose = Annotated[Officer, Depends(require(Permission.INCIDENT_CLOSE))]
CanEvaluate = Annotated[Officer, Depends(require(Permission.INCIDENT_EVALUATE))]
CanViewUnits = Annotated[Officer, Depends(require(Permission.UNIT_VIEW))]
CanManageUnits = Annotated[Officer, Depends(require(Permission.UNIT_MANAGE))]
CanReportPosition = Annotated[Officer, Depends(require(Permission.UNIT_REPORT_POSITION))]
CanViewPlaces = Annotated[Officer, Depends(require(Permission.PLACE_VIEW))]
CanAudit = Annotated[Officer, Depends(require(Permission.AUDIT_VIEW))]
CanManageUsers = Annotated[Officer, Depends(require(Permission.USER_MANAGE))]
CanVideoPatrol = Annotated[Officer, Depends(require(Permission.VIDEO_PATROL))]
CanManageRoster = Annotated[Officer, Depends(require(Permission.ROSTER_MANAGE))]
CanReportKeySite = Annotated[Officer, Depends(require(Permission.KEYSITE_REPORT))]
CanViewCommunity = Annotated[Officer, Depends(require(Permission.COMMUNITY_VIEW))]
CanManageCommunity = Annotated[Officer, Depends(require(Permission.COMMUNITY_MANAGE))]
CanRespondWhistle = Annotated[Officer, Depends(require(Permission.WHISTLE_RESPOND))]
