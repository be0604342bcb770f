"""Key-site watch: status reports per key site and holiday patrol plans (端午 at the memorial)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.command.room_events import KeySiteReported
from jingwu.command.room_models import HolidayPlan, KeySiteReport
from jingwu.command.room_schemas import CrowdLevel, PlanIn, PlanOut, SiteStatusOut
from jingwu.core import events
from jingwu.core.clock import as_utc, utcnow
from jingwu.core.errors import NotFound
from jingwu.identity import audit
from jingwu.places import service as places_service
from jingwu.places.models import KeySite
from jingwu.units import service as units_service

STATUS_BY_CROWD = {
    CrowdLevel.CALM: "normal",
    CrowdLevel.BUSY: "attention",
    CrowdLevel.CROWDED: "alert",
    CrowdLevel.SATURATED: "alert",
}


def get_site(session: Session, *, key_site_id: int) -> KeySite:
    site = session.get(KeySite, key_site_id)
    if site is None:
        raise NotFound(f"重点部位不存在 / no key site {key_site_id}", code="key_site_not_found")
    return site


def do_report(
    session: Session,
    *,
    site: KeySite,
    crowd_level: CrowdLevel,
    note: str,
    unit_id: int | None,
    officer_id: int,
) -> KeySiteReport:
    if unit_id is not None:
        units_service.get_unit(session, unit_id=unit_id)
    status = STATUS_BY_CROWD[crowd_level]
    now = utcnow()
    report = KeySiteReport(
        key_site_id=site.id,
        crowd_level=crowd_level.value,
        status=status,
        note=note,
        officer_id=officer_id,
        unit_id=unit_id,
        at=now,
    )
    session.add(report)
    site.crowd_level, site.status, site.note, site.updated_at = crowd_level.value, status, note, now
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action="keysite.report",
        entity="key_site",
        entity_id=site.id,
        detail={"crowd_level": crowd_level.value, "status": status},
    )
    events.record(
        session,
        KeySiteReported(
            key_site_id=site.id, crowd_level=crowd_level.value, status=status, note=note
        ),
    )
    session.flush()
    return report


def reports_of(session: Session, *, key_site_id: int, limit: int = 50) -> list[KeySiteReport]:
    query = (
        select(KeySiteReport)
        .where(KeySiteReport.key_site_id == key_site_id)
        .order_by(KeySiteReport.at.desc(), KeySiteReport.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query).all())


def do_create_plan(session: Session, *, data: PlanIn, actor_id: int) -> HolidayPlan:
    get_site(session, key_site_id=data.key_site_id)
    unit_ids = list(dict.fromkeys(data.unit_ids))
    for unit_id in unit_ids:
        units_service.get_unit(session, unit_id=unit_id)
    plan = HolidayPlan(
        name=data.name,
        key_site_id=data.key_site_id,
        starts_at=as_utc(data.starts_at),
        ends_at=as_utc(data.ends_at),
        unit_ids=unit_ids,
        report_every_minutes=data.report_every_minutes,
        notes=data.notes,
        created_by_id=actor_id,
    )
    session.add(plan)
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="keysite.plan",
        entity="holiday_plan",
        entity_id=plan.id,
        detail={"key_site_id": data.key_site_id, "units": unit_ids},
    )
    return plan


def plans(session: Session, *, active_at: datetime | None = None) -> list[HolidayPlan]:
    query = select(HolidayPlan).order_by(HolidayPlan.starts_at, HolidayPlan.id)
    if active_at is not None:
        query = query.where(HolidayPlan.starts_at <= active_at, HolidayPlan.ends_at > active_at)
    return list(session.scalars(query).all())


def site_board(session: Session) -> list[SiteStatusOut]:
    """Every key site with its current status; a site under an active plan whose last report
    is older than the plan's interval is due."""
    now = utcnow()
    active: dict[int, list[HolidayPlan]] = {}
    for plan in plans(session, active_at=now):
        active.setdefault(plan.key_site_id, []).append(plan)
    board = []
    for site in places_service.list_key_sites(session):
        site_plans = active.get(site.id, [])
        interval = min((p.report_every_minutes for p in site_plans), default=None)
        due = interval is not None and as_utc(site.updated_at) + timedelta(minutes=interval) <= now
        board.append(
            SiteStatusOut(
                id=site.id,
                name=site.name,
                kind=site.kind,
                lat=site.lat,
                lon=site.lon,
                status=site.status,
                crowd_level=site.crowd_level,
                note=site.note,
                updated_at=site.updated_at,
                report_due=due,
                plans=[PlanOut.model_validate(p) for p in site_plans],
            )
        )
    return board
