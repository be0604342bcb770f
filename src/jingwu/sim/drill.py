"""Drill mode (演练): a dispatcher trains on a scripted call in a sandbox and gets a debrief.

A drill incident is a real incident row with `is_drill=True` (numbered YL…): the queue, the
figures and duplicate detection leave it out. Dispatching in a drill records the choice on the
incident's timeline and never touches a real unit. The ranking by ETA at the moment the call
came in is kept on the timeline, so the debrief compares the chosen unit with the best one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.command import intake
from jingwu.command import service as command_service
from jingwu.command.models import Incident, TimelineEntry
from jingwu.command.recommend import recommend
from jingwu.command.schemas import IncidentIn, PlainText
from jingwu.command.states import IncidentStatus, Route
from jingwu.command.timeline import note_step
from jingwu.core.clock import seconds_between, utcnow
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.units import service as units_service

FULL_MARKS_WITHIN_S = 60.0
NO_MARKS_AFTER_S = 300.0
STEP_LABELS = {
    "caller_history": "查看来电历史",
    "cameras": "调阅周边视频",
    "instruction": "下达处置指令",
    "duplicates": "核查重复报警",
}


@dataclass(frozen=True)
class DrillScript:
    code: str
    title: str
    category_code: str
    words: str
    address: str
    lat: float
    lon: float
    route: Route
    steps: tuple[str, ...]


SCRIPTS: tuple[DrillScript, ...] = (
    DrillScript(
        "crowd-fight",
        "纪念馆前坪打架",
        "0201",
        "纪念馆前坪两拨游客推搡，有人受伤，人很多",
        "雷锋纪念馆前坪",
        28.2318,
        112.8262,
        Route.PATROL,
        ("cameras", "instruction"),
    ),
    DrillScript(
        "burglary",
        "入室盗窃",
        "0106",
        "回家发现门锁被撬，家里翻得很乱",
        "雷锋街道天顶社区天顶路88号",
        28.2105,
        112.8361,
        Route.PATROL,
        ("caller_history", "instruction"),
    ),
    DrillScript(
        "metro-missing",
        "地铁站老人走失",
        "0501",
        "我爸爸在谢家桥地铁站走丢了，穿蓝色外套",
        "地铁6号线谢家桥站",
        28.2127,
        112.8561,
        Route.PATROL,
        ("cameras", "instruction"),
    ),
    DrillScript(
        "neighbours",
        "邻里漏水纠纷",
        "0401",
        "楼上漏水，邻居不肯修，两家吵起来了",
        "雷锋街道雷锋湖社区雷锋湖路12号",
        28.2355,
        112.8452,
        Route.COMMUNITY,
        ("caller_history",),
    ),
)


class DrillStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    script: str | None = Field(
        default=None, max_length=32, description="which drill; random if omitted"
    )


class DrillStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: str = Field(pattern="^(caller_history|cameras|duplicates)$")


class DrillDispatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_ids: list[int] = Field(min_length=1, max_length=10)
    instruction: PlainText = Field(default="", max_length=500)


class DrillTriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    route: Route
    reason: PlainText = Field(min_length=1, max_length=255)


class DrillOut(BaseModel):
    incident_id: int
    number: str
    title: str
    category_code: str
    words: str
    address: str
    lat: float
    lon: float
    reported_at: datetime
    status: str


class Debrief(BaseModel):
    incident_id: int
    number: str
    title: str
    score: int
    finished: bool
    seconds_to_decision: float | None
    time_points: int
    expected_route: str
    chosen_route: str | None
    chosen_unit: str | None
    chosen_eta_s: float | None
    best_unit: str | None
    best_eta_s: float | None
    unit_points: int
    steps_done: list[str]
    steps_missed: list[str]
    step_points: int
    advice: list[str]


def list_scripts() -> list[dict[str, str]]:
    return [{"code": s.code, "title": s.title} for s in SCRIPTS]


def _script(code: str | None, rng: random.Random) -> DrillScript:
    if code is None:
        return rng.choice(SCRIPTS)
    for script in SCRIPTS:
        if script.code == code:
            return script
    raise InvalidInput(
        f"没有这个演练脚本 / no drill {code[:32]}",
        code="unknown_drill",
        known=[s.code for s in SCRIPTS],
    )


def do_start_drill(
    session: Session, *, officer_id: int, script_code: str | None, seed: int | None = None
) -> Incident:
    script = _script(script_code, random.Random(seed))
    result = intake.do_intake(
        session,
        data=IncidentIn(
            category_code=script.category_code,
            caller_phone="13900000000",
            address_text=script.address,
            lat=script.lat,
            lon=script.lon,
            description=script.words,
            is_drill=True,
        ),
        officer_id=officer_id,
        idempotency_key=None,
        radius_m=0.0,
        window_minutes=0,
    )
    incident = result.incident
    ranking = recommend(session, incident=incident)
    note_step(
        session,
        incident=incident,
        kind="drill_started",
        actor_id=officer_id,
        text=f"演练开始：{script.title}",
        data={
            "script": script.code,
            "expected_route": script.route.value,
            "expected_steps": list(script.steps),
            "etas": {str(r.unit_id): r.eta_s for r in ranking},
            "call_signs": {str(r.unit_id): r.call_sign for r in ranking},
        },
    )
    session.flush()
    return incident


def get_drill(session: Session, *, incident_id: int) -> tuple[Incident, dict[str, Any]]:
    incident = session.get(Incident, incident_id)
    if incident is None or not incident.is_drill:
        raise NotFound(f"演练不存在 / no drill {incident_id}", code="drill_not_found")
    start = session.scalars(
        select(TimelineEntry).where(
            TimelineEntry.incident_id == incident_id, TimelineEntry.kind == "drill_started"
        )
    ).first()
    if start is None:
        raise NotFound("演练记录不完整 / drill has no start", code="drill_not_found")
    return incident, dict(start.data)


def describe(incident: Incident, setup: dict[str, Any]) -> DrillOut:
    script = _script(str(setup["script"]), random.Random(0))
    return DrillOut(
        incident_id=incident.id,
        number=incident.number,
        title=script.title,
        category_code=incident.category_code,
        words=incident.description,
        address=incident.address_text,
        lat=incident.lat or script.lat,
        lon=incident.lon or script.lon,
        reported_at=incident.reported_at,
        status=incident.status,
    )


def do_record_step(session: Session, *, incident: Incident, step: str, actor_id: int) -> None:
    note_step(
        session,
        incident=incident,
        kind="drill_step",
        actor_id=actor_id,
        text=f"演练：{STEP_LABELS.get(step, step)}",
        data={"step": step},
    )
    session.flush()


def _check_open(incident: Incident) -> None:
    if incident.status != IncidentStatus.RECEIVED.value:
        raise Conflict(
            "本次演练已作出处置决定 / this drill is already decided", code="drill_decided"
        )


def do_drill_dispatch(
    session: Session, *, incident: Incident, unit_ids: list[int], instruction: str, actor_id: int
) -> None:
    """Record the units the trainee would send; no real unit changes status."""
    _check_open(incident)
    call_signs = [units_service.get_unit(session, unit_id=u).call_sign for u in unit_ids]
    incident.status = IncidentStatus.DISPATCHED.value
    incident.route = Route.PATROL.value
    incident.dispatched_at = utcnow()
    note_step(
        session,
        incident=incident,
        kind="drill_dispatched",
        actor_id=actor_id,
        text=f"演练派警：{'、'.join(call_signs)}" + (f"，{instruction}" if instruction else ""),
        data={"unit_ids": list(unit_ids), "instruction": instruction},
    )
    session.flush()


def do_drill_triage(
    session: Session, *, incident: Incident, route: Route, reason: str, actor_id: int
) -> None:
    _check_open(incident)
    if route is Route.PATROL:
        raise InvalidInput(
            "巡逻处警请直接选派警力 / for patrol, pick the units to send", code="use_dispatch"
        )
    command_service.do_triage(
        session, incident=incident, route=route, reason=reason, actor_id=actor_id
    )


def debrief(session: Session, *, incident: Incident, setup: dict[str, Any]) -> Debrief:
    script = _script(str(setup["script"]), random.Random(0))
    entries = session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.incident_id == incident.id)
        .order_by(TimelineEntry.at, TimelineEntry.id)
    ).all()
    decision = next((e for e in entries if e.kind in ("drill_dispatched", "triaged")), None)
    seconds = seconds_between(incident.reported_at, decision.at) if decision else None
    time_points = 0
    if seconds is not None:
        share = (NO_MARKS_AFTER_S - max(seconds, FULL_MARKS_WITHIN_S)) / (
            NO_MARKS_AFTER_S - FULL_MARKS_WITHIN_S
        )
        time_points = round(40 * min(1.0, max(0.0, share)))
    etas: dict[str, float] = {k: float(v) for k, v in setup.get("etas", {}).items()}
    call_signs: dict[str, str] = setup.get("call_signs", {})
    best = min(etas, key=lambda k: etas[k]) if etas else None
    chosen_route = incident.route
    chosen_unit = chosen_eta = None
    unit_points = 0
    done: set[str] = set()
    if decision is not None and decision.kind == "drill_dispatched":
        unit_ids = [str(u) for u in decision.data.get("unit_ids", [])]
        timed = [u for u in unit_ids if u in etas]
        if timed:
            fastest = min(timed, key=lambda u: etas[u])
            chosen_unit, chosen_eta = call_signs.get(fastest, fastest), etas[fastest]
        if script.route is Route.PATROL and best is not None and chosen_eta:
            unit_points = round(30 * min(1.0, etas[best] / max(chosen_eta, 1.0)))
        if decision.data.get("instruction"):
            done.add("instruction")
    elif decision is not None and chosen_route == script.route.value:
        unit_points = 30
    done |= {str(e.data.get("step")) for e in entries if e.kind == "drill_step"}
    expected = list(script.steps)
    if script.route is not Route.PATROL:
        expected = [s for s in expected if s != "instruction"]
    missed = [s for s in expected if s not in done]
    step_points = round(30 * (len(expected) - len(missed)) / len(expected)) if expected else 30
    advice = []
    if seconds is None:
        advice.append("尚未作出处置决定 / no decision yet")
    elif seconds > FULL_MARKS_WITHIN_S:
        advice.append(f"从接警到派警用了 {seconds:.0f} 秒，目标 {FULL_MARKS_WITHIN_S:.0f} 秒内")
    if chosen_route and chosen_route != script.route.value:
        advice.append(f"本警情应分流至「{script.route.value}」")
    if best is not None and chosen_eta and etas[best] < chosen_eta:
        advice.append(
            f"最快到达的是 {call_signs.get(best, best)}（约 {etas[best] / 60:.0f} 分钟），"
            f"所选单元约 {chosen_eta / 60:.0f} 分钟"
        )
    advice += [f"漏掉步骤：{STEP_LABELS[s]}" for s in missed]
    return Debrief(
        incident_id=incident.id,
        number=incident.number,
        title=script.title,
        score=time_points + unit_points + step_points if decision else 0,
        finished=decision is not None,
        seconds_to_decision=seconds,
        time_points=time_points,
        expected_route=script.route.value,
        chosen_route=chosen_route,
        chosen_unit=chosen_unit,
        chosen_eta_s=chosen_eta,
        best_unit=call_signs.get(best, best) if best else None,
        best_eta_s=etas[best] if best else None,
        unit_points=unit_points,
        steps_done=[STEP_LABELS[s] for s in expected if s in done],
        steps_missed=[STEP_LABELS[s] for s in missed],
        step_points=step_points,
        advice=advice,
    )
