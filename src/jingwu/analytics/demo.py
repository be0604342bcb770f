"""The public's answers in the Leifeng demo: commendations (锦旗, 感谢信) and call-back scores.

``build_analytics_demo(session, context)`` is a scenario builder. It runs after the history,
the cases and the disputes are in place, and draws the public's answers from what the station
did: a victim whose case was cleared and property returned, a family whose lost relative was
found, neighbours whose quarrel was settled — each sends a banner with some chance; callers
called back are satisfied with a chance that falls with a late arrival, an uncleared case or
an unsettled dispute. No figure is written: the board counts the rows this leaves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jingwu.analytics.models import Commendation, PublicFeedback
from jingwu.cases.models import Case
from jingwu.command.models import Incident
from jingwu.community.models import Dispute, DisputeCallback, DisputeStatus
from jingwu.identity.models import Officer


class DemoContext(Protocol):
    seed: int
    now: datetime
    history_days: int
    notes: list[str]


@dataclass(frozen=True)
class CommendationProcess:
    """Chances that a deed brings a commendation, today; a year earlier ``yearly_factor`` ×."""

    cleared_with_recovery: float = 0.04  # a cleared case that got the victim's property back
    person_found: float = 0.06  # a missing person (人员走失) found by a patrol
    dispute_settled: float = 0.007  # a settled dispute whose parties were satisfied at callback
    yearly_factor: float = 0.8
    letter_share: float = 0.15  # the rest are banners (锦旗)
    delay_days: float = 7.0  # median, from the deed to the banner arriving


@dataclass(frozen=True)
class FeedbackProcess:
    """Who is called back (回访) and how likely they are to be satisfied (4–5 of 5)."""

    share: float = 0.12  # of closed incidents, called back
    satisfied_now: float = 0.985  # when everything went well, today
    yearly_gain: float = 0.01  # a year earlier, this much less
    on_scene_minutes: float = 12.0  # arrival within this is on time
    per_late_minute: float = 0.006  # less for each minute later
    not_cleared: float = 0.12  # less when the case is not (yet) cleared
    not_settled: float = 0.30  # less when the dispute is not settled
    delay_days: float = 2.0  # median, from closing to the call back


COMMENDATIONS = CommendationProcess()
FEEDBACK = FeedbackProcess()
_WORDS = {
    "case": ("破案神速 为民挽损", "人民卫士 守护平安", "秉公执法 追赃挽损"),
    "found": ("寻亲护民 情暖人心", "人民警察为人民", "雷锋精神 警民一家"),
    "dispute": ("调解有方 邻里和睦", "排忧解难 为民办实事", "公正调解 化解矛盾"),
}
_HAPPY = ("民警来得很快，处理得好", "态度好，很耐心", "问题解决了，谢谢", "满意")
_UNHAPPY = ("到得有点慢", "还没有结果，希望尽快", "处理结果不太满意")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田"


def build_analytics_demo(session: Session, context: DemoContext) -> None:
    """Commendations and call-back scores over the history (nothing without a history)."""
    if context.history_days <= 0:
        return
    if session.scalars(select(Commendation.id).limit(1)).first() is not None:
        return
    rng = random.Random(context.seed * 15_485_863 + 29)
    analyst = session.scalars(select(Officer.id).where(Officer.username == "analyst")).first()
    since = context.now - timedelta(days=context.history_days)
    commendations = _commendations(session, rng, now=context.now, since=since, by=analyst)
    feedback = _feedback(session, rng, now=context.now, since=since, by=analyst)
    for model, rows in ((Commendation, commendations), (PublicFeedback, feedback)):
        for start in range(0, len(rows), 5_000):
            session.execute(insert(model), rows[start : start + 5_000])
    context.notes.append(
        f"analytics: {len(commendations)} commendations, {len(feedback)} call-back scores"
    )


def _years_ago(now: datetime, moment: datetime) -> float:
    return max(0.0, (now - moment).total_seconds() / (365.0 * 86400))


def _commendations(
    session: Session, rng: random.Random, *, now: datetime, since: datetime, by: int | None
) -> list[dict[str, Any]]:
    process = COMMENDATIONS
    names = dict(session.execute(select(Officer.id, Officer.display_name)).all())
    deeds: list[tuple[datetime, float, str, int | None, int | None]] = []
    for solved, incident_id, lead in session.execute(
        select(Case.solved_at, Case.incident_id, Case.lead_officer_id).where(
            Case.solved_at.is_not(None),
            Case.first_recovery_at.is_not(None),
            Case.solved_at >= since,
        )
    ):
        if solved is not None:
            deeds.append((solved, process.cleared_with_recovery, "case", lead, incident_id))
    for closed, incident_id in session.execute(
        select(Incident.closed_at, Incident.id).where(
            Incident.category_code == "0501",
            Incident.is_drill.is_(False),
            Incident.closed_at.is_not(None),
            Incident.closed_at >= since,
        )
    ):
        if closed is not None:
            deeds.append((closed, process.person_found, "found", None, incident_id))
    for resolved, incident_id, officer in session.execute(
        select(Dispute.resolved_at, Dispute.incident_id, Dispute.officer_id)
        .join(DisputeCallback, DisputeCallback.dispute_id == Dispute.id)
        .where(
            Dispute.status == DisputeStatus.RESOLVED.value,
            Dispute.resolved_at >= since,
            DisputeCallback.satisfied.is_(True),
        )
    ):
        if resolved is not None:
            deeds.append((resolved, process.dispute_settled, "dispute", officer, incident_id))
    deeds.sort(key=lambda deed: (deed[0], deed[2], deed[4] or 0))
    # systematic sampling over the deeds in time order, as the incident history samples its
    # intensity: a year's count follows the summed chances closely, which deed it is varies
    rows: list[dict[str, Any]] = []
    mark, summed = rng.random(), 0.0
    for at, chance_now, why, officer, incident_id in deeds:
        summed += chance_now * process.yearly_factor ** _years_ago(now, at)
        if summed < mark:
            continue
        mark += 1.0
        received = at + timedelta(days=process.delay_days * rng.lognormvariate(0.0, 0.6))
        if received >= now:
            continue  # still on its way
        kind = "letter" if rng.random() < process.letter_share else "banner"
        rows.append(
            {
                "kind": kind,
                "received_at": received,
                "giver": f"群众{rng.choice(_SURNAMES)}{rng.choice(('先生', '女士'))}",
                "recipient": names.get(officer, "雷锋派出所") if officer else "雷锋派出所",
                "officer_id": officer,
                "incident_id": incident_id,
                "words": rng.choice(_WORDS[why]) if kind == "banner" else "感谢民警的帮助",
                "recorded_by_id": by,
                "recorded_at": received,
            }
        )
    return rows


def _feedback(
    session: Session, rng: random.Random, *, now: datetime, since: datetime, by: int | None
) -> list[dict[str, Any]]:
    process = FEEDBACK
    cleared: dict[int | None, datetime | None] = dict(
        session.execute(
            select(Case.incident_id, Case.solved_at).where(Case.incident_id.is_not(None))
        ).all()
    )
    settled = {
        incident_id: status == DisputeStatus.RESOLVED.value
        for incident_id, status in session.execute(
            select(Dispute.incident_id, Dispute.status).where(Dispute.incident_id.is_not(None))
        )
    }
    rows: list[dict[str, Any]] = []
    for incident_id, reported, on_scene, closed in session.execute(
        select(Incident.id, Incident.reported_at, Incident.on_scene_at, Incident.closed_at)
        .where(
            Incident.is_drill.is_(False),
            Incident.merged_into_id.is_(None),
            Incident.closed_at.is_not(None),
            Incident.closed_at >= since,
        )
        .order_by(Incident.id)
    ):
        if rng.random() >= process.share or closed is None:
            continue
        called = closed + timedelta(days=process.delay_days * rng.lognormvariate(0.0, 0.5))
        if called >= now:
            continue
        chance = process.satisfied_now - process.yearly_gain * _years_ago(now, called)
        if on_scene is not None:
            minutes = (on_scene - reported).total_seconds() / 60.0
            chance -= process.per_late_minute * max(0.0, minutes - process.on_scene_minutes)
        if incident_id in cleared:
            solved = cleared[incident_id]
            if solved is None or solved > called:
                chance -= process.not_cleared
        if settled.get(incident_id) is False:
            chance -= process.not_settled
        happy = rng.random() < chance
        score = rng.choice((4, 5, 5)) if happy else rng.choice((1, 2, 3, 3))
        rows.append(
            {
                "channel": "callback" if rng.random() < 0.85 else "rating",
                "received_at": called,
                "incident_id": incident_id,
                "score": score,
                "text": rng.choice(_HAPPY if happy else _UNHAPPY),
                "recorded_by_id": by,
                "recorded_at": called,
            }
        )
    return rows
