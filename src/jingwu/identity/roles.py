"""Roles, teams and what each role may do. One table, read by every router."""

from __future__ import annotations

from enum import StrEnum


class TeamKind(StrEnum):
    COMMAND_ROOM = "command_room"
    CASE_TEAM = "case_team"
    COMMUNITY_TEAM = "community_team"
    FIRE_SQUAD = "fire_squad"
    PARTNER = "partner"
    STATION = "station"


class Role(StrEnum):
    DISPATCHER = "dispatcher"
    VIDEO_PATROL = "video_patrol"
    ANALYST = "analyst"
    CHIEF = "chief"
    CASE_OFFICER = "case_officer"
    COMMUNITY_OFFICER = "community_officer"
    PATROL_CREW = "patrol_crew"
    PARTNER = "partner"
    FIRE_CREW = "fire_crew"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.DISPATCHER: "指挥调度岗",
    Role.VIDEO_PATROL: "视频巡查岗",
    Role.ANALYST: "情报研判岗",
    Role.CHIEF: "所长/教导员",
    Role.CASE_OFFICER: "案件办理队民警",
    Role.COMMUNITY_OFFICER: "社区民警",
    Role.PATROL_CREW: "巡逻车组",
    Role.PARTNER: "联动单位",
    Role.FIRE_CREW: "消防救援站",
    Role.ADMIN: "系统管理员",
}

TEAM_LABELS: dict[TeamKind, str] = {
    TeamKind.COMMAND_ROOM: "综合指挥室",
    TeamKind.CASE_TEAM: "案件办理队",
    TeamKind.COMMUNITY_TEAM: "社区警务队",
    TeamKind.FIRE_SQUAD: "消防救援站 雷锋班",
    TeamKind.PARTNER: "联动单位",
    TeamKind.STATION: "所领导",
}


class Permission(StrEnum):
    INCIDENT_VIEW = "incident.view"
    INCIDENT_INTAKE = "incident.intake"
    INCIDENT_DISPATCH = "incident.dispatch"
    INCIDENT_RESPOND = "incident.respond"
    INCIDENT_CLOSE = "incident.close"
    INCIDENT_EVALUATE = "incident.evaluate"
    UNIT_VIEW = "unit.view"
    UNIT_MANAGE = "unit.manage"
    UNIT_REPORT_POSITION = "unit.report_position"
    PLACE_VIEW = "place.view"
    PLACE_MANAGE = "place.manage"
    PERSON_UNMASK = "person.unmask"
    AUDIT_VIEW = "audit.view"
    USER_MANAGE = "user.manage"
    VIDEO_PATROL = "video.patrol"
    ROSTER_MANAGE = "roster.manage"
    KEYSITE_REPORT = "keysite.report"
    CASE_VIEW = "case.view"
    CASE_MANAGE = "case.manage"
    CASE_ANSWER_VIDEO = "case.answer_video"
    CASE_ANSWER_COMMUNITY = "case.answer_community"
    FIRE_VIEW = "fire.view"
    FIRE_DISPATCH = "fire.dispatch"
    FIRE_MANAGE = "fire.manage"
    COMMUNITY_VIEW = "community.view"
    COMMUNITY_MANAGE = "community.manage"
    WHISTLE_RESPOND = "whistle.respond"
    ANALYTICS_VIEW = "analytics.view"
    ANALYTICS_RECORD = "analytics.record"


_ROOM = {
    Permission.INCIDENT_VIEW,
    Permission.INCIDENT_INTAKE,
    Permission.INCIDENT_DISPATCH,
    Permission.INCIDENT_CLOSE,
    Permission.UNIT_VIEW,
    Permission.PLACE_VIEW,
    Permission.VIDEO_PATROL,
    Permission.KEYSITE_REPORT,
}

# cases: only the case team, the command room and the chief see case data
_CASE_TEAM = {Permission.CASE_VIEW, Permission.CASE_MANAGE}
_CASE_ROOM = {Permission.CASE_VIEW, Permission.CASE_ANSWER_VIDEO}

# fire: the squad runs its own watch room; the command room may send fire apparatus by plan
_FIRE_SQUAD = {Permission.FIRE_VIEW, Permission.FIRE_DISPATCH, Permission.FIRE_MANAGE}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DISPATCHER: frozenset(
        _ROOM
        | {Permission.UNIT_MANAGE, Permission.ANALYTICS_VIEW}
        | _CASE_ROOM
        | {Permission.FIRE_VIEW, Permission.FIRE_DISPATCH}
    ),
    Role.VIDEO_PATROL: frozenset((_ROOM - {Permission.INCIDENT_DISPATCH}) | _CASE_ROOM),
    Role.ANALYST: frozenset(
        {
            Permission.INCIDENT_VIEW,
            Permission.UNIT_VIEW,
            Permission.PLACE_VIEW,
            Permission.CASE_VIEW,
            Permission.FIRE_VIEW,
            Permission.COMMUNITY_VIEW,
            Permission.ANALYTICS_VIEW,
            Permission.ANALYTICS_RECORD,
        }
    ),
    Role.CHIEF: frozenset(
        _ROOM
        | {Permission.ANALYTICS_VIEW, Permission.ANALYTICS_RECORD}
        | _CASE_TEAM
        | {Permission.FIRE_VIEW}
        | {Permission.INCIDENT_EVALUATE, Permission.PERSON_UNMASK, Permission.AUDIT_VIEW}
        | {Permission.ROSTER_MANAGE}
        | {Permission.COMMUNITY_VIEW, Permission.COMMUNITY_MANAGE}
    ),
    Role.CASE_OFFICER: frozenset(
        {
            Permission.INCIDENT_VIEW,
            Permission.UNIT_VIEW,
            Permission.PLACE_VIEW,
            Permission.PERSON_UNMASK,
        }
        | _CASE_TEAM
    ),
    Role.COMMUNITY_OFFICER: frozenset(
        {
            Permission.INCIDENT_VIEW,
            Permission.PLACE_VIEW,
            Permission.PERSON_UNMASK,
            Permission.CASE_ANSWER_COMMUNITY,
            Permission.COMMUNITY_VIEW,
            Permission.COMMUNITY_MANAGE,
        }
    ),
    Role.PATROL_CREW: frozenset(
        {
            Permission.INCIDENT_RESPOND,
            Permission.UNIT_REPORT_POSITION,
            Permission.PLACE_VIEW,
            Permission.KEYSITE_REPORT,
        }
    ),
    Role.PARTNER: frozenset({Permission.WHISTLE_RESPOND}),
    Role.FIRE_CREW: frozenset(
        {Permission.INCIDENT_RESPOND, Permission.UNIT_REPORT_POSITION, Permission.PLACE_VIEW}
        | _FIRE_SQUAD
    ),
    Role.ADMIN: frozenset(Permission),
}


def can(role: Role | str, permission: Permission) -> bool:
    return permission in PERMISSIONS.get(Role(role), frozenset())
