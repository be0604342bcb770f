"""矛盾纠纷: registered from a diverted incident or a walk-in, mediated, settled, called back.

An incident triaged to the community route becomes a dispute (by the IncidentTriaged event or
by its id); a dispute that grows past mediation goes back to the command room as an incident.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jingwu.command import intake
from jingwu.command.schemas import IncidentIn
from jingwu.command.states import Route
from jingwu.community import service
from jingwu.community.events import DisputeChanged
from jingwu.community.models import (
    Dispute,
    DisputeCallback,
    DisputeParty,
    DisputeStatus,
    MediationSession,
)
from jingwu.community.schemas import (
    CallbackIn,
    CallbackOut,
    DisputeIn,
    DisputeOut,
    DisputeSummary,
    EscalateIn,
    FromIncidentIn,
    MediationIn,
    MediationOut,
    PartyIn,
    PartyOut,
    ResolutionRate,
)
from jingwu.core import events
from jingwu.core.clock import as_utc, to_local, utcnow
from jingwu.core.db import Database
from jingwu.core.errors import Conflict, InvalidInput, NotFound
from jingwu.core.events import Envelope
from jingwu.core.idcard import mask_phone
from jingwu.core.paging import page_of
from jingwu.identity import audit
from jingwu.places import service as places_service
from jingwu.places.models import Community

log = logging.getLogger(__name__)
OPEN = frozenset({DisputeStatus.REGISTERED.value, DisputeStatus.MEDIATING.value})
STATUS_LABELS = {
    DisputeStatus.REGISTERED.value: "已登记",
    DisputeStatus.MEDIATING.value: "调解中",
    DisputeStatus.RESOLVED.value: "已化解",
    DisputeStatus.FAILED.value: "调解不成",
    DisputeStatus.ESCALATED.value: "已升级",
}
RISK_LABELS = {"low": "低", "medium": "中", "high": "高"}


def _changed(session: Session, *, dispute: Dispute, action: str, actor_id: int | None) -> None:
    audit.write(
        session,
        officer_id=actor_id,
        action=f"dispute.{action}",
        entity="dispute",
        entity_id=dispute.id,
        detail={"status": dispute.status},
    )
    events.record(
        session,
        DisputeChanged(
            dispute_id=dispute.id,
            number=dispute.number,
            status=dispute.status,
            action=action,
            beat_id=dispute.beat_id,
            incident_id=dispute.incident_id,
        ),
    )


def _number(dispute: Dispute) -> str:
    return f"JF{to_local(dispute.registered_at):%Y%m%d}-{dispute.id:05d}"


def _save(session: Session, dispute: Dispute) -> Dispute:
    dispute.number = f"tmp-{uuid.uuid4().hex[:24]}"
    session.add(dispute)
    session.flush()
    dispute.number = _number(dispute)
    return dispute


def _party_key(party: DisputeParty) -> str:
    if party.resident_id is not None:
        return f"r{party.resident_id}"
    return f"n{party.name}|{party.phone}"


def _add_parties(session: Session, *, dispute: Dispute, parties: list[PartyIn]) -> None:
    for party in parties:
        if party.resident_id is not None:
            service.get_resident(session, resident_id=party.resident_id)
        session.add(
            DisputeParty(
                dispute_id=dispute.id,
                resident_id=party.resident_id,
                name=party.name,
                phone=party.phone,
            )
        )
    session.flush()
    _link_repeat(session, dispute=dispute)


def parties_of(session: Session, *, dispute_id: int) -> list[DisputeParty]:
    return list(
        session.scalars(
            select(DisputeParty)
            .where(DisputeParty.dispute_id == dispute_id)
            .order_by(DisputeParty.id)
        ).all()
    )


def _link_repeat(session: Session, *, dispute: Dispute) -> None:
    """Two or more of the same parties as an earlier dispute: a repeat (重复纠纷), linked."""
    mine = {_party_key(p) for p in parties_of(session, dispute_id=dispute.id)}
    if len(mine) < 2:
        return
    resident_ids = [int(k[1:]) for k in mine if k.startswith("r")]
    names = [p.name for p in parties_of(session, dispute_id=dispute.id)]
    earlier = session.scalars(
        select(DisputeParty.dispute_id)
        .where(
            DisputeParty.dispute_id != dispute.id,
            DisputeParty.dispute_id < dispute.id,
            or_(DisputeParty.resident_id.in_(resident_ids), DisputeParty.name.in_(names)),
        )
        .distinct()
        .order_by(DisputeParty.dispute_id.desc())
    ).all()
    for other_id in earlier:
        theirs = {_party_key(p) for p in parties_of(session, dispute_id=other_id)}
        if len(mine & theirs) >= 2:
            dispute.repeat_of_id = other_id
            return


def _place_of(session: Session, community_id: int | None) -> tuple[int | None, int | None]:
    if community_id is None:
        return None, None
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound(f"社区不存在 / no community {community_id}", code="community_not_found")
    return community.id, community.beat_id


def do_register_walk_in(session: Session, *, data: DisputeIn, officer_id: int) -> Dispute:
    community_id, beat_id = _place_of(session, data.community_id)
    if beat_id is None:
        beats = service.beats_of_officer(session, officer_id=officer_id)
        beat_id = beats[0] if beats else None
    dispute = _save(
        session,
        Dispute(
            source="walk_in",
            kind=data.kind,
            risk_level=data.risk_level,
            summary=data.summary,
            address_text=data.address_text,
            community_id=community_id,
            beat_id=beat_id,
            officer_id=officer_id,
            registered_at=utcnow(),
            created_by_id=officer_id,
        ),
    )
    _add_parties(session, dispute=dispute, parties=data.parties)
    _changed(session, dispute=dispute, action="register", actor_id=officer_id)
    return dispute


def dispute_of_incident(session: Session, *, incident_id: int) -> Dispute | None:
    return session.scalars(select(Dispute).where(Dispute.incident_id == incident_id)).first()


def do_register_from_incident(
    session: Session,
    *,
    incident_id: int,
    data: FromIncidentIn | None,
    actor_id: int | None,
) -> tuple[Dispute, bool]:
    """The dispute for an incident diverted to the community team; the same one if it exists."""
    existing = dispute_of_incident(session, incident_id=incident_id)
    if existing is not None:
        if data and data.parties and not parties_of(session, dispute_id=existing.id):
            _add_parties(session, dispute=existing, parties=data.parties)
        return existing, False
    incident = intake.get_incident(session, incident_id=incident_id)
    if incident.route != Route.COMMUNITY.value:
        raise Conflict(
            "该警情未分流至社区警务队 / the incident was not diverted to the community team",
            code="not_community_route",
            route=incident.route,
        )
    data = data or FromIncidentIn()
    officer_id = service.officer_of_beat(session, beat_id=incident.beat_id) or actor_id
    dispute = Dispute(
        source="incident",
        incident_id=incident.id,
        kind=data.kind,
        risk_level=data.risk_level,
        summary=incident.description or incident.route_reason,
        address_text=incident.address_text,
        community_id=incident.community_id,
        beat_id=incident.beat_id,
        officer_id=officer_id,
        registered_at=utcnow(),
        created_by_id=actor_id,
    )
    try:
        with session.begin_nested():
            _save(session, dispute)
    except IntegrityError:
        winner = dispute_of_incident(session, incident_id=incident_id)
        if winner is None:
            raise
        return winner, False
    if data.parties:
        _add_parties(session, dispute=dispute, parties=data.parties)
    _changed(session, dispute=dispute, action="register", actor_id=actor_id)
    return dispute, True


class _DiverterWorker:
    """Opens the dispute for each diverted incident, in its own session and thread.

    The outbox relay calls subscribers inside its own write transaction; writing from there
    would wait on that very transaction (SQLite has one writer), so the work is handed over.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._queue: queue.Queue[int] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, incident_id: int) -> None:
        self._queue.put(incident_id)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="community-disputes", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                incident_id = self._queue.get(timeout=30)
            except queue.Empty:
                return
            try:
                with self._database.session() as session:
                    do_register_from_incident(
                        session, incident_id=incident_id, data=None, actor_id=None
                    )
            except Exception:
                log.exception("could not open the dispute of incident %s", incident_id)


def incident_subscriber(database: Database) -> Callable[[Envelope], None]:
    """Listens for IncidentTriaged with route "community" and opens the dispute."""
    worker = _DiverterWorker(database)

    def _on_event(envelope: Envelope) -> None:
        if envelope.type == "incident.triaged" and envelope.payload.get("route") == "community":
            worker.submit(int(envelope.payload["incident_id"]))

    return _on_event


def get_dispute(session: Session, *, dispute_id: int) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound(f"纠纷不存在 / no dispute {dispute_id}", code="dispute_not_found")
    return dispute


def _check_open(dispute: Dispute, step: str) -> None:
    if dispute.status not in OPEN:
        raise Conflict(
            f"纠纷当前状态为「{STATUS_LABELS.get(dispute.status, dispute.status)}」，不能{step} / "
            f"a {dispute.status} dispute cannot take this step",
            code="bad_dispute_state",
            status=dispute.status,
        )


def do_add_parties(
    session: Session, *, dispute: Dispute, parties: list[PartyIn], actor_id: int
) -> Dispute:
    _check_open(dispute, "添加当事人")
    _add_parties(session, dispute=dispute, parties=parties)
    _changed(session, dispute=dispute, action="parties", actor_id=actor_id)
    return dispute


def do_mediate(
    session: Session, *, dispute: Dispute, data: MediationIn, officer_id: int
) -> MediationSession:
    """A mediation session; an agreement settles the dispute and books the callback."""
    _check_open(dispute, "调解")
    if data.outcome == "agreed" and not data.agreement:
        raise InvalidInput(
            "达成协议时请填写协议内容 / write down what was agreed", code="agreement_missing"
        )
    now = utcnow()
    mediation = MediationSession(
        dispute_id=dispute.id,
        officer_id=officer_id,
        at=now,
        place=data.place,
        notes=data.notes,
        outcome=data.outcome,
        agreement=data.agreement,
    )
    session.add(mediation)
    if dispute.officer_id is None:
        dispute.officer_id = officer_id
    if data.outcome == "agreed":
        dispute.status = DisputeStatus.RESOLVED.value
        dispute.resolved_at = now
        dispute.agreement = data.agreement
        dispute.outcome = data.notes
        session.add(
            DisputeCallback(
                dispute_id=dispute.id,
                due_at=now + timedelta(days=data.callback_days),
                officer_id=dispute.officer_id,
            )
        )
    else:
        dispute.status = DisputeStatus.MEDIATING.value
        dispute.outcome = data.notes
    session.flush()
    _changed(session, dispute=dispute, action=f"mediate.{data.outcome}", actor_id=officer_id)
    return mediation


def do_callback(
    session: Session, *, dispute: Dispute, data: CallbackIn, officer_id: int
) -> DisputeCallback:
    """回访: the parties are asked whether the settlement held; if not, the dispute reopens."""
    due = session.scalars(
        select(DisputeCallback)
        .where(DisputeCallback.dispute_id == dispute.id, DisputeCallback.done_at.is_(None))
        .order_by(DisputeCallback.due_at)
    ).first()
    if due is None:
        raise Conflict("没有待回访的记录 / no callback is due", code="no_callback_due")
    due.done_at = utcnow()
    due.officer_id = officer_id
    due.satisfied = data.satisfied
    due.note = data.note
    if not data.satisfied and dispute.status == DisputeStatus.RESOLVED.value:
        dispute.status = DisputeStatus.MEDIATING.value
        dispute.resolved_at = None
    session.flush()
    _changed(
        session,
        dispute=dispute,
        action="callback" if data.satisfied else "callback.reopened",
        actor_id=officer_id,
    )
    return due


def do_escalate(
    session: Session,
    *,
    dispute: Dispute,
    data: EscalateIn,
    officer_id: int,
    radius_m: float,
    window_minutes: int,
) -> Dispute:
    """A dispute past mediation becomes an incident in the command room's queue."""
    _check_open(dispute, "升级")
    address = dispute.address_text
    if not address and dispute.community_id is not None:
        community = session.get(Community, dispute.community_id)
        address = community.name if community else ""
    names = "、".join(p.name for p in parties_of(session, dispute_id=dispute.id))
    incident_in = IncidentIn(
        category_code=data.category_code,
        priority=data.priority,
        address_text=address or "雷锋派出所辖区",
        description=f"矛盾纠纷升级（{dispute.number}）：{data.reason}。当事人：{names}"[:4000],
    )
    result = intake.do_intake(
        session,
        data=incident_in,
        officer_id=officer_id,
        idempotency_key=f"dispute-escalate-{dispute.id}",
        radius_m=radius_m,
        window_minutes=window_minutes,
    )
    dispute.status = DisputeStatus.ESCALATED.value
    dispute.escalated_incident_id = result.incident.id
    dispute.outcome = data.reason
    session.flush()
    _changed(session, dispute=dispute, action="escalate", actor_id=officer_id)
    return dispute


def list_disputes(
    session: Session,
    *,
    status: str | None = None,
    beat_id: int | None = None,
    officer_id: int | None = None,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Dispute], int]:
    query = select(Dispute)
    if status:
        query = query.where(Dispute.status == status)
    if open_only:
        query = query.where(Dispute.status.in_(sorted(OPEN)))
    if beat_id is not None:
        query = query.where(Dispute.beat_id == beat_id)
    if officer_id is not None:
        query = query.where(Dispute.officer_id == officer_id)
    return page_of(
        session, query, Dispute.registered_at.desc(), Dispute.id.desc(), limit=limit, offset=offset
    )


def describe_dispute(session: Session, *, dispute: Dispute, unmasked: bool) -> DisputeOut:
    sessions = session.scalars(
        select(MediationSession)
        .where(MediationSession.dispute_id == dispute.id)
        .order_by(MediationSession.at)
    ).all()
    callbacks = session.scalars(
        select(DisputeCallback)
        .where(DisputeCallback.dispute_id == dispute.id)
        .order_by(DisputeCallback.due_at)
    ).all()
    related = session.scalars(
        select(Dispute).where(
            or_(
                Dispute.id == dispute.repeat_of_id,
                Dispute.repeat_of_id == dispute.id,
            )
        )
    ).all()
    summary = DisputeSummary.model_validate(dispute)
    return DisputeOut(
        **summary.model_dump(),
        outcome=dispute.outcome,
        agreement=dispute.agreement,
        parties=[
            PartyOut(
                id=p.id,
                resident_id=p.resident_id,
                name=p.name,
                phone=p.phone if unmasked else mask_phone(p.phone),
            )
            for p in parties_of(session, dispute_id=dispute.id)
        ],
        sessions=[MediationOut.model_validate(s) for s in sessions],
        callbacks=[CallbackOut.model_validate(c) for c in callbacks],
        related=[DisputeSummary.model_validate(r) for r in related if r.id != dispute.id],
    )


def callbacks_due(
    session: Session, *, officer_id: int | None, before: datetime
) -> list[tuple[DisputeCallback, Dispute]]:
    query = (
        select(DisputeCallback, Dispute)
        .join(Dispute, Dispute.id == DisputeCallback.dispute_id)
        .where(DisputeCallback.done_at.is_(None), DisputeCallback.due_at <= before)
        .order_by(DisputeCallback.due_at)
    )
    if officer_id is not None:
        query = query.where(Dispute.officer_id == officer_id)
    return [(c, d) for c, d in session.execute(query).all()]


def dispute_resolution_rate(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    beat_id: int | None = None,
    officer_id: int | None = None,
) -> ResolutionRate:
    """矛盾纠纷化解率: of the disputes registered in [start, end), the share resolved.

    Escalated and still-open disputes count against the rate. Analytics calls this.
    """
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise InvalidInput("结束时间应晚于开始时间 / end must be after start", code="bad_period")
    if beat_id is not None:
        places_service.get_beat(session, beat_id=beat_id)
    query = select(Dispute.status, func.count()).where(
        Dispute.registered_at >= start, Dispute.registered_at < end
    )
    if beat_id is not None:
        query = query.where(Dispute.beat_id == beat_id)
    if officer_id is not None:
        query = query.where(Dispute.officer_id == officer_id)
    counts = dict(session.execute(query.group_by(Dispute.status)).all())
    total = sum(counts.values())
    resolved = counts.get(DisputeStatus.RESOLVED.value, 0)
    return ResolutionRate(
        start=start,
        end=end,
        beat_id=beat_id,
        officer_id=officer_id,
        total=total,
        resolved=resolved,
        escalated=counts.get(DisputeStatus.ESCALATED.value, 0),
        open=sum(counts.get(s, 0) for s in OPEN),
        rate=round(resolved / total, 4) if total else None,
    )
