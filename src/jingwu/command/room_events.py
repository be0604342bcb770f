"""What the command room's seats, calls, video patrol and key-site watch tell the others."""

from __future__ import annotations

from typing import Literal

from jingwu.core.events import Event


class CallIssued(Event):
    type: Literal["call.issued"] = "call.issued"
    call_id: int
    scope: str
    message: str
    target_unit_ids: list[int]
    ack_within_s: int
    incident_id: int | None


class CallAcknowledged(Event):
    type: Literal["call.acknowledged"] = "call.acknowledged"
    call_id: int
    unit_id: int


class CallEscalated(Event):
    type: Literal["call.escalated"] = "call.escalated"
    call_id: int
    target_unit_ids: list[int]
    message: str


class HandoverRecorded(Event):
    type: Literal["seat.handover"] = "seat.handover"
    handover_id: int
    seat_code: str
    open_incidents: int


class VideoFindingLogged(Event):
    type: Literal["video.finding"] = "video.finding"
    view_id: int
    camera_id: int
    finding: str
    incident_id: int | None


class KeySiteReported(Event):
    type: Literal["keysite.reported"] = "keysite.reported"
    key_site_id: int
    crowd_level: str
    status: str
    note: str


class AttachmentAdded(Event):
    type: Literal["incident.attachment"] = "incident.attachment"
    incident_id: int
    attachment_id: int
    unit_id: int | None
