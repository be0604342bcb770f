"""A case's life (受理 → 立案 → 侦查 → 破案 → 移送起诉 / 结案, with 撤案 and 不立案), as one table."""

from __future__ import annotations

from enum import StrEnum

from jingwu.core.errors import Conflict


class CaseStatus(StrEnum):
    ACCEPTED = "accepted"  # 受理
    FILED = "filed"  # 立案
    INVESTIGATING = "investigating"  # 侦查
    SOLVED = "solved"  # 破案
    PROSECUTED = "prosecuted"  # 移送起诉
    CLOSED = "closed"  # 结案
    WITHDRAWN = "withdrawn"  # 撤案
    NOT_FILED = "not_filed"  # 不立案


STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.ACCEPTED: "受理",
    CaseStatus.FILED: "立案",
    CaseStatus.INVESTIGATING: "侦查",
    CaseStatus.SOLVED: "破案",
    CaseStatus.PROSECUTED: "移送起诉",
    CaseStatus.CLOSED: "结案",
    CaseStatus.WITHDRAWN: "撤案",
    CaseStatus.NOT_FILED: "不立案",
}

MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.ACCEPTED: frozenset({CaseStatus.FILED, CaseStatus.NOT_FILED}),
    CaseStatus.FILED: frozenset(
        {CaseStatus.INVESTIGATING, CaseStatus.SOLVED, CaseStatus.WITHDRAWN}
    ),
    CaseStatus.INVESTIGATING: frozenset({CaseStatus.SOLVED, CaseStatus.WITHDRAWN}),
    CaseStatus.SOLVED: frozenset({CaseStatus.PROSECUTED, CaseStatus.CLOSED, CaseStatus.WITHDRAWN}),
    CaseStatus.PROSECUTED: frozenset(),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.WITHDRAWN: frozenset(),
    CaseStatus.NOT_FILED: frozenset(),
}

FINAL = frozenset(s for s, targets in MOVES.items() if not targets)
OPEN = frozenset(CaseStatus) - FINAL
# a reason is part of the record for every decision not to pursue
NEEDS_REASON = frozenset({CaseStatus.WITHDRAWN, CaseStatus.NOT_FILED})
# 破案 and what follows it need someone to have been identified
NEEDS_SUSPECT = frozenset({CaseStatus.SOLVED, CaseStatus.PROSECUTED})
# the board's columns, in the order a case travels
BOARD_ORDER = [
    CaseStatus.ACCEPTED,
    CaseStatus.FILED,
    CaseStatus.INVESTIGATING,
    CaseStatus.SOLVED,
    CaseStatus.PROSECUTED,
    CaseStatus.CLOSED,
    CaseStatus.WITHDRAWN,
    CaseStatus.NOT_FILED,
]


def label(status: str) -> str:
    try:
        return STATUS_LABELS[CaseStatus(status)]
    except ValueError:
        return status


def check_case_move(current: str, target: CaseStatus) -> None:
    """Refuse a move the table does not allow, saying which moves are possible."""
    allowed = MOVES[CaseStatus(current)]
    if target in allowed:
        return
    if not allowed:
        hint = "案件已终结，不能再变更 / the case is final"
    else:
        names = "、".join(STATUS_LABELS[s] for s in BOARD_ORDER if s in allowed)
        hint = f"只能变更为：{names}"
    raise Conflict(
        f"案件当前为「{label(current)}」，不能变更为「{STATUS_LABELS[target]}」（{hint}）",
        code="illegal_transition",
        status=current,
        target=target.value,
        allowed=sorted(s.value for s in allowed),
    )


class CaseType(StrEnum):
    THEFT = "theft"
    BURGLARY = "burglary"
    VEHICLE_THEFT = "vehicle_theft"
    TELECOM_FRAUD = "telecom_fraud"
    FRAUD = "fraud"
    ROBBERY = "robbery"
    ASSAULT = "assault"
    DAMAGE = "damage"
    DRUGS = "drugs"
    GAMBLING = "gambling"
    OTHER = "other"


TYPE_LABELS: dict[CaseType, str] = {
    CaseType.THEFT: "盗窃",
    CaseType.BURGLARY: "入室盗窃",
    CaseType.VEHICLE_THEFT: "盗窃车辆",
    CaseType.TELECOM_FRAUD: "电信网络诈骗",
    CaseType.FRAUD: "诈骗",
    CaseType.ROBBERY: "抢劫",
    CaseType.ASSAULT: "故意伤害",
    CaseType.DAMAGE: "故意毁坏财物",
    CaseType.DRUGS: "毒品",
    CaseType.GAMBLING: "赌博",
    CaseType.OTHER: "其他",
}


class PersonRole(StrEnum):
    SUSPECT = "suspect"
    VICTIM = "victim"
    WITNESS = "witness"


PERSON_ROLE_LABELS = {
    PersonRole.SUSPECT: "嫌疑人",
    PersonRole.VICTIM: "被害人",
    PersonRole.WITNESS: "证人",
}


class SuspectStatus(StrEnum):
    IDENTIFIED = "identified"
    LOCATED = "located"
    ARRESTED = "arrested"
    RELEASED = "released"


SUSPECT_STATUS_LABELS = {
    SuspectStatus.IDENTIFIED: "已查明",
    SuspectStatus.LOCATED: "已定位",
    SuspectStatus.ARRESTED: "已抓获",
    SuspectStatus.RELEASED: "已释放",
}
SUSPECT_MOVES: dict[SuspectStatus, frozenset[SuspectStatus]] = {
    SuspectStatus.IDENTIFIED: frozenset({SuspectStatus.LOCATED, SuspectStatus.ARRESTED}),
    SuspectStatus.LOCATED: frozenset({SuspectStatus.IDENTIFIED, SuspectStatus.ARRESTED}),
    SuspectStatus.ARRESTED: frozenset({SuspectStatus.RELEASED}),
    SuspectStatus.RELEASED: frozenset({SuspectStatus.ARRESTED, SuspectStatus.LOCATED}),
}


def check_suspect_move(current: str, target: SuspectStatus) -> None:
    if target not in SUSPECT_MOVES[SuspectStatus(current)]:
        raise Conflict(
            f"嫌疑人当前为「{SUSPECT_STATUS_LABELS[SuspectStatus(current)]}」，"
            f"不能变更为「{SUSPECT_STATUS_LABELS[target]}」",
            code="illegal_transition",
            status=current,
            target=target.value,
        )


class RequestKind(StrEnum):
    VIDEO = "video"  # 视频侦查 → 指挥室
    COMMUNITY = "community"  # 协作信号 → 社区民警
    UNIT = "unit"  # 协查 → 分局/兄弟单位


REQUEST_KIND_LABELS = {
    RequestKind.VIDEO: "视频侦查",
    RequestKind.COMMUNITY: "协作信号",
    RequestKind.UNIT: "协查请求",
}


class RequestStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CANCELLED = "cancelled"


REQUEST_STATUS_LABELS = {
    RequestStatus.OPEN: "待答复",
    RequestStatus.ANSWERED: "已答复",
    RequestStatus.CANCELLED: "已撤回",
}


class CustodyAction(StrEnum):
    COLLECTED = "collected"
    TRANSFERRED = "transferred"
    STORED = "stored"
    CHECKED_OUT = "checked_out"
    RETURNED = "returned"
    RELEASED = "released"


CUSTODY_LABELS = {
    CustodyAction.COLLECTED: "提取",
    CustodyAction.TRANSFERRED: "移交",
    CustodyAction.STORED: "入库",
    CustodyAction.CHECKED_OUT: "调取",
    CustodyAction.RETURNED: "归还",
    CustodyAction.RELEASED: "发还/处置",
}
