"""The community officer's day, as the phone shows it: what is due today, and by when."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from jingwu.community import disputes, service, whistle
from jingwu.community.schemas import DayPlanOut, DisputeSummary
from jingwu.core.clock import LOCAL_ZONE, as_utc, to_local, utcnow


def end_of_local_day(moment: datetime) -> datetime:
    local = to_local(moment)
    return as_utc(datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=LOCAL_ZONE))


def day_plan(session: Session, *, officer_id: int, now: datetime | None = None) -> DayPlanOut:
    now = as_utc(now or utcnow())
    until = end_of_local_day(now)
    people = service.list_key_persons(session, officer_id=officer_id, due_before=until)
    callbacks = disputes.callbacks_due(session, officer_id=officer_id, before=until)
    open_disputes, _ = disputes.list_disputes(
        session, officer_id=officer_id, open_only=True, limit=50
    )
    requests, _ = whistle.list_requests(session, created_by_id=officer_id, open_only=True, limit=50)
    visits = [
        service.describe_key_person(session, person=p, unmasked=False, now=now) for p in people
    ]
    return DayPlanOut(
        date=to_local(now).date(),
        officer_id=officer_id,
        beats=service.beats_of_officer(session, officer_id=officer_id),
        visits_due=visits,
        callbacks_due=[
            {
                "dispute_id": d.id,
                "number": d.number,
                "summary": d.summary[:120],
                "due_at": c.due_at,
                "overdue": as_utc(c.due_at) < now,
            }
            for c, d in callbacks
        ],
        disputes_open=[DisputeSummary.model_validate(d) for d in open_disputes],
        whistles_open=[whistle.describe(session, r) for r in requests],
        counts={
            "visits_due": len(visits),
            "visits_overdue": sum(1 for v in visits if v.overdue),
            "callbacks_due": len(callbacks),
            "disputes_open": len(open_disputes),
            "whistles_open": len(requests),
        },
    )
