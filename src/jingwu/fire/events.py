"""What the fire squad tells the others, after commit."""

from __future__ import annotations

from typing import Literal

from jingwu.core.events import Event


class ApparatusReadinessChanged(Event):
    type: Literal["fire.apparatus_readiness"] = "fire.apparatus_readiness"
    apparatus_id: int
    unit_id: int
    readiness: str
    previous: str


class FireDispatched(Event):
    type: Literal["fire.dispatched"] = "fire.dispatched"
    operation_id: int
    incident_id: int
    alarm_level: int
    unit_ids: list[int]


class ShiftStarted(Event):
    type: Literal["fire.shift_started"] = "fire.shift_started"
    operation_id: int
    shift_id: int
    number: int
    member_ids: list[int]


class OperationReported(Event):
    type: Literal["fire.operation_reported"] = "fire.operation_reported"
    operation_id: int
    incident_id: int | None
    people_rescued: int
    property_protected_yuan: int
    property_lost_yuan: int
    duration_s: float


class TrainingLogged(Event):
    type: Literal["fire.training_logged"] = "fire.training_logged"
    entry_id: int
    member_id: int
    kind: str
    minutes: int


class QualificationRecorded(Event):
    type: Literal["fire.qualification"] = "fire.qualification"
    member_id: int
    kind: str
    expires_on: str
