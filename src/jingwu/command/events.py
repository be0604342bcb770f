"""What the command room tells the others, after commit."""

from __future__ import annotations

from typing import Literal

from jingwu.core.events import Event


class IncidentEvent(Event):
    incident_id: int
    number: str
    status: str


class IncidentReceived(IncidentEvent):
    type: Literal["incident.received"] = "incident.received"
    priority: int
    category_code: str
    lat: float | None
    lon: float | None
    is_drill: bool


class IncidentTriaged(IncidentEvent):
    type: Literal["incident.triaged"] = "incident.triaged"
    route: str
    reason: str


class IncidentDispatched(IncidentEvent):
    type: Literal["incident.dispatched"] = "incident.dispatched"
    unit_ids: list[int]


class AssignmentProgressed(IncidentEvent):
    type: Literal["incident.assignment"] = "incident.assignment"
    unit_id: int
    assignment_status: str


class IncidentClosed(IncidentEvent):
    type: Literal["incident.closed"] = "incident.closed"


class IncidentEvaluated(IncidentEvent):
    type: Literal["incident.evaluated"] = "incident.evaluated"
    score: int


class IncidentMerged(IncidentEvent):
    type: Literal["incident.merged"] = "incident.merged"
    into_id: int


class AlertRaised(Event):
    type: Literal["alert.raised"] = "alert.raised"
    kind: str
    incident_id: int
    unit_id: int | None
    message: str
