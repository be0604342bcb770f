"""How an intake answers over HTTP, for every router that takes a call (command, fire)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response
from sqlalchemy.orm import Session

from jingwu.command import queries
from jingwu.command.intake import IntakeResult
from jingwu.command.schemas import IncidentOut

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="a retried intake with the same key returns the first incident",
    ),
]


def answer_intake(session: Session, *, result: IntakeResult, response: Response) -> IncidentOut:
    """201 for a new incident, 200 for a replay of the same key; Location and duplicates either way."""
    if not result.created:
        response.status_code = 200
    response.headers["Location"] = f"/api/incidents/{result.incident.id}"
    return queries.describe(
        session, incident=result.incident, duplicates=result.possible_duplicates
    )
