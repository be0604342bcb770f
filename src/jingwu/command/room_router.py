"""The command room over HTTP: one-key call, seats and handover, video patrol, key sites,
and the photos of a crew's report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse

from jingwu.command import attachments, calls, intake, queries, seats, sites, video
from jingwu.command.room_models import Attachment
from jingwu.command.room_schemas import (
    AttachmentOut,
    CallAckIn,
    CallIn,
    CallOut,
    CameraView,
    FindingToIncidentIn,
    HandoverIn,
    HandoverOut,
    PlanIn,
    PlanOut,
    RoundIn,
    RoundOut,
    RouteOut,
    SeatOut,
    ShiftIn,
    ShiftOut,
    SiteReportIn,
    SiteReportOut,
    SiteStatusOut,
    ViewIn,
    ViewOut,
)
from jingwu.core.clock import utcnow
from jingwu.core.errors import Forbidden, InvalidInput
from jingwu.core.geo import haversine_m
from jingwu.core.http import AppSettings, DbSession
from jingwu.identity.deps import (
    CanDispatch,
    CanManageRoster,
    CanReportKeySite,
    CanVideoPatrol,
    CanViewIncidents,
    CanViewPlaces,
    CanViewUnits,
    CurrentOfficer,
)
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission, can
from jingwu.places.road_cache import ROAD_GRAPHS
from jingwu.places.routing import UnitPosition, rank_units
from jingwu.units import service as units_service

router = APIRouter(prefix="/api", tags=["command room 指挥室"])


# --- 一键呼 ---------------------------------------------------------------------------------
@router.post("/calls", response_model=CallOut, status_code=201, summary="一键呼叫")
def issue_call(
    body: CallIn, session: DbSession, settings: AppSettings, officer: CanDispatch
) -> CallOut:
    if body.incident_id is not None:
        intake.get_incident(session, incident_id=body.incident_id)
    call = calls.do_call(
        session, data=body, actor_id=officer.id, default_ack_s=settings.call_ack_seconds
    )
    return calls.describe_calls(session, [call])[0]


@router.get("/calls", response_model=list[CallOut], summary="最近的呼叫及应答情况")
def list_calls(
    session: DbSession, _viewer: CanViewUnits, limit: int = Query(default=20, ge=1, le=200)
) -> list[CallOut]:
    return calls.describe_calls(session, calls.recent_calls(session, limit=limit))


@router.get("/calls/mine", response_model=list[CallOut], summary="呼叫本车组的未结呼叫")
def my_calls(session: DbSession, officer: CurrentOfficer) -> list[CallOut]:
    own = [u.id for u in units_service.units_of_officer(session, officer_id=officer.id)]
    return calls.describe_open_calls(session, unit_ids=own)


@router.post("/calls/{call_id}/ack", response_model=CallOut, summary="应答呼叫（收到）")
def acknowledge_call(
    call_id: int, body: CallAckIn, session: DbSession, officer: CurrentOfficer
) -> CallOut:
    call = calls.get_call(session, call_id=call_id)
    own = [u.id for u in units_service.units_of_officer(session, officer_id=officer.id)]
    if body.unit_id is None:
        called = {t.unit_id for t in calls.describe_calls(session, [call])[0].targets}
        mine = [u for u in own if u in called]
        if not mine:
            raise Forbidden("您的车组不在本次呼叫中 / your unit was not called", code="not_crew")
        unit_id = mine[0]
    elif body.unit_id in own or can(officer.role, Permission.INCIDENT_DISPATCH):
        unit_id = body.unit_id
    else:
        raise Forbidden("只能为本车组应答 / answer for your own unit only", code="not_crew")
    calls.do_acknowledge(session, call=call, unit_id=unit_id, actor_id=officer.id)
    return calls.describe_calls(session, [call])[0]


# --- 席位 · 排班 · 交接班 ------------------------------------------------------------------
@router.get("/seats", response_model=list[SeatOut], summary="六个席位及当前值守")
def list_seats(session: DbSession, _viewer: CanViewIncidents) -> list[SeatOut]:
    now = utcnow()
    current = seats.describe_shifts(
        session, seats.shifts_between(session, start=now, end=now + timedelta(seconds=1))
    )
    return [
        SeatOut(code=code, name=name, on_duty=[s for s in current if s.seat_code == code])
        for code, name in seats.SEATS.items()
    ]


@router.get("/seats/shifts", response_model=list[ShiftOut], summary="排班表")
def roster(
    session: DbSession,
    _viewer: CanViewIncidents,
    days: int = Query(default=1, ge=1, le=31),
    seat: str | None = Query(default=None, max_length=32),
) -> list[ShiftOut]:
    start = utcnow() - timedelta(hours=12)
    if seat:
        seats.check_seat(seat)
    found = seats.shifts_between(
        session, start=start, end=start + timedelta(days=days), seat_code=seat
    )
    return seats.describe_shifts(session, found)


@router.post("/seats/shifts", response_model=ShiftOut, status_code=201, summary="排班")
def schedule(body: ShiftIn, session: DbSession, manager: CanManageRoster) -> ShiftOut:
    shift = seats.do_schedule_shift(session, data=body, actor_id=manager.id)
    return seats.describe_shifts(session, [shift])[0]


@router.get("/seats/handovers", response_model=list[HandoverOut], summary="交接班记录")
def handover_log(
    session: DbSession,
    _viewer: CanViewIncidents,
    seat: str | None = Query(default=None, max_length=32),
) -> list[HandoverOut]:
    return [HandoverOut.model_validate(h) for h in seats.handovers(session, seat_code=seat)]


@router.post(
    "/seats/handovers", response_model=HandoverOut, status_code=201, summary="交班（列出未结事项）"
)
def hand_over(
    body: HandoverIn, session: DbSession, settings: AppSettings, officer: CanViewIncidents
) -> HandoverOut:
    handover = seats.do_handover(
        session,
        seat_code=body.seat_code,
        from_officer_id=officer.id,
        to_officer_id=body.to_officer_id,
        note=body.note,
        ack_limit_s=settings.ack_limit_seconds,
        on_scene_limit_s=settings.on_scene_limit_seconds,
    )
    return HandoverOut.model_validate(handover)


@router.post("/seats/handovers/{handover_id}/accept", response_model=HandoverOut, summary="接班")
def accept(handover_id: int, session: DbSession, officer: CanViewIncidents) -> HandoverOut:
    handover = seats.do_accept_handover(session, handover_id=handover_id, officer_id=officer.id)
    return HandoverOut.model_validate(handover)


# --- 随时看 · 视频巡查 ----------------------------------------------------------------------
@router.get("/video/cameras/near", response_model=list[CameraView], summary="附近可视摄像头")
def cameras_near(
    session: DbSession,
    _viewer: CanViewPlaces,
    lat: float | None = Query(default=None, ge=-90, le=90, allow_inf_nan=False),
    lon: float | None = Query(default=None, ge=-180, le=180, allow_inf_nan=False),
    incident_id: int | None = Query(default=None, ge=1),
    radius_m: float = Query(default=800.0, gt=0, le=5000, allow_inf_nan=False),
    limit: int = Query(default=8, ge=1, le=50),
) -> list[CameraView]:
    if incident_id is not None:
        incident = intake.get_incident(session, incident_id=incident_id)
        lat, lon = incident.lat, incident.lon
    if lat is None or lon is None:
        return []
    return video.cameras_for_point(session, lat=lat, lon=lon, radius_m=radius_m, limit=limit)


@router.get("/video/rounds", response_model=list[RoundOut], summary="视频巡查路线")
def rounds(
    session: DbSession,
    _viewer: CanVideoPatrol,
    seat: str | None = Query(default=None, max_length=32),
) -> list[RoundOut]:
    return video.describe_rounds(session, video.list_rounds(session, seat_code=seat))


@router.post("/video/rounds", response_model=RoundOut, status_code=201, summary="新建巡查路线")
def create_round(body: RoundIn, session: DbSession, officer: CanVideoPatrol) -> RoundOut:
    patrol = video.do_create_round(session, data=body, actor_id=officer.id)
    return video.describe_rounds(session, [patrol])[0]


@router.get("/video/views", response_model=list[ViewOut], summary="巡查记录")
def views(
    session: DbSession, _viewer: CanVideoPatrol, findings_only: bool = False
) -> list[ViewOut]:
    found = video.recent_views(session, findings_only=findings_only)
    return [ViewOut.model_validate(v) for v in found]


@router.post("/video/views", response_model=ViewOut, status_code=201, summary="记录一次查看")
def log_view(body: ViewIn, session: DbSession, officer: CanVideoPatrol) -> ViewOut:
    view = video.do_log_view(
        session,
        camera_id=body.camera_id,
        round_id=body.round_id,
        finding=body.finding,
        officer_id=officer.id,
    )
    return ViewOut.model_validate(view)


@router.post("/video/views/{view_id}/incident", response_model=ViewOut, summary="发现转警情")
def finding_to_incident(
    view_id: int,
    body: FindingToIncidentIn,
    session: DbSession,
    settings: AppSettings,
    officer: CanVideoPatrol,
) -> ViewOut:
    if not can(officer.role, Permission.INCIDENT_INTAKE):
        raise Forbidden("当前角色不能录入警情 / your role may not create incidents")
    view = video.do_finding_to_incident(
        session,
        view_id=view_id,
        category_code=body.category_code,
        priority=body.priority,
        officer_id=officer.id,
        radius_m=settings.duplicate_radius_m,
        window_minutes=settings.duplicate_window_minutes,
    )
    return ViewOut.model_validate(view)


# --- 重点部位 -------------------------------------------------------------------------------
@router.get("/sites/board", response_model=list[SiteStatusOut], summary="重点部位态势")
def site_board(session: DbSession, _viewer: CanViewPlaces) -> list[SiteStatusOut]:
    return sites.site_board(session)


@router.post(
    "/sites/{key_site_id}/reports",
    response_model=SiteReportOut,
    status_code=201,
    summary="上报重点部位情况",
)
def report_site(
    key_site_id: int, body: SiteReportIn, session: DbSession, officer: CanReportKeySite
) -> SiteReportOut:
    site = sites.get_site(session, key_site_id=key_site_id)
    if body.unit_id is not None and not can(officer.role, Permission.UNIT_VIEW):
        units_service.check_may_speak_for(
            session, unit=units_service.get_unit(session, unit_id=body.unit_id), officer=officer
        )
    report = sites.do_report(
        session,
        site=site,
        crowd_level=body.crowd_level,
        note=body.note,
        unit_id=body.unit_id,
        officer_id=officer.id,
    )
    return SiteReportOut.model_validate(report)


@router.get(
    "/sites/{key_site_id}/reports", response_model=list[SiteReportOut], summary="部位上报记录"
)
def site_reports(
    key_site_id: int, session: DbSession, _viewer: CanViewPlaces
) -> list[SiteReportOut]:
    sites.get_site(session, key_site_id=key_site_id)
    found = sites.reports_of(session, key_site_id=key_site_id)
    return [SiteReportOut.model_validate(r) for r in found]


@router.get("/sites/plans", response_model=list[PlanOut], summary="节假日巡防方案")
def list_plans(session: DbSession, _viewer: CanViewPlaces) -> list[PlanOut]:
    return [PlanOut.model_validate(p) for p in sites.plans(session)]


@router.post("/sites/plans", response_model=PlanOut, status_code=201, summary="新建巡防方案")
def create_plan(body: PlanIn, session: DbSession, officer: CanDispatch) -> PlanOut:
    return PlanOut.model_validate(sites.do_create_plan(session, data=body, actor_id=officer.id))


# --- 报告照片 -------------------------------------------------------------------------------
def _may_see_incident(session: DbSession, officer: Officer, incident_id: int) -> None:
    if can(officer.role, Permission.INCIDENT_VIEW):
        return
    if not queries.is_on_incident(session, incident_id=incident_id, officer_id=officer.id):
        raise Forbidden("无权查看此警情 / not yours to see", code="forbidden")


def _attachment_out(attachment: Attachment) -> AttachmentOut:
    out = AttachmentOut.model_validate(attachment)
    out.url = f"/api/attachments/{attachment.id}"
    return out


@router.post("/attachments", response_model=AttachmentOut, status_code=201, summary="上传处置照片")
def upload_photo(
    session: DbSession,
    settings: AppSettings,
    officer: CurrentOfficer,
    incident_id: Annotated[int, Form(ge=1)],
    file: Annotated[UploadFile, File(description="JPEG / PNG / WebP, ≤ 10 MB")],
    unit_id: Annotated[int | None, Form(ge=1)] = None,
) -> AttachmentOut:
    incident = intake.get_incident(session, incident_id=incident_id)
    if not (
        can(officer.role, Permission.INCIDENT_DISPATCH)
        or queries.is_on_incident(session, incident_id=incident.id, officer_id=officer.id)
    ):
        raise Forbidden("只有出警车组可上传 / only the crews sent may upload", code="not_crew")
    if (
        unit_id is not None
        and not can(officer.role, Permission.INCIDENT_DISPATCH)
        and not units_service.is_crew(session, unit_id=unit_id, officer_id=officer.id)
    ):
        raise Forbidden("只能为本车组上传 / upload for your own unit", code="not_crew")
    data = file.file.read(attachments.MAX_PHOTO_BYTES + 1)
    attachment = attachments.do_store_photo(
        session,
        upload_dir=Path(settings.upload_dir),
        incident_id=incident.id,
        unit_id=unit_id,
        officer_id=officer.id,
        data=data,
    )
    return _attachment_out(attachment)


@router.get(
    "/incidents/{incident_id}/attachments",
    response_model=list[AttachmentOut],
    summary="警情照片列表",
)
def incident_photos(
    incident_id: int, session: DbSession, officer: CurrentOfficer
) -> list[AttachmentOut]:
    intake.get_incident(session, incident_id=incident_id)
    _may_see_incident(session, officer, incident_id)
    found = attachments.for_incident(session, incident_id=incident_id)
    return [_attachment_out(a) for a in found]


@router.get(
    "/attachments/{attachment_id}",
    response_class=FileResponse,
    summary="查看照片（仅有权查看该警情者）",
)
def get_photo(
    attachment_id: int, session: DbSession, settings: AppSettings, officer: CurrentOfficer
) -> FileResponse:
    attachment = attachments.get_attachment(session, attachment_id=attachment_id)
    _may_see_incident(session, officer, attachment.incident_id)
    path = attachments.path_of(Path(settings.upload_dir), attachment)
    return FileResponse(
        path,
        media_type=attachment.content_type,
        headers={"Cache-Control": "private, max-age=3600", "Content-Disposition": "inline"},
    )


# --- 车组路线 -------------------------------------------------------------------------------
@router.get("/incidents/{incident_id}/route", response_model=RouteOut, summary="本车组到警情的路线")
def route_to_incident(
    incident_id: int,
    session: DbSession,
    officer: CurrentOfficer,
    unit_id: int | None = Query(default=None, ge=1),
) -> RouteOut:
    """By road when the station has a road network, else the straight line (and says so)."""
    incident = intake.get_incident(session, incident_id=incident_id)
    _may_see_incident(session, officer, incident_id)
    own = units_service.units_of_officer(session, officer_id=officer.id)
    if unit_id is None and own:
        unit = own[0]
    else:
        unit = units_service.get_unit(session, unit_id=unit_id or 0)
        if unit not in own and not can(officer.role, Permission.UNIT_VIEW):
            raise Forbidden("只能查看本车组路线 / your own unit only", code="not_crew")
    if None in (incident.lat, incident.lon, unit.lat, unit.lon):
        raise InvalidInput("缺少坐标，无法规划路线 / a position is missing", code="no_location")
    assert incident.lat is not None
    assert incident.lon is not None
    assert unit.lat is not None
    assert unit.lon is not None
    graph = ROAD_GRAPHS.get(session)
    if graph is not None:
        result = rank_units(
            graph,
            lat=incident.lat,
            lon=incident.lon,
            units=[UnitPosition(unit.id, unit.lat, unit.lon)],
            routes_for_top=1,
        )
        entry = result.ranked[0] if result.ranked else None
        if entry is not None and entry.reachable and entry.route is not None:
            return RouteOut(
                unit_id=unit.id,
                incident_id=incident.id,
                by_road=True,
                distance_m=round(entry.route.distance_m, 1),
                eta_s=round(entry.eta_s, 1),
                path=entry.route.path,
                explanation=entry.route.explanation,
            )
    distance = haversine_m(unit.lat, unit.lon, incident.lat, incident.lon)
    return RouteOut(
        unit_id=unit.id,
        incident_id=incident.id,
        by_road=False,
        distance_m=round(distance, 1),
        eta_s=None,
        path=[(unit.lat, unit.lon), (incident.lat, incident.lon)],
        explanation=f"直线距离 {distance / 1000:.1f} km（无路网）",
    )
