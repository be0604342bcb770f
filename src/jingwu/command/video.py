"""随时看 and 视频巡查: cameras that see a point, camera rounds, views, findings → incidents."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingwu.command import intake
from jingwu.command.room_events import VideoFindingLogged
from jingwu.command.room_models import PatrolRound, PatrolView
from jingwu.command.room_schemas import CameraView, RoundIn, RoundOut
from jingwu.command.schemas import IncidentIn
from jingwu.command.seats import check_seat
from jingwu.core import events
from jingwu.core.clock import as_utc, utcnow
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.core.geo import bearing_deg, check_point, haversine_m
from jingwu.identity import audit
from jingwu.places import service as places_service
from jingwu.places.models import Camera


def angle_off_axis(direction_deg: float, bearing: float) -> float:
    """How far (degrees, 0–180) a bearing lies from the camera's axis."""
    return abs((bearing - direction_deg + 180.0) % 360.0 - 180.0)


def sees(camera: Camera, *, lat: float, lon: float) -> tuple[bool, float, float]:
    """(in view, distance m, bearing from the camera): within range and inside the field of view."""
    distance = haversine_m(camera.lat, camera.lon, lat, lon)
    bearing = bearing_deg(camera.lat, camera.lon, lat, lon)
    if distance < 1.0:
        return True, distance, bearing
    inside = angle_off_axis(camera.direction_deg, bearing) <= camera.fov_deg / 2.0
    return inside and distance <= camera.range_m, distance, bearing


def cameras_for_point(
    session: Session, *, lat: float, lon: float, radius_m: float = 800.0, limit: int = 8
) -> list[CameraView]:
    """Cameras that see the point first (nearest first), then the nearest others in the radius."""
    check_point(lat, lon)
    scored = []
    for camera in places_service.list_cameras(session):
        in_view, distance, bearing = sees(camera, lat=lat, lon=lon)
        if distance > radius_m:
            continue
        scored.append(
            CameraView(
                id=camera.id,
                code=camera.code,
                name=camera.name,
                lat=camera.lat,
                lon=camera.lon,
                direction_deg=camera.direction_deg,
                fov_deg=camera.fov_deg,
                range_m=camera.range_m,
                stream_url=camera.stream_url,
                distance_m=round(distance, 1),
                bearing_from_camera_deg=round(bearing, 1),
                in_view=in_view,
            )
        )
    scored.sort(key=lambda c: (not c.in_view, c.distance_m))
    return scored[:limit]


def get_camera(session: Session, *, camera_id: int) -> Camera:
    camera = session.get(Camera, camera_id)
    if camera is None:
        raise NotFound(f"摄像头不存在 / no camera {camera_id}", code="camera_not_found")
    return camera


def do_create_round(session: Session, *, data: RoundIn, actor_id: int) -> PatrolRound:
    check_seat(data.seat_code)
    camera_ids = list(dict.fromkeys(data.camera_ids))
    for camera_id in camera_ids:
        get_camera(session, camera_id=camera_id)
    patrol = PatrolRound(
        seat_code=data.seat_code,
        name=data.name,
        camera_ids=camera_ids,
        every_minutes=data.every_minutes,
        created_by_id=actor_id,
    )
    session.add(patrol)
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="video.round.create",
        entity="video_round",
        entity_id=patrol.id,
        detail={"seat": data.seat_code, "cameras": camera_ids},
    )
    return patrol


def describe_rounds(session: Session, rounds: list[PatrolRound]) -> list[RoundOut]:
    last = dict(
        session.execute(
            select(PatrolView.round_id, func.max(PatrolView.viewed_at))
            .where(PatrolView.round_id.in_([r.id for r in rounds] or [-1]))
            .group_by(PatrolView.round_id)
        ).all()
    )
    now = utcnow()
    described = []
    for patrol in rounds:
        out = RoundOut.model_validate(patrol)
        seen = last.get(patrol.id)
        out.last_view_at = as_utc(seen) if seen else None
        out.due = seen is None or as_utc(seen) + timedelta(minutes=patrol.every_minutes) <= now
        described.append(out)
    return described


def list_rounds(session: Session, *, seat_code: str | None = None) -> list[PatrolRound]:
    query = select(PatrolRound).order_by(PatrolRound.id)
    if seat_code:
        query = query.where(PatrolRound.seat_code == check_seat(seat_code))
    return list(session.scalars(query).all())


def do_log_view(
    session: Session, *, camera_id: int, round_id: int | None, finding: str, officer_id: int
) -> PatrolView:
    get_camera(session, camera_id=camera_id)
    if round_id is not None:
        patrol = session.get(PatrolRound, round_id)
        if patrol is None:
            raise NotFound(f"巡查路线不存在 / no round {round_id}", code="round_not_found")
        if camera_id not in patrol.camera_ids:
            raise InvalidInput("该摄像头不在此巡查路线中 / camera not on this round")
    view = PatrolView(
        round_id=round_id,
        camera_id=camera_id,
        officer_id=officer_id,
        viewed_at=utcnow(),
        finding=finding,
        has_finding=bool(finding),
    )
    session.add(view)
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action="video.view",
        entity="video_view",
        entity_id=view.id,
        detail={"camera_id": camera_id, "finding": bool(finding)},
    )
    if finding:
        events.record(
            session,
            VideoFindingLogged(
                view_id=view.id, camera_id=camera_id, finding=finding, incident_id=None
            ),
        )
    session.flush()
    return view


def do_finding_to_incident(
    session: Session,
    *,
    view_id: int,
    category_code: str,
    priority: int | None,
    officer_id: int,
    radius_m: float,
    window_minutes: int,
) -> PatrolView:
    """One action: the finding becomes an incident at the camera's place, linked both ways."""
    view = session.get(PatrolView, view_id)
    if view is None:
        raise NotFound(f"巡查记录不存在 / no view {view_id}", code="view_not_found")
    if not view.has_finding:
        raise InvalidInput("此记录没有发现 / nothing was found in this view", code="no_finding")
    if view.incident_id is not None:
        raise Conflict("已转为警情 / already an incident", code="already_incident")
    camera = get_camera(session, camera_id=view.camera_id)
    result = intake.do_intake(
        session,
        data=IncidentIn(
            category_code=category_code,
            priority=priority,
            caller_name="视频巡查",
            address_text=camera.name,
            lat=camera.lat,
            lon=camera.lon,
            description=f"视频巡查发现（{camera.code}）：{view.finding}",
        ),
        officer_id=officer_id,
        idempotency_key=f"video-view-{view.id}",
        radius_m=radius_m,
        window_minutes=window_minutes,
    )
    view.incident_id = result.incident.id
    audit.write(
        session,
        officer_id=officer_id,
        action="video.finding.incident",
        entity="video_view",
        entity_id=view.id,
        detail={"incident_id": result.incident.id},
    )
    events.record(
        session,
        VideoFindingLogged(
            view_id=view.id,
            camera_id=view.camera_id,
            finding=view.finding,
            incident_id=result.incident.id,
        ),
    )
    session.flush()
    return view


def recent_views(
    session: Session, *, findings_only: bool = False, limit: int = 100
) -> list[PatrolView]:
    query = select(PatrolView).order_by(PatrolView.viewed_at.desc(), PatrolView.id.desc())
    if findings_only:
        query = query.where(PatrolView.has_finding.is_(True))
    return list(session.scalars(query.limit(limit)).all())
