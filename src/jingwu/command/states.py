"""The closed loop (指令→执行→反馈→评估) as two small state machines.

An incident moves through the loop; each unit sent to it has its own assignment, and the
incident is as far along as its most advanced assignment.
"""

from __future__ import annotations

from enum import StrEnum

from jingwu.core.errors import Conflict


class IncidentStatus(StrEnum):
    RECEIVED = "received"
    DIVERTED = "diverted"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    REPORTED = "reported"
    CLOSED = "closed"
    EVALUATED = "evaluated"
    MERGED = "merged"


class AssignmentStatus(StrEnum):
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    REPORTED = "reported"
    CANCELLED = "cancelled"


class Route(StrEnum):
    """Where triage sends an incident (警情分流)."""

    PATROL = "patrol"
    CASE_TEAM = "case_team"
    COMMUNITY = "community"
    PARTNER = "partner"
    FIRE = "fire"


STATUS_LABELS = {
    IncidentStatus.RECEIVED: "待处置",
    IncidentStatus.DIVERTED: "已分流",
    IncidentStatus.DISPATCHED: "已派警",
    IncidentStatus.ACKNOWLEDGED: "已签收",
    IncidentStatus.EN_ROUTE: "出发",
    IncidentStatus.ON_SCENE: "到场",
    IncidentStatus.REPORTED: "报告完毕",
    IncidentStatus.CLOSED: "已结警",
    IncidentStatus.EVALUATED: "已评估",
    IncidentStatus.MERGED: "已合并",
}
ASSIGNMENT_LABELS = {
    AssignmentStatus.DISPATCHED.value: "已派",
    AssignmentStatus.ACKNOWLEDGED.value: "已签收",
    AssignmentStatus.EN_ROUTE.value: "途中",
    AssignmentStatus.ON_SCENE.value: "到场",
    AssignmentStatus.REPORTED.value: "报告完毕",
    AssignmentStatus.CANCELLED.value: "已撤回",
}
ROUTE_LABELS = {
    Route.PATROL: "巡逻处警",
    Route.CASE_TEAM: "案件办理队",
    Route.COMMUNITY: "社区警务队",
    Route.PARTNER: "联动单位",
    Route.FIRE: "消防救援站",
}
PRIORITY_LABELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

OPEN_STATUSES = frozenset(
    {
        IncidentStatus.RECEIVED,
        IncidentStatus.DIVERTED,
        IncidentStatus.DISPATCHED,
        IncidentStatus.ACKNOWLEDGED,
        IncidentStatus.EN_ROUTE,
        IncidentStatus.ON_SCENE,
        IncidentStatus.REPORTED,
    }
)
# what the room still has to handle: diverted incidents belong to the team they went to
ROOM_QUEUE = OPEN_STATUSES - {IncidentStatus.DIVERTED}
ACTIVE_ASSIGNMENT = frozenset(
    {
        AssignmentStatus.DISPATCHED,
        AssignmentStatus.ACKNOWLEDGED,
        AssignmentStatus.EN_ROUTE,
        AssignmentStatus.ON_SCENE,
    }
)

_PROGRESS = [
    IncidentStatus.DISPATCHED,
    IncidentStatus.ACKNOWLEDGED,
    IncidentStatus.EN_ROUTE,
    IncidentStatus.ON_SCENE,
    IncidentStatus.REPORTED,
]

ASSIGNMENT_MOVES: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    AssignmentStatus.DISPATCHED: frozenset(
        {AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.CANCELLED}
    ),
    AssignmentStatus.ACKNOWLEDGED: frozenset(
        {AssignmentStatus.EN_ROUTE, AssignmentStatus.ON_SCENE, AssignmentStatus.CANCELLED}
    ),
    AssignmentStatus.EN_ROUTE: frozenset({AssignmentStatus.ON_SCENE, AssignmentStatus.CANCELLED}),
    AssignmentStatus.ON_SCENE: frozenset({AssignmentStatus.REPORTED}),
    AssignmentStatus.REPORTED: frozenset(),
    AssignmentStatus.CANCELLED: frozenset(),
}

DISPATCHABLE = frozenset(
    {
        IncidentStatus.RECEIVED,
        IncidentStatus.DIVERTED,
        IncidentStatus.DISPATCHED,
        IncidentStatus.ACKNOWLEDGED,
        IncidentStatus.EN_ROUTE,
        IncidentStatus.ON_SCENE,
    }
)
CLOSABLE = frozenset({IncidentStatus.RECEIVED, IncidentStatus.DIVERTED, IncidentStatus.REPORTED})
MERGEABLE = frozenset({IncidentStatus.RECEIVED, IncidentStatus.DIVERTED})


def _refuse(action: str, status: str, allowed: frozenset[IncidentStatus]) -> Conflict:
    current = STATUS_LABELS.get(IncidentStatus(status), status)
    wanted = "、".join(STATUS_LABELS[s] for s in sorted(allowed, key=list(IncidentStatus).index))
    return Conflict(
        f"警情当前为「{current}」，不能{action}（需处于：{wanted}）",
        code="illegal_transition",
        status=status,
        action=action,
    )


def check_incident_move(status: str, allowed: frozenset[IncidentStatus], action: str) -> None:
    if IncidentStatus(status) not in allowed:
        raise _refuse(action, status, allowed)


def check_assignment_move(current: str, target: AssignmentStatus) -> None:
    if target not in ASSIGNMENT_MOVES[AssignmentStatus(current)]:
        raise Conflict(
            f"出警单元当前为「{current}」，不能变为「{target.value}」",
            code="illegal_transition",
            status=current,
            target=target.value,
        )


def advanced_status(current: str, assignment: AssignmentStatus) -> IncidentStatus:
    """The incident only moves forward along the loop, never back."""
    incident_status = IncidentStatus(current)
    target = IncidentStatus(assignment.value)
    if incident_status not in _PROGRESS or target not in _PROGRESS:
        return incident_status
    return max(incident_status, target, key=_PROGRESS.index)
