"""What the identity API reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jingwu.identity.roles import Role


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class OfficerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    team_id: int | None
    badge_no: str | None


class MeOut(OfficerOut):
    role_label: str
    permissions: list[str]
    csrf_token: str | None


class OfficerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=256)
    team_id: int | None = None
    badge_no: str | None = Field(default=None, max_length=32)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    officer_id: int | None = Field(default=None, description="for whom; yourself if omitted")


class TokenOut(BaseModel):
    token: str
    note: str = "只显示一次，请妥善保存 / shown once: store it safely"


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    officer_id: int | None
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    items: list[AuditOut]
    total: int


class AuditVerifyOut(BaseModel):
    intact: bool
    checked: int
    first_broken_id: int | None
