"""What the case team tells the others, after commit."""

from __future__ import annotations

from typing import Literal

from jingwu.core.events import Event


class CaseEvent(Event):
    case_id: int
    number: str
    status: str


class CaseOpened(CaseEvent):
    type: Literal["case.opened"] = "case.opened"
    case_type: str
    incident_id: int | None


class CaseStatusChanged(CaseEvent):
    type: Literal["case.status_changed"] = "case.status_changed"
    previous: str


class SuspectArrested(CaseEvent):
    type: Literal["case.suspect_arrested"] = "case.suspect_arrested"
    person_id: int


class LossRecovered(CaseEvent):
    type: Literal["case.loss_recovered"] = "case.loss_recovered"
    value_fen: int


class CaseRequestEvent(CaseEvent):
    request_id: int
    kind: str
    target_officer_id: int | None


class CaseRequestCreated(CaseRequestEvent):
    type: Literal["case.request_created"] = "case.request_created"


class CaseRequestAnswered(CaseRequestEvent):
    type: Literal["case.request_answered"] = "case.request_answered"


class CaseRequestOverdue(CaseRequestEvent):
    type: Literal["case.request_overdue"] = "case.request_overdue"
    message: str
