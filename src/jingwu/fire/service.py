"""The station and its means: apparatus, crew, qualifications, training, routine, water, hazards.

Readiness is derived, never typed: a member with an expired qualification is not ready; an
apparatus is ready when it is in service and its unit is free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingwu.core import events
from jingwu.core.clock import as_utc, to_local, utcnow
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.core.geo import check_point, haversine_m
from jingwu.fire.events import ApparatusReadinessChanged, QualificationRecorded, TrainingLogged
from jingwu.fire.models import (
    APPARATUS_KIND_LABELS,
    QUALIFICATION_LABELS,
    READINESS_LABELS,
    WATER_SOURCE_LABELS,
    Apparatus,
    ApparatusKind,
    FireMember,
    FireOperation,
    HazardPlan,
    OperationShift,
    OperationStatus,
    Qualification,
    QualificationKind,
    Readiness,
    RoutineItem,
    ShiftMember,
    TrainingEntry,
    WaterSource,
    WaterSourceKind,
)
from jingwu.fire.schemas import (
    TRAINING_LABELS,
    ApparatusCreate,
    ApparatusOut,
    HazardPlanIn,
    HazardPlanOut,
    MemberOut,
    QualificationIn,
    QualificationOut,
    ReadinessBoard,
    RoutineOut,
    TrainingIn,
    TrainingKind,
    TrainingOut,
    WaterSourceIn,
    WaterSourceOut,
)
from jingwu.identity import audit
from jingwu.identity.models import Officer, Team
from jingwu.identity.roles import TeamKind
from jingwu.places.models import KeySite
from jingwu.units import service as units_service
from jingwu.units.models import UNIT_STATUS_LABELS, Unit, UnitKind, UnitStatus

EXPIRING_SOON_DAYS = 30
MAX_TRAINING_AGE = timedelta(days=400)


def local_today(now: datetime | None = None) -> date:
    return to_local(now or utcnow()).date()


# ---- apparatus -------------------------------------------------------------------------------


def get_apparatus(session: Session, *, apparatus_id: int) -> Apparatus:
    apparatus = session.get(Apparatus, apparatus_id)
    if apparatus is None:
        raise NotFound(f"消防车辆不存在 / no apparatus {apparatus_id}", code="apparatus_not_found")
    return apparatus


def apparatus_by_unit(session: Session, *, unit_ids: list[int]) -> dict[int, Apparatus]:
    if not unit_ids:
        return {}
    rows = session.scalars(select(Apparatus).where(Apparatus.unit_id.in_(unit_ids))).all()
    return {a.unit_id: a for a in rows}


def list_apparatus(session: Session) -> list[tuple[Apparatus, Unit]]:
    rows = session.execute(
        select(Apparatus, Unit).join(Unit, Unit.id == Apparatus.unit_id).order_by(Unit.call_sign)
    ).all()
    return [(a, u) for a, u in rows]


def is_ready(apparatus: Apparatus, unit: Unit) -> bool:
    return (
        apparatus.readiness == Readiness.READY.value and unit.status == UnitStatus.AVAILABLE.value
    )


def describe_apparatus(session: Session, pairs: list[tuple[Apparatus, Unit]]) -> list[ApparatusOut]:
    crews = units_service.crew_of(session, unit_ids=[u.id for _, u in pairs])
    return [
        ApparatusOut(
            id=a.id,
            unit_id=u.id,
            call_sign=u.call_sign,
            kind=a.kind,
            kind_label=APPARATUS_KIND_LABELS[ApparatusKind(a.kind)],
            plate=a.plate,
            water_l=a.water_l,
            pump_lps=a.pump_lps,
            seats=a.seats,
            readiness=a.readiness,
            readiness_label=READINESS_LABELS[Readiness(a.readiness)],
            readiness_note=a.readiness_note,
            unit_status=u.status,
            unit_status_label=UNIT_STATUS_LABELS[UnitStatus(u.status)],
            lat=u.lat,
            lon=u.lon,
            current_incident_id=u.current_incident_id,
            ready=is_ready(a, u),
            crew=[o.display_name for o in crews[u.id]],
        )
        for a, u in pairs
    ]


def fire_team(session: Session) -> Team | None:
    return session.scalars(
        select(Team).where(Team.kind == TeamKind.FIRE_SQUAD.value).order_by(Team.id)
    ).first()


def do_create_apparatus(
    session: Session, *, data: ApparatusCreate, actor_id: int | None
) -> Apparatus:
    if (data.lat is None) != (data.lon is None):
        raise InvalidInput("经纬度需同时提供 / give both lat and lon", code="bad_coordinates")
    team = fire_team(session)
    unit = units_service.create_unit(
        session,
        call_sign=data.call_sign,
        kind=UnitKind.FIRE_ENGINE,
        beat_id=None,
        team_id=team.id if team else None,
        crew_officer_ids=data.crew_officer_ids,
        actor_id=actor_id,
    )
    if data.lat is not None and data.lon is not None:
        check_point(data.lat, data.lon)
        unit.lat, unit.lon = data.lat, data.lon
    apparatus = Apparatus(
        unit_id=unit.id,
        kind=data.kind.value,
        plate=data.plate,
        water_l=data.water_l,
        pump_lps=data.pump_lps,
        seats=data.seats,
        readiness=Readiness.READY.value,
    )
    session.add(apparatus)
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="fire.apparatus.create",
        entity="fire_apparatus",
        entity_id=apparatus.id,
        detail={"unit_id": unit.id, "kind": data.kind.value},
    )
    return apparatus


def do_set_readiness(
    session: Session, *, apparatus: Apparatus, readiness: Readiness, note: str, actor_id: int | None
) -> Apparatus:
    """Out of service takes the unit off duty (no one dispatches it); ready puts it back."""
    unit = units_service.get_unit(session, unit_id=apparatus.unit_id)
    previous = apparatus.readiness
    if unit.status not in (UnitStatus.AVAILABLE.value, UnitStatus.OFF_DUTY.value):
        raise Conflict(
            f"{unit.call_sign} 正在出动，归队后再调整战备状态",
            code="apparatus_busy",
            unit_status=unit.status,
        )
    apparatus.readiness = readiness.value
    apparatus.readiness_note = note
    apparatus.readiness_changed_at = utcnow()
    target = UnitStatus.AVAILABLE if readiness is Readiness.READY else UnitStatus.OFF_DUTY
    units_service.do_set_status(
        session, unit=unit, status=target, incident_id=None, actor_id=actor_id
    )
    audit.write(
        session,
        officer_id=actor_id,
        action="fire.apparatus.readiness",
        entity="fire_apparatus",
        entity_id=apparatus.id,
        detail={"from": previous, "to": readiness.value, "note": note},
    )
    events.record(
        session,
        ApparatusReadinessChanged(
            apparatus_id=apparatus.id,
            unit_id=unit.id,
            readiness=readiness.value,
            previous=previous,
        ),
    )
    session.flush()
    return apparatus


# ---- crew ------------------------------------------------------------------------------------


def get_member(session: Session, *, member_id: int) -> FireMember:
    member = session.get(FireMember, member_id)
    if member is None:
        raise NotFound(f"队员不存在 / no squad member {member_id}", code="member_not_found")
    return member


def member_for_officer(session: Session, *, officer_id: int) -> FireMember | None:
    return session.scalars(select(FireMember).where(FireMember.officer_id == officer_id)).first()


def _qualifications(session: Session, member_ids: list[int]) -> dict[int, list[Qualification]]:
    found: dict[int, list[Qualification]] = {mid: [] for mid in member_ids}
    if member_ids:
        rows = session.scalars(
            select(Qualification)
            .where(Qualification.member_id.in_(member_ids))
            .order_by(Qualification.kind)
        ).all()
        for q in rows:
            found[q.member_id].append(q)
    return found


def readiness_of(
    member: FireMember, qualifications: list[Qualification], today: date
) -> tuple[bool, list[str]]:
    reasons = []
    if not member.active:
        reasons.append("已离队")
    if not qualifications:
        reasons.append("无有效资质")
    for q in qualifications:
        if q.expires_on < today:
            label = QUALIFICATION_LABELS.get(QualificationKind(q.kind), q.kind)
            reasons.append(f"{label}资质已于{q.expires_on.isoformat()}过期")
    return not reasons, reasons


def on_operation(session: Session, *, member_ids: list[int]) -> dict[int, int]:
    """Members on the open shift of an active operation, and which operation."""
    if not member_ids:
        return {}
    query = (
        select(ShiftMember.member_id, OperationShift.operation_id)
        .join(OperationShift, OperationShift.id == ShiftMember.shift_id)
        .join(FireOperation, FireOperation.id == OperationShift.operation_id)
        .where(
            ShiftMember.member_id.in_(member_ids),
            OperationShift.ended_at.is_(None),
            FireOperation.status == OperationStatus.ACTIVE.value,
        )
    )
    return {int(row[0]): int(row[1]) for row in session.execute(query).all()}


def list_members(session: Session, *, include_inactive: bool = False) -> list[FireMember]:
    query = select(FireMember).order_by(FireMember.id)
    if not include_inactive:
        query = query.where(FireMember.active.is_(True))
    return list(session.scalars(query).all())


def describe_members(
    session: Session, members: list[FireMember], *, now: datetime | None = None
) -> list[MemberOut]:
    today = local_today(now)
    ids = [m.id for m in members]
    quals = _qualifications(session, ids)
    busy = on_operation(session, member_ids=ids)
    officers = {
        o.id: o
        for o in session.scalars(
            select(Officer).where(Officer.id.in_([m.officer_id for m in members]))
        ).all()
    }
    described = []
    for member in members:
        ready, reasons = readiness_of(member, quals[member.id], today)
        described.append(
            MemberOut(
                id=member.id,
                officer_id=member.officer_id,
                name=officers[member.officer_id].display_name,
                post=member.post,
                born_year=member.born_year,
                joined_on=member.joined_on,
                active=member.active,
                ready=ready,
                not_ready_reasons=reasons,
                qualifications=[
                    QualificationOut(
                        kind=q.kind,
                        label=QUALIFICATION_LABELS.get(QualificationKind(q.kind), q.kind),
                        issued_on=q.issued_on,
                        expires_on=q.expires_on,
                        expired=q.expires_on < today,
                        expiring_soon=today
                        <= q.expires_on
                        < today + timedelta(days=EXPIRING_SOON_DAYS),
                    )
                    for q in quals[member.id]
                ],
                on_operation_id=busy.get(member.id),
            )
        )
    return described


def check_members_ready(session: Session, *, member_ids: list[int]) -> list[FireMember]:
    """Every named member exists and is ready; otherwise say who is not, and why."""
    members = []
    for member_id in dict.fromkeys(member_ids):
        member = session.get(FireMember, member_id)
        if member is None:
            raise InvalidInput(f"队员不存在 / no squad member {member_id}", code="unknown_member")
        members.append(member)
    not_ready = [m for m in describe_members(session, members) if not m.ready]
    if not_ready:
        names = "；".join(f"{m.name}（{'、'.join(m.not_ready_reasons)}）" for m in not_ready)
        raise Conflict(
            f"以下队员不在战备状态：{names}",
            code="member_not_ready",
            member_ids=[m.id for m in not_ready],
        )
    return members


def do_record_qualification(
    session: Session, *, member: FireMember, data: QualificationIn, actor_id: int | None
) -> Qualification:
    """A new certificate replaces the old one of the same kind (renewal)."""
    existing = session.scalars(
        select(Qualification).where(
            Qualification.member_id == member.id, Qualification.kind == data.kind.value
        )
    ).first()
    if existing is None:
        existing = Qualification(member_id=member.id, kind=data.kind.value)
        session.add(existing)
    existing.issued_on = data.issued_on
    existing.expires_on = data.expires_on
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="fire.qualification",
        entity="fire_member",
        entity_id=member.id,
        detail={"kind": data.kind.value, "expires_on": data.expires_on.isoformat()},
    )
    events.record(
        session,
        QualificationRecorded(
            member_id=member.id, kind=data.kind.value, expires_on=data.expires_on.isoformat()
        ),
    )
    return existing


def readiness_board(session: Session, *, now: datetime | None = None) -> ReadinessBoard:
    apparatus = describe_apparatus(session, list_apparatus(session))
    members = describe_members(session, list_members(session), now=now)
    return ReadinessBoard(
        apparatus_ready=sum(a.ready for a in apparatus),
        apparatus_total=len(apparatus),
        members_ready=sum(m.ready for m in members),
        members_total=len(members),
        expiring_soon=sum(q.expiring_soon for m in members for q in m.qualifications),
    )


# ---- training and routine --------------------------------------------------------------------


def do_log_training(
    session: Session, *, data: TrainingIn, actor_id: int | None
) -> list[TrainingEntry]:
    now = utcnow()
    at = as_utc(data.at) if data.at else now
    if at > now + timedelta(minutes=5):
        raise InvalidInput("训练时间在未来 / training time is in the future", code="in_future")
    if at < now - MAX_TRAINING_AGE:
        raise InvalidInput("训练时间过早 / training time is over a year ago", code="too_old")
    entries = []
    for member_id in dict.fromkeys(data.member_ids):
        get_member(session, member_id=member_id)
        entry = TrainingEntry(
            member_id=member_id,
            at=at,
            kind=data.kind.value,
            title=data.title,
            minutes=data.minutes,
            score=data.score,
            note=data.note,
            recorded_by_id=actor_id,
        )
        session.add(entry)
        entries.append(entry)
    session.flush()
    for entry in entries:
        audit.write(
            session,
            officer_id=actor_id,
            action="fire.training",
            entity="fire_training",
            entity_id=entry.id,
            detail={"member_id": entry.member_id, "kind": entry.kind, "minutes": entry.minutes},
        )
        events.record(
            session,
            TrainingLogged(
                entry_id=entry.id, member_id=entry.member_id, kind=entry.kind, minutes=entry.minutes
            ),
        )
    return entries


def training_log(
    session: Session,
    *,
    member_id: int | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[TrainingOut], int]:
    query = (
        select(TrainingEntry, Officer.display_name)
        .join(FireMember, FireMember.id == TrainingEntry.member_id)
        .join(Officer, Officer.id == FireMember.officer_id)
    )
    if member_id:
        query = query.where(TrainingEntry.member_id == member_id)
    if kind:
        query = query.where(TrainingEntry.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(TrainingEntry.at.desc(), TrainingEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [
        TrainingOut(
            id=entry.id,
            member_id=entry.member_id,
            member_name=name,
            at=entry.at,
            kind=entry.kind,
            kind_label=TRAINING_LABELS.get(TrainingKind(entry.kind), entry.kind),
            title=entry.title,
            minutes=entry.minutes,
            score=entry.score,
            note=entry.note,
        )
        for entry, name in rows
    ], total


def routine_today(session: Session, *, now: datetime | None = None) -> list[RoutineOut]:
    clock = to_local(now or utcnow()).strftime("%H:%M")
    items = session.scalars(select(RoutineItem).order_by(RoutineItem.starts)).all()
    return [
        RoutineOut(
            starts=item.starts,
            ends=item.ends,
            title=item.title,
            kind=item.kind,
            now=item.starts <= clock < item.ends,
        )
        for item in items
    ]


# ---- water and hazards -----------------------------------------------------------------------


def water_out(source: WaterSource, distance_m: float | None = None) -> WaterSourceOut:
    return WaterSourceOut(
        id=source.id,
        code=source.code,
        kind=source.kind,
        kind_label=WATER_SOURCE_LABELS[WaterSourceKind(source.kind)],
        name=source.name,
        lat=source.lat,
        lon=source.lon,
        flow_lps=source.flow_lps,
        working=source.working,
        distance_m=None if distance_m is None else round(distance_m, 1),
    )


def list_water_sources(session: Session) -> list[WaterSource]:
    return list(session.scalars(select(WaterSource).order_by(WaterSource.code)).all())


def water_near(
    session: Session, *, lat: float, lon: float, radius_m: float = 1000.0, limit: int = 6
) -> list[WaterSourceOut]:
    scored = [
        (s, haversine_m(lat, lon, s.lat, s.lon)) for s in list_water_sources(session) if s.working
    ]
    near = sorted((p for p in scored if p[1] <= radius_m), key=lambda p: p[1])[:limit]
    return [water_out(s, d) for s, d in near]


def do_add_water_source(
    session: Session, *, data: WaterSourceIn, actor_id: int | None
) -> WaterSource:
    if session.scalars(select(WaterSource.id).where(WaterSource.code == data.code)).first():
        raise Conflict(f"水源编号已存在 / code taken: {data.code}", code="code_taken")
    source = WaterSource(
        code=data.code,
        kind=data.kind.value,
        name=data.name,
        lat=data.lat,
        lon=data.lon,
        flow_lps=data.flow_lps,
        working=data.working,
        checked_at=utcnow(),
    )
    session.add(source)
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="fire.water_source.create",
        entity="fire_water_source",
        entity_id=source.id,
        detail={"code": data.code, "kind": data.kind.value},
    )
    return source


@dataclass
class SitePlan:
    plan: HazardPlan
    site: KeySite


def list_hazard_plans(session: Session) -> list[SitePlan]:
    rows = session.execute(
        select(HazardPlan, KeySite).join(KeySite, KeySite.id == HazardPlan.key_site_id)
    ).all()
    return [SitePlan(plan, site) for plan, site in rows]


def hazard_out(item: SitePlan, distance_m: float | None = None) -> HazardPlanOut:
    return HazardPlanOut(
        id=item.plan.id,
        key_site_id=item.site.id,
        site_name=item.site.name,
        lat=item.site.lat,
        lon=item.site.lon,
        hazards=item.plan.hazards,
        access=item.plan.access,
        water=item.plan.water,
        occupants=item.plan.occupants,
        distance_m=None if distance_m is None else round(distance_m, 1),
    )


def hazards_near(
    session: Session, *, lat: float, lon: float, radius_m: float = 600.0
) -> list[HazardPlanOut]:
    scored = [
        (item, haversine_m(lat, lon, item.site.lat, item.site.lon))
        for item in list_hazard_plans(session)
    ]
    return [hazard_out(i, d) for i, d in sorted(scored, key=lambda p: p[1]) if d <= radius_m]


def do_save_hazard_plan(session: Session, *, data: HazardPlanIn, actor_id: int | None) -> SitePlan:
    site = session.get(KeySite, data.key_site_id)
    if site is None:
        raise InvalidInput(
            f"重点部位不存在 / no key site {data.key_site_id}", code="unknown_key_site"
        )
    plan = session.scalars(select(HazardPlan).where(HazardPlan.key_site_id == site.id)).first()
    if plan is None:
        plan = HazardPlan(key_site_id=site.id)
        session.add(plan)
    plan.hazards, plan.access, plan.water = data.hazards, data.access, data.water
    plan.occupants = data.occupants
    plan.updated_at = utcnow()
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="fire.hazard_plan.save",
        entity="fire_hazard_plan",
        entity_id=plan.id,
        detail={"key_site_id": site.id},
    )
    return SitePlan(plan, site)
