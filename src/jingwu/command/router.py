"""Incidents over HTTP: intake, the queue, triage, dispatch, the loop's steps, alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from jingwu.command import intake, queries, service
from jingwu.command.categories import CATEGORIES
from jingwu.command.intake_http import IdempotencyKey, answer_intake
from jingwu.command.recommend import Recommendation, recommend
from jingwu.command.schemas import (
    AlertOut,
    CloseIn,
    DispatchIn,
    EvaluateIn,
    IncidentIn,
    IncidentOut,
    IncidentPage,
    IncidentSummary,
    MergeIn,
    ProgressIn,
    TriageIn,
)
from jingwu.command.states import IncidentStatus
from jingwu.core.errors import Forbidden
from jingwu.core.http import AppSettings, DbSession
from jingwu.identity.deps import (
    CanClose,
    CanDispatch,
    CanEvaluate,
    CanIntake,
    CanViewIncidents,
    CurrentOfficer,
)
from jingwu.identity.roles import Permission, can

router = APIRouter(prefix="/api", tags=["command 接处警"])


@router.get("/categories", summary="警情类别代码表 / the category code table")
def categories() -> list[dict[str, object]]:
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "parent": c.parent,
            "default_priority": c.default_priority,
            "criminal": c.criminal,
        }
        for c in CATEGORIES.values()
    ]


@router.post(
    "/incidents",
    response_model=IncidentOut,
    status_code=201,
    summary="接警 / take a call",
    responses={200: {"description": "a retry with the same Idempotency-Key: the first incident"}},
)
def take_call(
    body: IncidentIn,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    officer: CanIntake,
    idempotency_key: IdempotencyKey = None,
) -> IncidentOut:
    result = intake.do_intake(
        session,
        data=body,
        officer_id=officer.id,
        idempotency_key=idempotency_key,
        radius_m=settings.duplicate_radius_m,
        window_minutes=settings.duplicate_window_minutes,
    )
    return answer_intake(session, result=result, response=response)


@router.get("/incidents", response_model=IncidentPage, summary="警情队列 / the queue")
def incident_queue(
    session: DbSession,
    _viewer: CanViewIncidents,
    status: Annotated[list[IncidentStatus] | None, Query()] = None,
    open_only: bool = False,
    priority: int | None = Query(default=None, ge=1, le=4),
    category: str | None = Query(default=None, max_length=8),
    beat_id: int | None = Query(default=None, ge=1),
    q: str | None = Query(default=None, max_length=100),
    include_drills: bool = False,
    sort: str = Query(default="priority", pattern="^(priority|newest|oldest)$"),
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=50, ge=1, le=200),
) -> IncidentPage:
    rows, total = queries.list_incidents(
        session,
        statuses=[s.value for s in status] if status else None,
        open_only=open_only,
        priority=priority,
        category=category,
        beat_id=beat_id,
        text=q,
        include_drills=include_drills,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return IncidentPage(
        items=[queries.summarize(i) for i in rows], total=total, page=page, per_page=per_page
    )


@router.get("/incidents/alerts", response_model=list[AlertOut], summary="超时告警 / overdue")
def alerts(session: DbSession, settings: AppSettings, _viewer: CanViewIncidents) -> list[AlertOut]:
    return queries.current_alerts(
        session,
        ack_limit_s=settings.ack_limit_seconds,
        on_scene_limit_s=settings.on_scene_limit_seconds,
    )


@router.get("/incidents/assigned", response_model=list[IncidentOut], summary="我的出警任务")
def my_orders(session: DbSession, officer: CurrentOfficer) -> list[IncidentOut]:
    """The crew terminal's order list: open incidents its units are on."""
    return [
        queries.describe(session, incident=incident)
        for incident in queries.orders_for_officer(session, officer_id=officer.id)
    ]


@router.get(
    "/incidents/similar", response_model=list[IncidentSummary], summary="录入前查重 / duplicates"
)
def similar(
    session: DbSession,
    settings: AppSettings,
    _viewer: CanViewIncidents,
    category_code: str = Query(min_length=2, max_length=8),
    lat: float | None = Query(default=None, ge=-90, le=90),
    lon: float | None = Query(default=None, ge=-180, le=180),
    address_text: str = Query(default="", max_length=200),
) -> list[IncidentSummary]:
    matches = intake.similar_open_incidents(
        session,
        category_code=category_code,
        lat=lat,
        lon=lon,
        address_text=address_text,
        radius_m=settings.duplicate_radius_m,
        window_minutes=settings.duplicate_window_minutes,
    )
    return [queries.summarize(i) for i in matches]


@router.get("/callers/{phone}/history", response_model=list[IncidentSummary], summary="来电历史")
def caller_history(
    phone: str, session: DbSession, _viewer: CanViewIncidents
) -> list[IncidentSummary]:
    return [queries.summarize(i) for i in queries.earlier_calls(session, phone=phone[:20])]


@router.get("/incidents/{incident_id}", response_model=IncidentOut, summary="警情详情与时间线")
def get_incident(incident_id: int, session: DbSession, officer: CurrentOfficer) -> IncidentOut:
    incident = intake.get_incident(session, incident_id=incident_id)
    if not can(officer.role, Permission.INCIDENT_VIEW) and not queries.is_on_incident(
        session, incident_id=incident_id, officer_id=officer.id
    ):
        raise Forbidden("无权查看此警情 / not yours to see", code="forbidden")
    return queries.describe(session, incident=incident)


@router.get(
    "/incidents/{incident_id}/recommendations",
    response_model=list[Recommendation],
    summary="推荐警力（按到达时间）",
)
def recommendations(
    incident_id: int,
    session: DbSession,
    _viewer: CanViewIncidents,
    kind: Annotated[list[str] | None, Query(max_length=8)] = None,
) -> list[Recommendation]:
    incident = intake.get_incident(session, incident_id=incident_id)
    return recommend(session, incident=incident, kinds=set(kind) if kind else None)


@router.post("/incidents/{incident_id}/triage", response_model=IncidentOut, summary="分流")
def triage(
    incident_id: int, body: TriageIn, session: DbSession, officer: CanDispatch
) -> IncidentOut:
    incident = intake.get_incident(session, incident_id=incident_id)
    service.do_triage(
        session, incident=incident, route=body.route, reason=body.reason, actor_id=officer.id
    )
    return queries.describe(session, incident=incident)


@router.post("/incidents/{incident_id}/dispatch", response_model=IncidentOut, summary="派警")
def dispatch(
    incident_id: int, body: DispatchIn, session: DbSession, officer: CanDispatch
) -> IncidentOut:
    incident = intake.get_incident(session, incident_id=incident_id)
    service.do_dispatch(
        session,
        incident=incident,
        unit_ids=body.unit_ids,
        instruction=body.instruction,
        actor_id=officer.id,
    )
    return queries.describe(session, incident=incident)


@router.post(
    "/incidents/{incident_id}/progress",
    response_model=IncidentOut,
    summary="签收 / 出发 / 到场 / 报告完毕（车组或调度代录）",
)
def progress(
    incident_id: int, body: ProgressIn, session: DbSession, officer: CurrentOfficer
) -> IncidentOut:
    if not (
        can(officer.role, Permission.INCIDENT_RESPOND)
        or can(officer.role, Permission.INCIDENT_DISPATCH)
    ):
        raise Forbidden("当前角色不能反馈出警 / your role may not report on incidents")
    incident = intake.get_incident(session, incident_id=incident_id)
    unit_id = service.resolve_acting_unit(
        session, incident=incident, officer=officer, unit_id=body.unit_id
    )
    service.do_progress(
        session,
        incident=incident,
        unit_id=unit_id,
        target=body.status,
        feedback=body.feedback,
        actor_id=officer.id,
    )
    return queries.describe(session, incident=incident)


@router.post("/incidents/{incident_id}/close", response_model=IncidentOut, summary="结警")
def close(incident_id: int, body: CloseIn, session: DbSession, officer: CanClose) -> IncidentOut:
    incident = intake.get_incident(session, incident_id=incident_id)
    service.do_close(session, incident=incident, note=body.note, actor_id=officer.id)
    return queries.describe(session, incident=incident)


@router.post("/incidents/{incident_id}/evaluate", response_model=IncidentOut, summary="评估")
def evaluate(
    incident_id: int, body: EvaluateIn, session: DbSession, officer: CanEvaluate
) -> IncidentOut:
    incident = intake.get_incident(session, incident_id=incident_id)
    service.do_evaluate(
        session, incident=incident, score=body.score, note=body.note, actor_id=officer.id
    )
    return queries.describe(session, incident=incident)


@router.post("/incidents/{incident_id}/merge", response_model=IncidentOut, summary="合并重复报警")
def merge(incident_id: int, body: MergeIn, session: DbSession, officer: CanDispatch) -> IncidentOut:
    duplicate = intake.get_incident(session, incident_id=incident_id)
    into = intake.get_incident(session, incident_id=body.into_incident_id)
    intake.do_merge(session, duplicate=duplicate, into=into, actor_id=officer.id)
    return queries.describe(session, incident=into)
