"""Accounts, login with lockout, browser sessions and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.core.clock import as_utc, utcnow
from jingwu.core.errors import Conflict, InvalidInput, NotFound, TooManyAttempts, Unauthorized
from jingwu.identity import audit
from jingwu.identity.models import ApiToken, BrowserSession, Officer, Team
from jingwu.identity.roles import Role

_hasher = PasswordHasher()
MIN_PASSWORD = 8


def use_fast_hashing() -> None:
    """Cheap argon2 parameters, for test suites and scenario generation only."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def get_or_create_team(session: Session, *, kind: str, name: str) -> Team:
    team = session.scalars(select(Team).where(Team.name == name)).first()
    if team is None:
        team = Team(kind=kind, name=name)
        session.add(team)
        session.flush()
    return team


def create_officer(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    team_id: int | None = None,
    badge_no: str | None = None,
    phone: str | None = None,
    actor_id: int | None = None,
) -> Officer:
    try:
        role = Role(role)
    except ValueError as exc:
        raise InvalidInput(f"未知角色 / unknown role: {role}", code="unknown_role") from exc
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("密码至少 8 位 / password needs 8+ characters", code="weak_password")
    if session.scalars(select(Officer).where(Officer.username == username)).first():
        raise Conflict(f"用户名已存在 / username taken: {username}", code="username_taken")
    officer = Officer(
        username=username,
        display_name=display_name,
        role=role.value,
        team_id=team_id,
        badge_no=badge_no,
        phone=phone,
        password_hash=_hasher.hash(password),
    )
    session.add(officer)
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="officer.create",
        entity="officer",
        entity_id=officer.id,
        detail={"username": username, "role": role.value},
    )
    return officer


def get_officer(session: Session, *, officer_id: int) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise NotFound(f"警员不存在 / no officer {officer_id}")
    return officer


def list_officers(session: Session, *, role: str | None = None) -> list[Officer]:
    query = select(Officer).order_by(Officer.id)
    if role:
        query = query.where(Officer.role == role)
    return list(session.scalars(query).all())


def authenticate(
    session: Session, *, username: str, password: str, max_failures: int, lockout_minutes: int
) -> Officer:
    """Check a password; repeated failures lock the account for a while."""
    officer = session.scalars(select(Officer).where(Officer.username == username)).first()
    now = utcnow()
    if officer is None or not officer.active:
        _hasher.hash(password)  # same cost whether or not the name exists
        raise Unauthorized("用户名或密码错误 / wrong username or password", code="bad_credentials")
    if officer.locked_until and as_utc(officer.locked_until) > now:
        raise TooManyAttempts(
            "登录失败次数过多，账号已暂时锁定 / too many failures: account locked for a while",
            code="account_locked",
            locked_until=officer.locked_until.isoformat(),
        )
    try:
        _hasher.verify(officer.password_hash, password)
    except (VerificationError, InvalidHashError):
        officer.failed_logins += 1
        if officer.failed_logins >= max_failures:
            officer.locked_until = now + timedelta(minutes=lockout_minutes)
            officer.failed_logins = 0
        audit.write(
            session,
            officer_id=officer.id,
            action="login.failed",
            entity="officer",
            entity_id=officer.id,
        )
        raise Unauthorized(
            "用户名或密码错误 / wrong username or password", code="bad_credentials"
        ) from None
    officer.failed_logins = 0
    officer.locked_until = None
    return officer


@dataclass(frozen=True)
class OpenedSession:
    cookie: str
    csrf_token: str
    officer: Officer


def open_session(session: Session, *, officer: Officer, hours: int) -> OpenedSession:
    cookie = secrets.token_urlsafe(32)
    row = BrowserSession(
        id=_sha256(cookie),
        officer_id=officer.id,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    audit.write(
        session, officer_id=officer.id, action="login", entity="officer", entity_id=officer.id
    )
    return OpenedSession(cookie=cookie, csrf_token=row.csrf_token, officer=officer)


def resolve_session(session: Session, *, cookie: str) -> BrowserSession | None:
    row = session.get(BrowserSession, _sha256(cookie))
    if row is None or as_utc(row.expires_at) <= utcnow():
        return None
    return row


def close_session(session: Session, *, cookie: str) -> None:
    row = session.get(BrowserSession, _sha256(cookie))
    if row is not None:
        audit.write(
            session,
            officer_id=row.officer_id,
            action="logout",
            entity="officer",
            entity_id=row.officer_id,
        )
        session.delete(row)


def issue_token(session: Session, *, officer_id: int, name: str, actor_id: int | None) -> str:
    token = "jw_" + secrets.token_urlsafe(32)
    session.add(ApiToken(officer_id=officer_id, name=name, token_hash=_sha256(token)))
    audit.write(
        session,
        officer_id=actor_id,
        action="token.issue",
        entity="officer",
        entity_id=officer_id,
        detail={"name": name},
    )
    return token


def resolve_token(session: Session, *, token: str) -> Officer | None:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _sha256(token))).first()
    if row is None or row.revoked:
        return None
    officer = session.get(Officer, row.officer_id)
    return officer if officer is not None and officer.active else None
