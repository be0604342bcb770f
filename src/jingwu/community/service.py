"""一标三实 registry, information quality, key persons and beat work.

Personal data leaves masked; :func:`check_unmask` lets a role with ``person.unmask`` see it and
writes the audit row for every unmasked read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from jingwu.community.events import (
    BeatAssigned,
    BeatWorkLogged,
    KeyPersonListed,
    KeyPersonVisited,
    RecordCollected,
)
from jingwu.community.models import (
    BeatOfficer,
    BeatWork,
    House,
    KeyPerson,
    KeyPersonCheckIn,
    Organisation,
    Resident,
)
from jingwu.community.schemas import (
    BeatWorkIn,
    CheckInIn,
    CheckInOut,
    HouseIn,
    HouseOut,
    KeyPersonIn,
    KeyPersonOut,
    OrganisationIn,
    QualityRow,
    ResidentIn,
    ResidentOut,
    VerifyIn,
)
from jingwu.core import events
from jingwu.core.clock import as_utc, utcnow
from jingwu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from jingwu.core.idcard import mask_id_number, mask_phone, parse_id_number
from jingwu.core.paging import page_of
from jingwu.identity import audit
from jingwu.identity import service as identity_service
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission, can
from jingwu.places import service as places_service
from jingwu.places.models import Beat, Community, StandardAddress

ACCURACY_MONTHS = 6
_DOOR_ONWARDS = re.compile(r"\d+号.*$")


def mask_address(text: str) -> str:
    """The community and street stay; the door, building and room do not."""
    return _DOOR_ONWARDS.sub("**号", text) if text else text


def check_unmask(
    session: Session, *, officer: Officer, unmask: bool, entity: str, entity_id: int
) -> bool:
    """True when the caller asked for and may see personal data; the asking is audited."""
    if not unmask:
        return False
    if not can(officer.role, Permission.PERSON_UNMASK):
        raise Forbidden(
            "当前角色无权查看完整个人信息 / your role may not see unmasked personal data",
            code="forbidden",
            permission=Permission.PERSON_UNMASK.value,
        )
    audit.write(
        session, officer_id=officer.id, action="person.unmask", entity=entity, entity_id=entity_id
    )
    return True


def _community_of_address(session: Session, address_id: int) -> StandardAddress:
    return places_service.get_address(session, address_id=address_id)


def _get_community(session: Session, community_id: int) -> Community:
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound(f"社区不存在 / no community {community_id}", code="community_not_found")
    return community


def _collected(session: Session, *, officer_id: int, entity: str, row: House | Resident) -> None:
    audit.write(
        session,
        officer_id=officer_id,
        action=f"{entity}.collect",
        entity=entity,
        entity_id=row.id,
    )
    events.record(
        session,
        RecordCollected(
            entity=entity, entity_id=row.id, action="collect", community_id=row.community_id
        ),
    )


# --- houses ---------------------------------------------------------------------------------


def do_collect_house(session: Session, *, data: HouseIn, officer_id: int) -> House:
    address = _community_of_address(session, data.address_id)
    taken = session.scalars(select(House.id).where(House.address_id == address.id)).first()
    if taken is not None:
        raise Conflict(
            f"该地址已登记房屋 #{taken} / a house is already recorded at this address",
            code="house_exists",
            house_id=taken,
        )
    house = House(
        address_id=address.id,
        community_id=address.community_id,
        owner_name=data.owner_name,
        owner_phone=data.owner_phone,
        use=data.use,
        rented=data.rented or data.use == "出租",
        note=data.note,
        collected_by_id=officer_id,
        collected_at=utcnow(),
    )
    session.add(house)
    session.flush()
    _collected(session, officer_id=officer_id, entity="house", row=house)
    return house


def get_house(session: Session, *, house_id: int) -> House:
    house = session.get(House, house_id)
    if house is None:
        raise NotFound(f"房屋不存在 / no house {house_id}", code="house_not_found")
    return house


def describe_house(session: Session, *, house: House, unmasked: bool) -> HouseOut:
    address = session.get(StandardAddress, house.address_id)
    text = address.full_text if address else ""
    return HouseOut(
        id=house.id,
        address_id=house.address_id,
        address_text=text if unmasked else mask_address(text),
        community_id=house.community_id,
        owner_name=house.owner_name,
        owner_phone=house.owner_phone if unmasked else mask_phone(house.owner_phone),
        use=house.use,
        rented=house.rented,
        note=house.note,
        masked=not unmasked,
        collected_by_id=house.collected_by_id,
        collected_at=house.collected_at,
        verified_by_id=house.verified_by_id,
        verified_at=house.verified_at,
        check_failed=house.check_failed,
    )


# --- residents ------------------------------------------------------------------------------


def do_collect_resident(session: Session, *, data: ResidentIn, officer_id: int) -> Resident:
    community_id = data.community_id
    if data.house_id is not None:
        house = get_house(session, house_id=data.house_id)
        if community_id is not None and community_id != house.community_id:
            raise InvalidInput(
                "房屋不属于该社区 / the house is not in that community", code="community_mismatch"
            )
        community_id = house.community_id
    assert community_id is not None
    _get_community(session, community_id)
    sex, born = "", None
    if data.id_number:
        parsed = parse_id_number(data.id_number)
        sex, born = parsed.sex, parsed.birth_date
        taken = session.scalars(
            select(Resident.id).where(Resident.id_number == parsed.value)
        ).first()
        if taken is not None:
            raise Conflict(
                "该身份证号已登记 / this ID number is already recorded",
                code="resident_exists",
                resident_id=taken,
            )
    resident = Resident(
        name=data.name,
        id_number=data.id_number,
        phone=data.phone,
        sex=sex,
        birth_date=born,
        kind=data.kind,
        tenant=data.tenant,
        house_id=data.house_id,
        community_id=community_id,
        note=data.note,
        collected_by_id=officer_id,
        collected_at=utcnow(),
    )
    session.add(resident)
    session.flush()
    _collected(session, officer_id=officer_id, entity="resident", row=resident)
    return resident


def get_resident(session: Session, *, resident_id: int) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(f"人员不存在 / no resident {resident_id}", code="resident_not_found")
    return resident


def _address_text_of(session: Session, resident: Resident) -> str:
    if resident.house_id is None:
        community = session.get(Community, resident.community_id)
        return community.name if community else ""
    house = session.get(House, resident.house_id)
    address = session.get(StandardAddress, house.address_id) if house else None
    return address.full_text if address else ""


def describe_resident(session: Session, *, resident: Resident, unmasked: bool) -> ResidentOut:
    text = _address_text_of(session, resident)
    id_number = resident.id_number
    return ResidentOut(
        id=resident.id,
        name=resident.name,
        id_number=id_number if unmasked or not id_number else mask_id_number(id_number),
        phone=resident.phone if unmasked else mask_phone(resident.phone),
        sex=resident.sex,
        birth_year=resident.birth_date.year if resident.birth_date else None,
        kind=resident.kind,
        tenant=resident.tenant,
        house_id=resident.house_id,
        address_text=text if unmasked else mask_address(text),
        community_id=resident.community_id,
        note=resident.note,
        masked=not unmasked,
        collected_by_id=resident.collected_by_id,
        collected_at=resident.collected_at,
        verified_by_id=resident.verified_by_id,
        verified_at=resident.verified_at,
        check_failed=resident.check_failed,
    )


def search_residents(
    session: Session,
    *,
    text: str | None = None,
    community_id: int | None = None,
    house_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Resident], int]:
    query = select(Resident)
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Resident.name.like(f"%{escaped}%", escape="\\"))
    if community_id is not None:
        query = query.where(Resident.community_id == community_id)
    if house_id is not None:
        query = query.where(Resident.house_id == house_id)
    return page_of(session, query, Resident.id, limit=limit, offset=offset)


# --- organisations --------------------------------------------------------------------------


def do_collect_organisation(
    session: Session, *, data: OrganisationIn, officer_id: int
) -> Organisation:
    community_id = data.community_id
    if data.address_id is not None:
        address = _community_of_address(session, data.address_id)
        community_id = address.community_id
    assert community_id is not None
    _get_community(session, community_id)
    organisation = Organisation(
        name=data.name,
        kind=data.kind,
        address_id=data.address_id,
        community_id=community_id,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        collected_by_id=officer_id,
        collected_at=utcnow(),
    )
    session.add(organisation)
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action="organisation.collect",
        entity="organisation",
        entity_id=organisation.id,
    )
    events.record(
        session,
        RecordCollected(
            entity="organisation",
            entity_id=organisation.id,
            action="collect",
            community_id=community_id,
        ),
    )
    return organisation


def list_organisations(session: Session, *, community_id: int | None = None) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.id)
    if community_id is not None:
        query = query.where(Organisation.community_id == community_id)
    return list(session.scalars(query).all())


# --- verification ---------------------------------------------------------------------------

_VERIFIABLE: dict[str, type[House] | type[Resident] | type[Organisation]] = {
    "house": House,
    "resident": Resident,
    "organisation": Organisation,
}


def do_verify(
    session: Session, *, entity: str, entity_id: int, data: VerifyIn, officer_id: int
) -> House | Resident | Organisation:
    """核实: a second look at a record; a failed check counts against accuracy until fixed."""
    if entity not in _VERIFIABLE:
        raise NotFound(f"无此类记录 / no such record kind {entity}", code="bad_entity")
    row: House | Resident | Organisation | None
    if entity == "house":
        row = session.get(House, entity_id)
    elif entity == "resident":
        row = session.get(Resident, entity_id)
    else:
        row = session.get(Organisation, entity_id)
    if row is None:
        raise NotFound(f"记录不存在 / no {entity} {entity_id}", code=f"{entity}_not_found")
    row.verified_by_id = officer_id
    row.verified_at = utcnow()
    row.check_failed = not data.ok
    audit.write(
        session,
        officer_id=officer_id,
        action=f"{entity}.verify",
        entity=entity,
        entity_id=entity_id,
        detail={"ok": data.ok, "note": data.note},
    )
    events.record(
        session,
        RecordCollected(
            entity=entity,
            entity_id=entity_id,
            action="verify" if data.ok else "check_failed",
            community_id=row.community_id,
        ),
    )
    session.flush()
    return row


# --- information quality --------------------------------------------------------------------


@dataclass
class _Tally:
    houses: int = 0
    residents: int = 0
    records: int = 0
    verified_recent: int = 0
    failed: int = 0

    def add(self, other: _Tally) -> None:
        self.houses += other.houses
        self.residents += other.residents
        self.records += other.records
        self.verified_recent += other.verified_recent
        self.failed += other.failed


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _tallies(session: Session, *, since: datetime, key: str) -> dict[int | None, _Tally]:
    tallies: dict[int | None, _Tally] = defaultdict(_Tally)
    for model in (House, Resident, Organisation):
        group = model.community_id if key == "community" else model.collected_by_id
        recent = (model.verified_at >= since) & (model.check_failed.is_(False))
        rows = session.execute(
            select(
                group,
                func.count(),
                func.sum(case((recent, 1), else_=0)),
                func.sum(case((model.check_failed.is_(True), 1), else_=0)),
            ).group_by(group)
        ).all()
        for group_id, count, verified, failed in rows:
            tally = tallies[group_id]
            tally.records += count
            tally.verified_recent += int(verified or 0)
            tally.failed += int(failed or 0)
            if model is House:
                tally.houses += count
            elif model is Resident:
                tally.residents += count
    return tallies


def _row(
    scope: Literal["community", "beat", "officer"],
    id_: int,
    name: str,
    tally: _Tally,
    households: int,
    population: int,
) -> QualityRow:
    return QualityRow(
        scope=scope,
        id=id_,
        name=name,
        houses=tally.houses,
        expected_households=households,
        house_rate=_rate(tally.houses, households),
        residents=tally.residents,
        expected_population=population,
        people_rate=_rate(tally.residents, population),
        records=tally.records,
        verified_recent=tally.verified_recent,
        failed_checks=tally.failed,
        accuracy=_rate(tally.verified_recent, tally.records),
    )


def information_quality(
    session: Session, *, months: int = ACCURACY_MONTHS, now: datetime | None = None
) -> list[QualityRow]:
    """采集率 and 准确率 per community, per beat and per officer.

    Collection rate: houses against expected households, people against expected population.
    Accuracy: records verified within ``months`` months and not failing their last check.
    """
    now = as_utc(now or utcnow())
    since = now - timedelta(days=30 * months)
    by_community = _tallies(session, since=since, key="community")
    by_officer = _tallies(session, since=since, key="officer")
    rows: list[QualityRow] = []
    beats = {b.id: b for b in places_service.list_beats(session)}
    beat_tally: dict[int, _Tally] = defaultdict(_Tally)
    beat_expected: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for community in places_service.list_communities(session):
        tally = by_community.get(community.id, _Tally())
        rows.append(
            _row(
                "community",
                community.id,
                community.name,
                tally,
                community.expected_households,
                community.expected_population,
            )
        )
        if community.beat_id is not None:
            beat_tally[community.beat_id].add(tally)
            beat_expected[community.beat_id][0] += community.expected_households
            beat_expected[community.beat_id][1] += community.expected_population
    for beat_id, beat in beats.items():
        households, population = beat_expected[beat_id]
        rows.append(_row("beat", beat_id, beat.name, beat_tally[beat_id], households, population))
    officer_beats = _beats_by_officer(session)
    for officer_id, tally in sorted(by_officer.items(), key=lambda p: p[0] or 0):
        if officer_id is None:
            continue
        officer = session.get(Officer, officer_id)
        households = sum(beat_expected[b][0] for b in officer_beats.get(officer_id, []))
        population = sum(beat_expected[b][1] for b in officer_beats.get(officer_id, []))
        name = officer.display_name if officer else str(officer_id)
        rows.append(_row("officer", officer_id, name, tally, households, population))
    return rows


# --- beats and officers ---------------------------------------------------------------------


def _beats_by_officer(session: Session) -> dict[int, list[int]]:
    mapping: dict[int, list[int]] = defaultdict(list)
    for link in session.scalars(select(BeatOfficer)).all():
        mapping[link.officer_id].append(link.beat_id)
    return mapping


def beats_of_officer(session: Session, *, officer_id: int) -> list[int]:
    return _beats_by_officer(session).get(officer_id, [])


def officer_of_beat(session: Session, *, beat_id: int | None) -> int | None:
    if beat_id is None:
        return None
    return session.scalars(
        select(BeatOfficer.officer_id)
        .where(BeatOfficer.beat_id == beat_id)
        .order_by(BeatOfficer.id)
    ).first()


def do_assign_beat(
    session: Session, *, beat_id: int, officer_id: int, actor_id: int
) -> BeatOfficer:
    places_service.get_beat(session, beat_id=beat_id)
    identity_service.get_officer(session, officer_id=officer_id)
    existing = session.scalars(
        select(BeatOfficer).where(
            BeatOfficer.beat_id == beat_id, BeatOfficer.officer_id == officer_id
        )
    ).first()
    if existing is not None:
        return existing
    link = BeatOfficer(beat_id=beat_id, officer_id=officer_id)
    session.add(link)
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="beat.assign",
        entity="beat",
        entity_id=beat_id,
        detail={"officer_id": officer_id},
    )
    events.record(session, BeatAssigned(beat_id=beat_id, officer_id=officer_id))
    return link


# --- key persons ----------------------------------------------------------------------------


def do_add_key_person(session: Session, *, data: KeyPersonIn, actor_id: int) -> KeyPerson:
    resident = get_resident(session, resident_id=data.resident_id)
    officer_id = data.officer_id or actor_id
    identity_service.get_officer(session, officer_id=officer_id)
    taken = session.scalars(
        select(KeyPerson.id).where(KeyPerson.resident_id == resident.id)
    ).first()
    if taken is not None:
        raise Conflict(
            "该人员已列为重点人员 / already a key person", code="key_person_exists", id=taken
        )
    person = KeyPerson(
        resident_id=resident.id,
        category=data.category,
        control_level=data.control_level,
        officer_id=officer_id,
        plan=data.plan,
        visit_every_days=data.visit_every_days,
        next_visit_due=utcnow() + timedelta(days=data.visit_every_days),
    )
    session.add(person)
    session.flush()
    audit.write(
        session,
        officer_id=actor_id,
        action="key_person.add",
        entity="key_person",
        entity_id=person.id,
        detail={"category": data.category, "level": data.control_level},
    )
    events.record(
        session,
        KeyPersonListed(
            key_person_id=person.id, officer_id=officer_id, control_level=person.control_level
        ),
    )
    return person


def get_key_person(session: Session, *, key_person_id: int) -> KeyPerson:
    person = session.get(KeyPerson, key_person_id)
    if person is None:
        raise NotFound(
            f"重点人员不存在 / no key person {key_person_id}", code="key_person_not_found"
        )
    return person


def do_check_in(
    session: Session, *, person: KeyPerson, data: CheckInIn, officer_id: int
) -> KeyPersonCheckIn:
    """A visit to a key person: notes, position, still in control; the next visit falls due."""
    if not person.active:
        raise Conflict("该人员已撤管 / no longer under control", code="key_person_inactive")
    now = utcnow()
    checkin = KeyPersonCheckIn(
        key_person_id=person.id,
        officer_id=officer_id,
        at=now,
        note=data.note,
        in_control=data.in_control,
        lat=data.lat,
        lon=data.lon,
    )
    session.add(checkin)
    person.in_control = data.in_control
    person.next_visit_due = now + timedelta(days=person.visit_every_days)
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action="key_person.check_in",
        entity="key_person",
        entity_id=person.id,
        detail={"in_control": data.in_control},
    )
    events.record(
        session,
        KeyPersonVisited(
            key_person_id=person.id, officer_id=officer_id, in_control=data.in_control
        ),
    )
    return checkin


def list_key_persons(
    session: Session,
    *,
    officer_id: int | None = None,
    overdue_only: bool = False,
    due_before: datetime | None = None,
    now: datetime | None = None,
) -> list[KeyPerson]:
    query = select(KeyPerson).where(KeyPerson.active.is_(True))
    if officer_id is not None:
        query = query.where(KeyPerson.officer_id == officer_id)
    if overdue_only:
        query = query.where(KeyPerson.next_visit_due < (now or utcnow()))
    if due_before is not None:
        query = query.where(KeyPerson.next_visit_due <= due_before)
    return list(session.scalars(query.order_by(KeyPerson.next_visit_due)).all())


def describe_key_person(
    session: Session,
    *,
    person: KeyPerson,
    unmasked: bool,
    with_checkins: bool = False,
    now: datetime | None = None,
) -> KeyPersonOut:
    now = as_utc(now or utcnow())
    resident = get_resident(session, resident_id=person.resident_id)
    officer = session.get(Officer, person.officer_id)
    due = as_utc(person.next_visit_due)
    overdue = person.active and due < now
    checkins: list[KeyPersonCheckIn] = []
    if with_checkins:
        checkins = list(
            session.scalars(
                select(KeyPersonCheckIn)
                .where(KeyPersonCheckIn.key_person_id == person.id)
                .order_by(KeyPersonCheckIn.at.desc())
                .limit(20)
            ).all()
        )
    id_number = resident.id_number
    return KeyPersonOut(
        id=person.id,
        resident_id=resident.id,
        name=resident.name,
        id_number=id_number if unmasked or not id_number else mask_id_number(id_number),
        category=person.category,
        control_level=person.control_level,
        officer_id=person.officer_id,
        officer_name=officer.display_name if officer else "",
        plan=person.plan,
        visit_every_days=person.visit_every_days,
        next_visit_due=due,
        overdue=overdue,
        overdue_days=max(0, (now - due).days) if overdue else 0,
        in_control=person.in_control,
        active=person.active,
        checkins=[CheckInOut.model_validate(c) for c in checkins],
    )


def stability_control_rate(
    session: Session, *, beat_id: int | None = None, officer_id: int | None = None
) -> dict[str, float | int | None]:
    """重点人员稳控率: active key persons still in control, over all active key persons."""
    query = select(KeyPerson.in_control, func.count()).where(KeyPerson.active.is_(True))
    if officer_id is not None:
        query = query.where(KeyPerson.officer_id == officer_id)
    if beat_id is not None:
        query = (
            query.join(Resident, Resident.id == KeyPerson.resident_id)
            .join(Community, Community.id == Resident.community_id)
            .where(Community.beat_id == beat_id)
        )
    counts = dict(session.execute(query.group_by(KeyPerson.in_control)).all())
    total = sum(counts.values())
    controlled = counts.get(True, 0)
    return {"total": total, "in_control": controlled, "rate": _rate(controlled, total)}


# --- beat work ------------------------------------------------------------------------------


def do_log_work(session: Session, *, data: BeatWorkIn, officer_id: int) -> BeatWork:
    community_id = data.community_id
    if data.house_id is not None:
        community_id = get_house(session, house_id=data.house_id).community_id
    if data.resident_id is not None:
        community_id = get_resident(session, resident_id=data.resident_id).community_id
    beat_id = None
    if community_id is not None:
        beat_id = _get_community(session, community_id).beat_id
    else:
        beats = beats_of_officer(session, officer_id=officer_id)
        beat_id = beats[0] if beats else None
    work = BeatWork(
        kind=data.kind,
        officer_id=officer_id,
        beat_id=beat_id,
        community_id=community_id,
        house_id=data.house_id,
        resident_id=data.resident_id,
        title=data.title,
        note=data.note,
        people_reached=data.people_reached,
        lat=data.lat,
        lon=data.lon,
    )
    session.add(work)
    session.flush()
    audit.write(
        session,
        officer_id=officer_id,
        action=f"beat_work.{data.kind}",
        entity="beat_work",
        entity_id=work.id,
    )
    events.record(session, BeatWorkLogged(work_id=work.id, kind=work.kind, officer_id=officer_id))
    return work


def list_work(
    session: Session,
    *,
    kind: str | None = None,
    officer_id: int | None = None,
    beat_id: int | None = None,
    limit: int = 50,
) -> list[BeatWork]:
    query = select(BeatWork)
    if kind:
        query = query.where(BeatWork.kind == kind)
    if officer_id is not None:
        query = query.where(BeatWork.officer_id == officer_id)
    if beat_id is not None:
        query = query.where(BeatWork.beat_id == beat_id)
    return list(session.scalars(query.order_by(BeatWork.at.desc()).limit(limit)).all())


def beat_name(session: Session, beat_id: int | None) -> str:
    beat = session.get(Beat, beat_id) if beat_id else None
    return beat.name if beat else ""
