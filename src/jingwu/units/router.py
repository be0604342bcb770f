"""Units over HTTP and WebSocket: the list, positions from terminals, status."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from jingwu.core.db import Database
from jingwu.core.errors import AppError
from jingwu.core.http import DbSession
from jingwu.identity import service as identity_service
from jingwu.identity.deps import (
    CanManageUnits,
    CanViewUnits,
    CurrentOfficer,
    require_on_read_session,
)
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission, can
from jingwu.units import service
from jingwu.units.batching import PositionBatcher
from jingwu.units.models import UnitStatus
from jingwu.units.schemas import PositionIn, PositionOut, StatusIn, UnitCreate, UnitOut

router = APIRouter(prefix="/api/units", tags=["units 警力"])


@router.get("", response_model=list[UnitOut], summary="警力列表（含实时位置与状态）")
def list_units(
    session: DbSession,
    _viewer: CanViewUnits,
    status: UnitStatus | None = None,
    beat_id: int | None = Query(default=None, ge=1),
) -> list[UnitOut]:
    units = service.list_units(session, status=status.value if status else None, beat_id=beat_id)
    return service.describe(session, units)


@router.get("/mine", response_model=list[UnitOut], summary="我的车组 / the caller's own units")
def my_units(session: DbSession, officer: CurrentOfficer) -> list[UnitOut]:
    return service.describe(session, service.units_of_officer(session, officer_id=officer.id))


@router.post("", response_model=UnitOut, status_code=201, summary="新建警力单元")
def create_unit(body: UnitCreate, session: DbSession, manager: CanManageUnits) -> UnitOut:
    unit = service.create_unit(session, **body.model_dump(), actor_id=manager.id)
    return service.describe(session, [unit])[0]


@router.get("/{unit_id}", response_model=UnitOut, summary="单元详情")
def get_unit(unit_id: int, session: DbSession, _viewer: CanViewUnits) -> UnitOut:
    return service.describe(session, [service.get_unit(session, unit_id=unit_id)])[0]


@router.post("/{unit_id}/status", response_model=UnitOut, summary="上下班（空闲/下班）")
def set_status(
    unit_id: int, body: StatusIn, session: DbSession, officer: CurrentOfficer
) -> UnitOut:
    unit = service.get_unit(session, unit_id=unit_id)
    if not can(officer.role, Permission.UNIT_MANAGE):
        service.check_may_speak_for(session, unit=unit, officer=officer)
    if body.status not in (UnitStatus.AVAILABLE, UnitStatus.OFF_DUTY):
        raise AppError(
            "任务状态由警情流程驱动 / task states follow the incident", code="use_incident"
        )
    if unit.current_incident_id is not None:
        raise AppError("处警中，不能改变上下班状态 / busy on an incident", code="unit_busy")
    service.do_set_status(session, unit=unit, status=body.status, actor_id=officer.id)
    return service.describe(session, [unit])[0]


def _check_reporter(session: Session, *, unit_id: int, officer: Officer) -> None:
    unit = service.get_unit(session, unit_id=unit_id)
    service.check_may_speak_for(session, unit=unit, officer=officer)


# resolved on a read session: the request must not hold the write lock while it waits
Reporter = Annotated[Officer, Depends(require_on_read_session(Permission.UNIT_REPORT_POSITION))]


def _batcher(app: FastAPI | Starlette) -> PositionBatcher | None:
    batcher: PositionBatcher | None = getattr(app.state, "positions", None)
    return batcher if batcher is not None and batcher.running else None


@router.post(
    "/{unit_id}/positions",
    response_model=PositionOut,
    status_code=201,
    summary="上报位置（终端）/ report a position",
    responses={503: {"description": "定位写入繁忙或失败，未保存 / busy, not stored: retry"}},
)
def report_position(
    unit_id: int, body: PositionIn, request: Request, officer: Reporter
) -> PositionOut:
    """201 only once the fix is committed. With the app's position writer running, the fix is
    checked on a read session, then group-committed with others (see units.batching)."""
    database: Database = request.app.state.db
    batcher = _batcher(request.app)
    if batcher is None:  # no lifespan (tests, CLI): one transaction for this fix
        with database.session() as session:
            _check_reporter(session, unit_id=unit_id, officer=officer)
            unit = service.get_unit(session, unit_id=unit_id)
            fix = service.do_report_position(session, unit=unit, position=body, source="http")
            return PositionOut.model_validate(fix)
    with database.session(write=False) as session:
        _check_reporter(session, unit_id=unit_id, officer=officer)
        service.check_position(position=body)
    return batcher.submit(unit_id=unit_id, position=body, source="http")


@router.get("/{unit_id}/positions", response_model=list[PositionOut], summary="轨迹 / history")
def history(
    unit_id: int,
    session: DbSession,
    _viewer: CanViewUnits,
    limit: int = Query(default=200, ge=1, le=5000),
) -> list[PositionOut]:
    service.get_unit(session, unit_id=unit_id)
    return [
        PositionOut.model_validate(p)
        for p in service.position_history(session, unit_id=unit_id, limit=limit)
    ]


def _may_stream(database: Database, *, unit_id: int, bearer: str) -> bool:
    with database.session(write=False) as session:
        officer = identity_service.resolve_token(session, token=bearer) if bearer else None
        if officer is None or not can(officer.role, Permission.UNIT_REPORT_POSITION):
            return False
        try:
            unit = service.get_unit(session, unit_id=unit_id)
            service.check_may_speak_for(session, unit=unit, officer=officer)
        except AppError:
            return False
        return True


def _store_fix(
    database: Database, batcher: PositionBatcher | None, *, unit_id: int, raw: str
) -> dict[str, object]:
    try:
        position = PositionIn.model_validate(json.loads(raw))
        if batcher is not None:
            with database.session(write=False) as session:
                service.get_unit(session, unit_id=unit_id)
                service.check_position(position=position)
            return {
                "ok": True,
                "at": batcher.submit(
                    unit_id=unit_id, position=position, source="ws"
                ).at.isoformat(),
            }
        with database.session() as session:
            unit = service.get_unit(session, unit_id=unit_id)
            fix = service.do_report_position(session, unit=unit, position=position, source="ws")
            return {"ok": True, "at": fix.at.isoformat()}
    except (ValueError, ValidationError) as exc:
        return {"ok": False, "error": {"code": "invalid_input", "message": str(exc)[:300]}}
    except AppError as exc:
        return {"ok": False, **exc.body()}


@router.websocket("/{unit_id}/positions/ws")
async def position_stream(websocket: WebSocket, unit_id: int, token: str = "") -> None:
    """A terminal streams fixes as JSON, one per message; each gets an ack or an error back."""
    database: Database = websocket.app.state.db
    bearer = token or websocket.headers.get("authorization", "")[7:]
    if not await run_in_threadpool(_may_stream, database, unit_id=unit_id, bearer=bearer):
        await websocket.close(code=4403, reason="not allowed to report for this unit")
        return
    await websocket.accept()
    try:
        while True:
            raw = await websocket.receive_text()
            reply = await run_in_threadpool(
                _store_fix, database, _batcher(websocket.app), unit_id=unit_id, raw=raw
            )
            await websocket.send_json(reply)
    except WebSocketDisconnect:
        return
