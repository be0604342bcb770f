"""The case team's pages: the board by status, a case with its six-fast clocks, my tasks."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jingwu.cases import queries, service
from jingwu.cases.states import (
    BOARD_ORDER,
    CUSTODY_LABELS,
    OPEN,
    PERSON_ROLE_LABELS,
    REQUEST_KIND_LABELS,
    STATUS_LABELS,
    SUSPECT_STATUS_LABELS,
    TYPE_LABELS,
    CaseStatus,
    CaseType,
)
from jingwu.core.clock import to_local, utcnow
from jingwu.core.errors import AppError
from jingwu.core.http import DbSession, WriteSession
from jingwu.identity.roles import Permission, can
from jingwu.places import service as places_service
from jingwu.web.pages import _error_page, _page, _page_officer, _render, _to_login

router = APIRouter(include_in_schema=False)
BOARD_PER_COLUMN = 30


def _labels() -> dict[str, object]:
    return {
        "case_status_labels": {k.value: v for k, v in STATUS_LABELS.items()},
        "case_type_labels": {k.value: v for k, v in TYPE_LABELS.items()},
        "person_role_labels": {k.value: v for k, v in PERSON_ROLE_LABELS.items()},
        "suspect_status_labels": {k.value: v for k, v in SUSPECT_STATUS_LABELS.items()},
        "custody_labels": {k.value: v for k, v in CUSTODY_LABELS.items()},
        "request_kind_labels": {k.value: v for k, v in REQUEST_KIND_LABELS.items()},
        "fast_labels": queries.FAST_LABELS,
    }


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}分"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}时{minutes:02d}分"
    days, hours = divmod(hours, 24)
    return f"{days}天{hours}时"


@router.get("/cases", response_class=HTMLResponse)
def board_page(request: Request, session: DbSession) -> Response:
    viewer = _page_officer(request, session)
    if viewer is None:
        return _to_login(request)
    if not can(viewer.officer.role, Permission.CASE_VIEW):
        return RedirectResponse("/cases/tasks", status_code=303)
    params = request.query_params
    case_type = params.get("type") or None
    if case_type not in {t.value for t in CaseType}:
        case_type = None
    text = (params.get("q") or "").strip()[:100] or None
    mine = params.get("mine") == "1"
    wanted = [s for s in params.getlist("status") if s in {x.value for x in CaseStatus}]
    shown = [CaseStatus(s) for s in wanted] if wanted else [s for s in BOARD_ORDER if s in OPEN]
    columns = []
    counts: dict[str, int] = {}
    for status in shown:
        rows, total, counts = queries.list_cases(
            session,
            statuses=[status.value],
            case_type=case_type,
            text=text,
            officer_id=viewer.officer.id if mine else None,
            per_page=BOARD_PER_COLUMN,
        )
        columns.append(
            {
                "status": status.value,
                "label": STATUS_LABELS[status],
                "total": total,
                "items": queries.summarize(session, rows),
            }
        )
    if not columns:
        _rows, _total, counts = queries.list_cases(session, case_type=case_type, text=text)
    now = utcnow()
    year_start = to_local(now).replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return _render(
        request,
        "cases.html",
        {
            "viewer": viewer,
            "columns": columns,
            "counts": counts,
            "board_order": [s.value for s in BOARD_ORDER],
            "filters": {"type": case_type or "", "q": text or "", "mine": mine, "status": wanted},
            "fasts": queries.fasts_board(session, months=6),
            "clearance": queries.clearance_by_type(
                session, start=year_start, end=now + timedelta(seconds=1)
            ),
            "squad": queries.squad(session),
            "can_manage": can(viewer.officer.role, Permission.CASE_MANAGE),
            "clock": _clock,
            **_labels(),
        },
    )


@router.get("/cases/tasks", response_class=HTMLResponse)
def tasks_page(request: Request, session: DbSession) -> Response:
    viewer = _page_officer(request, session)
    if viewer is None:
        return _to_login(request)
    tasks = queries.tasks_for(session, officer=viewer.officer)
    return _render(
        request,
        "case_tasks.html",
        {
            "viewer": viewer,
            "tasks": tasks,
            "can_view_cases": queries.may_view_case(viewer.officer),
            "clock": _clock,
            **_labels(),
        },
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, session: WriteSession) -> Response:
    """A person's record shows here: the view is audited, so the read takes the write lock."""
    viewer = _page(request, session, Permission.CASE_VIEW)
    if isinstance(viewer, Response):
        return viewer
    try:
        case = service.get_case(session, case_id=case_id)
    except AppError as exc:
        return _error_page(request, viewer, exc.message, status_code=404)
    unmask = request.query_params.get("unmask") == "1"
    detail = queries.describe(session, case=case, viewer=viewer.officer, unmask=unmask)
    if case.lat is not None and case.lon is not None:
        cameras = [
            {"id": c.id, "name": c.name, "distance_m": round(d)}
            for c, d in places_service.cameras_near(
                session, lat=case.lat, lon=case.lon, radius_m=2000, limit=12
            )
        ]
    else:
        cameras = [
            {"id": c.id, "name": c.name, "distance_m": None}
            for c in places_service.list_cameras(session)[:30]
        ]
    return _render(
        request,
        "case.html",
        {
            "viewer": viewer,
            "case": detail,
            "cameras": cameras,
            "pick": queries.officers_for_pick(session),
            "can_manage": can(viewer.officer.role, Permission.CASE_MANAGE),
            "can_unmask": can(viewer.officer.role, Permission.PERSON_UNMASK),
            "unmasked": unmask,
            "clock": _clock,
            **_labels(),
        },
    )
