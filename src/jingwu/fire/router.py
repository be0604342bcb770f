"""The fire squad over HTTP: means and readiness, run cards, calls, operations, the record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from jingwu.command import intake as command_intake
from jingwu.command.intake_http import IdempotencyKey, answer_intake
from jingwu.command.schemas import IncidentOut
from jingwu.core.http import AppSettings, DbSession
from jingwu.fire import operations, record, service
from jingwu.fire.models import OperationStatus
from jingwu.fire.schemas import (
    ApparatusCreate,
    ApparatusOut,
    FireCallIn,
    FireIncidentOut,
    HazardPlanIn,
    HazardPlanOut,
    MemberOut,
    OperationOut,
    OperationPage,
    OperationsSummaryOut,
    PlanDispatchIn,
    PlanOut,
    QualificationIn,
    ReadinessBoard,
    ReadinessIn,
    ReportIn,
    RoutineOut,
    RunCardIn,
    RunCardOut,
    ShiftIn,
    SquadRecordOut,
    TrainingIn,
    TrainingKind,
    TrainingOut,
    TrainingPage,
    WaterSourceIn,
    WaterSourceOut,
)
from jingwu.identity.deps import require
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission

router = APIRouter(prefix="/api/fire", tags=["fire 消防救援站"])

CanViewFire = Annotated[Officer, Depends(require(Permission.FIRE_VIEW))]
CanDispatchFire = Annotated[Officer, Depends(require(Permission.FIRE_DISPATCH))]
CanManageFire = Annotated[Officer, Depends(require(Permission.FIRE_MANAGE))]


@router.get("/readiness", response_model=ReadinessBoard, summary="战备概况")
def readiness(session: DbSession, _viewer: CanViewFire) -> ReadinessBoard:
    return service.readiness_board(session)


@router.get("/apparatus", response_model=list[ApparatusOut], summary="消防车辆与战备状态")
def apparatus(session: DbSession, _viewer: CanViewFire) -> list[ApparatusOut]:
    return service.describe_apparatus(session, service.list_apparatus(session))


@router.post("/apparatus", response_model=ApparatusOut, status_code=201, summary="登记消防车辆")
def add_apparatus(
    body: ApparatusCreate, session: DbSession, officer: CanManageFire
) -> ApparatusOut:
    created = service.do_create_apparatus(session, data=body, actor_id=officer.id)
    pairs = [p for p in service.list_apparatus(session) if p[0].id == created.id]
    return service.describe_apparatus(session, pairs)[0]


@router.post(
    "/apparatus/{apparatus_id}/readiness", response_model=ApparatusOut, summary="调整战备状态"
)
def set_readiness(
    apparatus_id: int, body: ReadinessIn, session: DbSession, officer: CanManageFire
) -> ApparatusOut:
    item = service.get_apparatus(session, apparatus_id=apparatus_id)
    service.do_set_readiness(
        session, apparatus=item, readiness=body.readiness, note=body.note, actor_id=officer.id
    )
    pairs = [p for p in service.list_apparatus(session) if p[0].id == item.id]
    return service.describe_apparatus(session, pairs)[0]


@router.get("/members", response_model=list[MemberOut], summary="队员、资质与战备")
def members(
    session: DbSession, _viewer: CanViewFire, include_inactive: bool = False
) -> list[MemberOut]:
    found = service.list_members(session, include_inactive=include_inactive)
    return service.describe_members(session, found)


@router.post(
    "/members/{member_id}/qualifications", response_model=MemberOut, summary="登记/更新资质"
)
def add_qualification(
    member_id: int, body: QualificationIn, session: DbSession, officer: CanManageFire
) -> MemberOut:
    member = service.get_member(session, member_id=member_id)
    service.do_record_qualification(session, member=member, data=body, actor_id=officer.id)
    return service.describe_members(session, [member])[0]


@router.get("/training", response_model=TrainingPage, summary="训练与演练记录")
def training(
    session: DbSession,
    _viewer: CanViewFire,
    member_id: int | None = Query(default=None, ge=1),
    kind: TrainingKind | None = None,
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=50, ge=1, le=200),
) -> TrainingPage:
    items, total = service.training_log(
        session,
        member_id=member_id,
        kind=kind.value if kind else None,
        page=page,
        per_page=per_page,
    )
    return TrainingPage(items=items, total=total, page=page, per_page=per_page)


@router.post(
    "/training", response_model=list[TrainingOut], status_code=201, summary="记录训练/演练"
)
def log_training(body: TrainingIn, session: DbSession, officer: CanManageFire) -> list[TrainingOut]:
    entries = service.do_log_training(session, data=body, actor_id=officer.id)
    ids = {e.id for e in entries}
    items, _ = service.training_log(session, per_page=200)
    return [item for item in items if item.id in ids]


@router.get("/routine", response_model=list[RoutineOut], summary="一日生活制度")
def routine(session: DbSession, _viewer: CanViewFire) -> list[RoutineOut]:
    return service.routine_today(session)


@router.get("/run-cards", response_model=list[RunCardOut], summary="调派方案")
def run_cards(session: DbSession, _viewer: CanViewFire) -> list[RunCardOut]:
    return [RunCardOut.model_validate(c) for c in operations.list_run_cards(session)]


@router.put("/run-cards", response_model=RunCardOut, summary="制定/修改调派方案")
def save_run_card(body: RunCardIn, session: DbSession, officer: CanManageFire) -> RunCardOut:
    return RunCardOut.model_validate(
        operations.do_save_run_card(session, data=body, actor_id=officer.id)
    )


@router.get("/water-sources", response_model=list[WaterSourceOut], summary="消防水源")
def water_sources(session: DbSession, _viewer: CanViewFire) -> list[WaterSourceOut]:
    return [service.water_out(s) for s in service.list_water_sources(session)]


@router.post(
    "/water-sources", response_model=WaterSourceOut, status_code=201, summary="登记消防水源"
)
def add_water_source(
    body: WaterSourceIn, session: DbSession, officer: CanManageFire
) -> WaterSourceOut:
    return service.water_out(service.do_add_water_source(session, data=body, actor_id=officer.id))


@router.get("/hazard-plans", response_model=list[HazardPlanOut], summary="重点部位灭火救援预案")
def hazard_plans(session: DbSession, _viewer: CanViewFire) -> list[HazardPlanOut]:
    return [service.hazard_out(p) for p in service.list_hazard_plans(session)]


@router.put("/hazard-plans", response_model=HazardPlanOut, summary="制定/修改预案")
def save_hazard_plan(
    body: HazardPlanIn, session: DbSession, officer: CanManageFire
) -> HazardPlanOut:
    return service.hazard_out(service.do_save_hazard_plan(session, data=body, actor_id=officer.id))


@router.get("/map.geojson", summary="消防水源、预案部位与消防车辆 GeoJSON")
def fire_geojson(session: DbSession, _viewer: CanViewFire) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for source in service.list_water_sources(session):
        out = service.water_out(source)
        features.append(_point(out.lat, out.lon, {"layer": "water_source", **out.model_dump()}))
    for plan in service.list_hazard_plans(session):
        out_plan = service.hazard_out(plan)
        features.append(
            _point(out_plan.lat, out_plan.lon, {"layer": "hazard_plan", **out_plan.model_dump()})
        )
    for item in service.describe_apparatus(session, service.list_apparatus(session)):
        if item.lat is not None and item.lon is not None:
            features.append(
                _point(item.lat, item.lon, {"layer": "apparatus", **item.model_dump(mode="json")})
            )
    return {"type": "FeatureCollection", "features": features}


def _point(lat: float, lon: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


@router.get("/incidents", response_model=list[FireIncidentOut], summary="火警与救援警情")
def fire_incidents(session: DbSession, _viewer: CanViewFire) -> list[FireIncidentOut]:
    return operations.fire_incidents(session)


@router.post(
    "/incidents",
    response_model=IncidentOut,
    status_code=201,
    summary="消防值班室接警（按预案出动）",
    responses={200: {"description": "a retry with the same Idempotency-Key: the first incident"}},
)
def take_fire_call(
    body: FireCallIn,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    officer: CanManageFire,
    idempotency_key: IdempotencyKey = None,
) -> IncidentOut:
    result, _ = operations.do_take_fire_call(
        session,
        data=body.incident,
        alarm_level=body.alarm_level,
        dispatch=body.dispatch,
        officer_id=officer.id,
        idempotency_key=idempotency_key,
        radius_m=settings.duplicate_radius_m,
        window_minutes=settings.duplicate_window_minutes,
    )
    return answer_intake(session, result=result, response=response)


@router.get("/incidents/{incident_id}/plan", response_model=PlanOut, summary="调派方案与水源预案")
def plan(
    incident_id: int,
    session: DbSession,
    _viewer: CanViewFire,
    alarm_level: int | None = Query(
        default=None, ge=1, le=3, description="the operation's level, or 1, if omitted"
    ),
) -> PlanOut:
    incident = command_intake.get_incident(session, incident_id=incident_id)
    if alarm_level is None:
        operation = operations.operation_of(session, incident_id=incident.id)
        alarm_level = operation.alarm_level if operation else 1
    return operations.plan_for(session, incident=incident, alarm_level=alarm_level)


@router.post("/incidents/{incident_id}/dispatch", response_model=OperationOut, summary="按预案调派")
def dispatch_by_plan(
    incident_id: int, body: PlanDispatchIn, session: DbSession, officer: CanDispatchFire
) -> OperationOut:
    incident = command_intake.get_incident(session, incident_id=incident_id)
    operation = operations.do_dispatch_by_plan(
        session,
        incident=incident,
        alarm_level=body.alarm_level,
        unit_ids=body.unit_ids,
        instruction=body.instruction,
        actor_id=officer.id,
    )
    return operations.describe_operation(session, operation)


@router.get("/operations", response_model=OperationPage, summary="灭火救援战斗记录")
def list_operations(
    session: DbSession,
    _viewer: CanViewFire,
    status: OperationStatus | None = None,
    historic: bool | None = None,
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=50, ge=1, le=200),
) -> OperationPage:
    rows, total = operations.list_operations(
        session,
        status=status.value if status else None,
        historic=historic,
        page=page,
        per_page=per_page,
    )
    return OperationPage(
        items=[operations.describe_operation(session, r) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/operations/{operation_id}", response_model=OperationOut, summary="战斗详情")
def get_operation(operation_id: int, session: DbSession, _viewer: CanViewFire) -> OperationOut:
    return operations.describe_operation(
        session, operations.get_operation(session, operation_id=operation_id)
    )


@router.post(
    "/operations/{operation_id}/shifts",
    response_model=OperationOut,
    status_code=201,
    summary="轮换接班",
)
def start_shift(
    operation_id: int, body: ShiftIn, session: DbSession, officer: CanManageFire
) -> OperationOut:
    operation = operations.get_operation(session, operation_id=operation_id)
    operations.do_start_shift(
        session,
        operation=operation,
        member_ids=body.member_ids,
        leader_member_id=body.leader_member_id,
        started_at=body.started_at,
        note=body.note,
        actor_id=officer.id,
    )
    return operations.describe_operation(session, operation)


@router.post(
    "/operations/{operation_id}/report", response_model=OperationOut, summary="战斗结束报告"
)
def report(
    operation_id: int, body: ReportIn, session: DbSession, officer: CanManageFire
) -> OperationOut:
    operation = operations.get_operation(session, operation_id=operation_id)
    operations.do_report(session, operation=operation, data=body, actor_id=officer.id)
    return operations.describe_operation(session, operation)


@router.get("/record", response_model=SquadRecordOut, summary="雷锋班战绩（由战斗记录汇总）")
def squad_record(
    session: DbSession, _viewer: CanViewFire, as_of: datetime | None = None
) -> SquadRecordOut:
    return record.squad_record(session, as_of=as_of)


@router.get("/summary", response_model=OperationsSummaryOut, summary="时段战斗统计")
def summary(
    session: DbSession, _viewer: CanViewFire, start: datetime, end: datetime
) -> OperationsSummaryOut:
    return record.operations_summary(session, start=start, end=end)
