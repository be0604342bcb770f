"""The incident code table (警情类别): top categories and their subtypes."""

from __future__ import annotations

from dataclasses import dataclass

from jingwu.core.errors import InvalidInput


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str
    default_priority: int
    criminal: bool = False
    parent: str | None = None


_TOP = [
    Category("01", "刑事", "Criminal", 2, criminal=True),
    Category("02", "治安", "Public order", 3),
    Category("03", "交通", "Traffic", 3),
    Category("04", "纠纷", "Dispute", 3),
    Category("05", "求助", "Assistance", 4),
    Category("06", "火灾", "Fire", 1),
    Category("07", "抢险救援", "Rescue", 1),
    Category("08", "电信诈骗", "Telecom fraud", 2, criminal=True),
    Category("09", "社会救助", "Social aid", 4),
    Category("10", "群众举报", "Tip-off", 4),
]

_SUB = {
    "01": [
        ("01", "盗窃", "Theft"),
        ("02", "抢劫", "Robbery"),
        ("03", "抢夺", "Snatching"),
        ("04", "故意伤害", "Assault"),
        ("05", "诈骗", "Fraud"),
        ("06", "入室盗窃", "Burglary"),
        ("07", "盗窃车辆", "Vehicle theft"),
        ("08", "杀人", "Homicide"),
    ],
    "02": [
        ("01", "打架斗殴", "Fight"),
        ("02", "扰乱公共秩序", "Disturbance"),
        ("03", "赌博", "Gambling"),
        ("04", "噪音扰民", "Noise"),
        ("05", "人员聚集", "Crowd gathering"),
    ],
    "03": [
        ("01", "交通事故", "Collision"),
        ("02", "交通拥堵", "Congestion"),
        ("03", "违法停车", "Illegal parking"),
    ],
    "04": [
        ("01", "邻里纠纷", "Neighbours"),
        ("02", "家庭纠纷", "Family"),
        ("03", "经济纠纷", "Money"),
        ("04", "劳资纠纷", "Wages"),
        ("05", "物业纠纷", "Property management"),
    ],
    "05": [
        ("01", "人员走失", "Missing person"),
        ("02", "求助救助", "Help"),
        ("03", "开锁求助", "Locked out"),
    ],
    "06": [("01", "建筑火灾", "Building fire"), ("02", "车辆火灾", "Vehicle fire")],
    "07": [("01", "洪涝", "Flood"), ("02", "人员被困", "Trapped"), ("03", "溺水", "Drowning")],
    "08": [
        ("01", "冒充客服", "Fake customer service"),
        ("02", "刷单返利", "Order-brushing"),
        ("03", "冒充公检法", "Fake police"),
        ("04", "网络贷款", "Online loan"),
    ],
    "09": [("01", "困难群众", "Hardship"), ("02", "精神障碍", "Mental crisis")],
    "10": [("01", "线索举报", "Lead")],
}


def _build() -> dict[str, Category]:
    table = {c.code: c for c in _TOP}
    for parent in _TOP:
        for suffix, name, name_en in _SUB.get(parent.code, []):
            code = parent.code + suffix
            table[code] = Category(
                code, name, name_en, parent.default_priority, parent.criminal, parent.code
            )
    return table


CATEGORIES: dict[str, Category] = _build()
EXTREME_VIOLENCE = frozenset({"0108"})


def check_category(code: str) -> Category:
    category = CATEGORIES.get(code)
    if category is None:
        raise InvalidInput(
            f"未知的警情类别代码 / unknown category code: {code[:20]}",
            code="unknown_category",
            known=sorted(c.code for c in _TOP),
        )
    return category


def top_of(code: str) -> Category:
    category = check_category(code)
    return CATEGORIES[category.parent] if category.parent else category


def label(code: str) -> str:
    category = CATEGORIES.get(code)
    if category is None:
        return code
    if category.parent:
        return f"{CATEGORIES[category.parent].name}·{category.name}"
    return category.name
