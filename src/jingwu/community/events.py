"""What the community team tells the others, after commit."""

from __future__ import annotations

from typing import Literal

from jingwu.core.events import Event


class RecordCollected(Event):
    """A 一标三实 record was collected or verified."""

    type: Literal["community.record"] = "community.record"
    entity: str
    entity_id: int
    action: str
    community_id: int


class KeyPersonVisited(Event):
    type: Literal["community.key_person_visited"] = "community.key_person_visited"
    key_person_id: int
    officer_id: int
    in_control: bool


class DisputeChanged(Event):
    type: Literal["community.dispute"] = "community.dispute"
    dispute_id: int
    number: str
    status: str
    action: str
    beat_id: int | None
    incident_id: int | None


class BeatWorkLogged(Event):
    type: Literal["community.beat_work"] = "community.beat_work"
    work_id: int
    kind: str
    officer_id: int


class WhistleChanged(Event):
    type: Literal["community.whistle"] = "community.whistle"
    request_id: int
    number: str
    agency_id: int
    status: str
    action: str
    escalation_level: int


class NoticePublished(Event):
    type: Literal["community.notice"] = "community.notice"
    notice_id: int
    identifier: str
    source: str


class KeyPersonListed(Event):
    type: Literal["community.key_person_listed"] = "community.key_person_listed"
    key_person_id: int
    officer_id: int
    control_level: int


class BeatAssigned(Event):
    type: Literal["community.beat_assigned"] = "community.beat_assigned"
    beat_id: int
    officer_id: int


class PartnerChanged(Event):
    """A partner agency was added, or an account was linked to it."""

    type: Literal["community.partner"] = "community.partner"
    agency_id: int
    action: str
    officer_id: int | None = None
