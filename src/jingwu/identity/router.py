"""Login, logout, who am I, accounts, tokens, the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from jingwu.core.errors import AppError, Forbidden
from jingwu.core.http import AppSettings, DbSession
from jingwu.identity import audit, service
from jingwu.identity.deps import (
    SESSION_COOKIE,
    CanAudit,
    CanManageUsers,
    CanViewUnits,
    CurrentOfficer,
)
from jingwu.identity.roles import PERMISSIONS, ROLE_LABELS, Permission, Role, can
from jingwu.identity.schemas import (
    AuditOut,
    AuditPage,
    AuditVerifyOut,
    LoginIn,
    MeOut,
    OfficerCreate,
    OfficerOut,
    TokenIn,
    TokenOut,
)

router = APIRouter(prefix="/api", tags=["identity 身份与审计"])


def _me(officer: object, csrf_token: str | None) -> MeOut:
    base = OfficerOut.model_validate(officer)
    role = Role(base.role)
    return MeOut(
        **base.model_dump(),
        role_label=ROLE_LABELS[role],
        permissions=sorted(p.value for p in PERMISSIONS[role]),
        csrf_token=csrf_token,
    )


@router.post("/auth/login", response_model=MeOut, summary="登录 / log in (sets the session cookie)")
def login(
    body: LoginIn, response: Response, request: Request, session: DbSession, settings: AppSettings
) -> MeOut:
    try:
        officer = service.authenticate(
            session,
            username=body.username,
            password=body.password,
            max_failures=settings.login_max_failures,
            lockout_minutes=settings.login_lockout_minutes,
        )
    except AppError:
        session.commit()  # the failure count and its audit row outlive the refusal
        raise
    opened = service.open_session(session, officer=officer, hours=settings.session_hours)
    response.set_cookie(
        SESSION_COOKIE,
        opened.cookie,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=settings.session_hours * 3600,
    )
    return _me(officer, opened.csrf_token)


@router.post("/auth/logout", status_code=204, summary="退出 / log out")
def logout(request: Request, response: Response, session: DbSession, _me: CurrentOfficer) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        service.close_session(session, cookie=cookie)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me", response_model=MeOut, summary="当前用户 / who am I")
def me(request: Request, officer: CurrentOfficer) -> MeOut:
    return _me(officer, getattr(request.state, "csrf_token", None))


@router.get("/officers", response_model=list[OfficerOut], summary="警员列表 / officers")
def officers(
    session: DbSession,
    _viewer: CanViewUnits,
    role: Role | None = None,
) -> list[OfficerOut]:
    rows = service.list_officers(session, role=role.value if role else None)
    return [OfficerOut.model_validate(o) for o in rows]


@router.post("/officers", response_model=OfficerOut, status_code=201, summary="新建账号")
def create_officer(body: OfficerCreate, session: DbSession, admin: CanManageUsers) -> OfficerOut:
    officer = service.create_officer(session, **body.model_dump(), actor_id=admin.id)
    return OfficerOut.model_validate(officer)


@router.post("/tokens", response_model=TokenOut, status_code=201, summary="签发终端/接口令牌")
def issue_token(body: TokenIn, session: DbSession, officer: CurrentOfficer) -> TokenOut:
    owner = body.officer_id or officer.id
    if owner != officer.id and not can(officer.role, Permission.USER_MANAGE):
        raise Forbidden("只能为自己签发令牌 / you may issue tokens for yourself only")
    service.get_officer(session, officer_id=owner)
    return TokenOut(
        token=service.issue_token(session, officer_id=owner, name=body.name, actor_id=officer.id)
    )


@router.get("/audit", response_model=AuditPage, summary="审计日志 / the audit log (read-only)")
def audit_log(
    session: DbSession,
    _auditor: CanAudit,
    entity: str | None = Query(default=None, max_length=64),
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=50, ge=1, le=500),
) -> AuditPage:
    rows, total = audit.recent(session, limit=per_page, offset=(page - 1) * per_page, entity=entity)
    return AuditPage(items=[AuditOut.model_validate(r) for r in rows], total=total)


@router.get("/audit/verify", response_model=AuditVerifyOut, summary="校验审计链 / verify the chain")
def audit_verify(session: DbSession, _auditor: CanAudit) -> AuditVerifyOut:
    intact, checked, broken = audit.verify(session)
    return AuditVerifyOut(intact=intact, checked=checked, first_broken_id=broken)
