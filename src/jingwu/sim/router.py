"""Drills (演练) and replay over HTTP."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from jingwu.core.http import DbSession
from jingwu.identity.deps import CanDispatch, CanViewIncidents
from jingwu.sim import drill, replay
from jingwu.sim.drill import (
    Debrief,
    DrillDispatchIn,
    DrillOut,
    DrillStart,
    DrillStepIn,
    DrillTriageIn,
)

router = APIRouter(prefix="/api", tags=["sim 演练与回放"])


@router.get("/drills/scripts", response_model=list[dict[str, str]], summary="演练脚本")
def drill_scripts(_viewer: CanDispatch) -> list[dict[str, str]]:
    return drill.list_scripts()


@router.post("/drills", response_model=DrillOut, status_code=201, summary="开始演练")
def start_drill(body: DrillStart, session: DbSession, officer: CanDispatch) -> DrillOut:
    incident = drill.do_start_drill(session, officer_id=officer.id, script_code=body.script)
    _incident, setup = drill.get_drill(session, incident_id=incident.id)
    return drill.describe(incident, setup)


@router.get("/drills/{incident_id}", response_model=DrillOut, summary="演练详情")
def get_drill(incident_id: int, session: DbSession, _viewer: CanDispatch) -> DrillOut:
    incident, setup = drill.get_drill(session, incident_id=incident_id)
    return drill.describe(incident, setup)


@router.post("/drills/{incident_id}/steps", response_model=DrillOut, summary="演练：记录操作步骤")
def drill_step(
    incident_id: int, body: DrillStepIn, session: DbSession, officer: CanDispatch
) -> DrillOut:
    incident, setup = drill.get_drill(session, incident_id=incident_id)
    drill.do_record_step(session, incident=incident, step=body.step, actor_id=officer.id)
    return drill.describe(incident, setup)


@router.post("/drills/{incident_id}/dispatch", response_model=Debrief, summary="演练：派警")
def drill_dispatch(
    incident_id: int, body: DrillDispatchIn, session: DbSession, officer: CanDispatch
) -> Debrief:
    incident, setup = drill.get_drill(session, incident_id=incident_id)
    drill.do_drill_dispatch(
        session,
        incident=incident,
        unit_ids=body.unit_ids,
        instruction=body.instruction,
        actor_id=officer.id,
    )
    return drill.debrief(session, incident=incident, setup=setup)


@router.post("/drills/{incident_id}/triage", response_model=Debrief, summary="演练：分流")
def drill_triage(
    incident_id: int, body: DrillTriageIn, session: DbSession, officer: CanDispatch
) -> Debrief:
    incident, setup = drill.get_drill(session, incident_id=incident_id)
    drill.do_drill_triage(
        session, incident=incident, route=body.route, reason=body.reason, actor_id=officer.id
    )
    return drill.debrief(session, incident=incident, setup=setup)


@router.get("/drills/{incident_id}/debrief", response_model=Debrief, summary="演练讲评")
def drill_debrief(incident_id: int, session: DbSession, _viewer: CanDispatch) -> Debrief:
    incident, setup = drill.get_drill(session, incident_id=incident_id)
    return drill.debrief(session, incident=incident, setup=setup)


@router.get("/replay", response_model=replay.ReplayDay, summary="回放某一天 / replay a past day")
def replay_day(
    session: DbSession,
    _viewer: CanViewIncidents,
    day: date = Query(description="local date, YYYY-MM-DD"),
) -> replay.ReplayDay:
    return replay.replay_day(session, day=day)
