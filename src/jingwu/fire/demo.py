"""The Leifeng squad's demo data: station, apparatus, ten members, water, plans, history.

Everything is synthetic. The history is generated, operation by operation, from yearly call
rates and outcome distributions chosen so that by the day of the seed's article (29 June 2023,
"建班25年") the reports sum to what the article says — over 5,000 operations, over 1,700
people rescued, over 2 billion yuan of property protected. The totals are never written down;
:func:`jingwu.fire.record.squad_record` sums them from the rows made here.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from jingwu.command.categories import label
from jingwu.core.clock import LOCAL_ZONE
from jingwu.fire.models import (
    Apparatus,
    ApparatusKind,
    FireMember,
    FireOperation,
    HazardPlan,
    Honour,
    OperationStatus,
    Qualification,
    QualificationKind,
    Readiness,
    RoutineItem,
    RunCard,
    TrainingEntry,
    WaterSource,
    WaterSourceKind,
)
from jingwu.identity import service as identity_service
from jingwu.identity.models import Officer
from jingwu.identity.roles import TEAM_LABELS, Role, TeamKind
from jingwu.places.models import KeySite
from jingwu.units.models import CrewMember, Unit, UnitKind, UnitStatus

DEMO_PASSWORD = "leifeng-demo"  # noqa: S105 - the demo's published password (as sim.leifeng)
STATION = (28.2212, 112.8446)  # 望城区消防救援站 (illustrative position on the main road)
FOUNDED = datetime(1998, 3, 5, 9, 0, tzinfo=LOCAL_ZONE)  # 学雷锋纪念日
ARTICLE_DAY = datetime(2023, 6, 29, 9, 0, tzinfo=LOCAL_ZONE)
FLOOD_2017 = datetime(2017, 7, 1, 5, 30, tzinfo=LOCAL_ZONE)

MEMBERS = [
    # username, name, post, years before now they were born, years in the squad
    ("fire", "雷锋班班长", "班长", 31, 9),
    ("fire02", "杨副班长", "副班长", 27, 6),
    ("fire03", "刘消防员", "驾驶员", 29, 7),
    ("fire04", "陈消防员", "战斗员", 26, 5),
    ("fire05", "周消防员", "战斗员", 25, 4),
    ("fire06", "吴消防员", "驾驶员", 28, 6),
    ("fire07", "郑消防员", "战斗员", 24, 3),
    ("fire08", "黄消防员", "通信员", 23, 2),
    ("fire09", "彭消防员", "战斗员", 22, 1),
    ("fire10", "谢消防员", "战斗员", 21, 1),
]

APPARATUS = [
    # call sign, kind, plate, water (l), pump (l/s), seats, crew usernames
    (
        "望城站1号水罐车",
        ApparatusKind.ENGINE,
        "湘A·F1191",
        8000,
        60.0,
        6,
        ["fire", "fire03", "fire04"],
    ),
    ("望城站2号水罐车", ApparatusKind.ENGINE, "湘A·F1192", 6000, 40.0, 6, ["fire06", "fire07"]),
    ("望城站举高喷射车", ApparatusKind.AERIAL, "湘A·F1193", 4000, 50.0, 3, []),
    (
        "望城站抢险救援车",
        ApparatusKind.RESCUE,
        "湘A·F1195",
        0,
        0.0,
        6,
        ["fire02", "fire05", "fire08"],
    ),
    ("望城站冲锋舟1", ApparatusKind.BOAT, "", 0, 0.0, 8, ["fire09"]),
    ("望城站冲锋舟2", ApparatusKind.BOAT, "", 0, 0.0, 8, ["fire10"]),
    ("望城站排涝泵车", ApparatusKind.PUMP, "湘A·F1197", 0, 300.0, 3, []),
]

RUN_CARDS = [
    ("06", 1, "火灾一级出动", ["engine", "engine"], 8, "一般火灾：两车出动，到场后侦察报告"),
    ("06", 2, "火灾二级出动", ["engine", "engine", "aerial", "rescue"], 14, "高层或有人员被困"),
    ("06", 3, "火灾三级出动", ["engine", "engine", "aerial", "rescue", "pump"], 18, "请求大队增援"),
    ("0602", 1, "车辆火灾", ["engine"], 5, "注意油箱与电池"),
    ("07", 1, "抢险救援一级", ["rescue"], 5, ""),
    ("07", 2, "抢险救援二级", ["rescue", "engine"], 10, ""),
    ("0701", 1, "洪涝一级", ["boat", "rescue"], 8, "穿戴救生衣，沿岸布置观察哨"),
    ("0701", 2, "洪涝二级", ["boat", "boat", "pump", "rescue"], 14, "轮换作战，每班不超过12小时"),
    (
        "0701",
        3,
        "洪涝三级",
        ["boat", "boat", "pump", "rescue", "engine"],
        20,
        "请求区防汛指挥部支援",
    ),
    ("0703", 1, "水域救援", ["boat", "rescue"], 7, "先抛投后下水"),
    ("09", 1, "社会救助", ["rescue"], 4, ""),
]

ROUTINE = [
    ("06:00", "06:30", "出早操", "drill"),
    ("06:30", "07:30", "整理内务、车辆器材检查", "duty"),
    ("07:30", "08:00", "早餐", "meal"),
    ("08:00", "11:30", "业务训练", "training"),
    ("11:30", "12:00", "午餐", "meal"),
    ("12:00", "14:30", "午休（执勤备战）", "rest"),
    ("14:30", "17:30", "体能训练、熟悉水源和重点单位", "training"),
    ("17:30", "18:00", "晚餐", "meal"),
    ("19:30", "21:00", "理论学习、学雷锋活动", "study"),
    ("22:00", "23:59", "就寝（值班员在岗）", "rest"),
]

HONOURS = [
    (1998, "雷锋班正式创建", "建班"),
    (2009, "集体三等功", "集体三等功"),
    (2017, "集体一等功（沩水河抗洪抢险）", "集体一等功"),
    (2020, "长沙市青年文明号", "市级称号"),
]

HAZARDS_BY_KIND = {
    "memorial": ("节假日人员密集，展厅内有珍贵展品，禁止用水直流冲击展柜", 3000),
    "museum": ("展厅多为可燃装饰材料，档案库房需气体灭火", 1500),
    "school": ("教学楼、宿舍楼人员密集，夜间宿舍为重点", 2200),
    "park": ("湖岸落水风险，林地防火", 5000),
    "metro": ("地下站厅排烟困难，需配合地铁公司切断电源", 4000),
    "construction": ("钢筋、氧气乙炔瓶、深基坑，注意坍塌", 300),
}

STREETS = ["雷锋大道", "雷锋北路", "金星大道", "谢家桥路", "桐木路", "天顶路", "雷锋湖路", "金峰路"]


class ScenarioLike(Protocol):
    """What the Leifeng scenario hands each builder (sim.leifeng.ScenarioContext)."""

    seed: int
    now: datetime
    history_days: int
    notes: list[str]


@dataclass(frozen=True)
class FireDemoReport:
    members: int
    apparatus: int
    water_sources: int
    operations: int


def build_fire_demo(session: Session, context: ScenarioLike) -> None:
    """The scenario's hook: the station always, the history since 1998 when history is on."""
    report = build_fire_station(
        session, seed=context.seed, now=context.now, history=context.history_days > 0
    )
    context.notes.append(
        f"fire squad: {report.members} members, {report.apparatus} apparatus, "
        f"{report.water_sources} water sources, {report.operations} historic operations"
    )


def build_fire_station(
    session: Session, *, seed: int = 7, now: datetime | None = None, history: bool = True
) -> FireDemoReport:
    """Build the squad once, and its history once; what is already there is left alone."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed * 7919 + 98)
    members: dict[str, FireMember] = {}
    apparatus = water = 0
    if session.scalars(select(FireMember.id).limit(1)).first() is None:
        members = _members(session, rng, now)
        apparatus = _apparatus(session, members)
        water = _water_sources(session, rng)
        _plans_and_cards(session)
    operations = 0
    has_history = session.scalars(
        select(FireOperation.id).where(FireOperation.historic.is_(True)).limit(1)
    ).first()
    if history and has_history is None:
        history_rng = random.Random(seed * 7919 + 1998)
        operations = _history(session, history_rng, now)
        squad = {
            str(name): member
            for member, name in session.execute(
                select(FireMember, Officer.username).join(
                    Officer, Officer.id == FireMember.officer_id
                )
            ).all()
        }
        _training_history(session, history_rng, now, squad)
    session.flush()
    return FireDemoReport(len(members), apparatus, water, operations)


def _members(session: Session, rng: random.Random, now: datetime) -> dict[str, FireMember]:
    team = identity_service.get_or_create_team(
        session, kind=TeamKind.FIRE_SQUAD.value, name=TEAM_LABELS[TeamKind.FIRE_SQUAD]
    )
    today = now.astimezone(LOCAL_ZONE).date()
    members: dict[str, FireMember] = {}
    for index, (username, name, post, age, years) in enumerate(MEMBERS):
        officer = session.scalars(select(Officer).where(Officer.username == username)).first()
        if officer is None:
            officer = identity_service.create_officer(
                session,
                username=username,
                display_name=name,
                role=Role.FIRE_CREW,
                password=DEMO_PASSWORD,
                team_id=team.id,
            )
        member = FireMember(
            officer_id=officer.id,
            post=post,
            born_year=today.year - age,
            joined_on=date(today.year - years, 9, 1),
        )
        session.add(member)
        session.flush()
        members[username] = member
        kinds = [
            QualificationKind.FIREFIGHTING,
            QualificationKind.BREATHING_APPARATUS,
            QualificationKind.FIRST_AID,
        ]
        if post == "驾驶员" or index == 0:
            kinds.append(QualificationKind.DRIVER)
        if index % 2 == 0 or username in ("fire09", "fire10"):
            kinds += [QualificationKind.WATER_RESCUE, QualificationKind.BOAT_OPERATOR]
        if index in (1, 3):
            kinds.append(QualificationKind.HEIGHT_RESCUE)
        for kind in kinds:
            issued = today - timedelta(days=rng.randint(60, 900))
            expires = issued + timedelta(days=3 * 365)
            if expires <= today:
                expires = today + timedelta(days=rng.randint(40, 500))
            session.add(
                Qualification(
                    member_id=member.id, kind=kind.value, issued_on=issued, expires_on=expires
                )
            )
    # one certificate lapsed and one about to: readiness is read from these, not typed in
    lapsed = members["fire07"].id
    soon = members["fire05"].id
    session.flush()
    for qualification in session.scalars(
        select(Qualification).where(Qualification.member_id.in_([lapsed, soon]))
    ).all():
        if qualification.kind == QualificationKind.FIRST_AID.value:
            days = -12 if qualification.member_id == lapsed else 18
            qualification.expires_on = today + timedelta(days=days)
    return members


def _apparatus(session: Session, members: dict[str, FireMember]) -> int:
    team = identity_service.get_or_create_team(
        session, kind=TeamKind.FIRE_SQUAD.value, name=TEAM_LABELS[TeamKind.FIRE_SQUAD]
    )
    for offset, (call_sign, kind, plate, water, pump, seats, crew) in enumerate(APPARATUS):
        unit = Unit(
            call_sign=call_sign,
            kind=UnitKind.FIRE_ENGINE.value,
            team_id=team.id,
            status=UnitStatus.AVAILABLE.value,
            lat=STATION[0] + 0.00012 * (offset % 4),
            lon=STATION[1] + 0.00015 * (offset // 4),
        )
        session.add(unit)
        session.flush()
        session.add(
            Apparatus(
                unit_id=unit.id,
                kind=kind.value,
                plate=plate,
                water_l=water,
                pump_lps=pump,
                seats=seats,
                readiness=Readiness.READY.value,
            )
        )
        for username in crew:
            session.add(CrewMember(unit_id=unit.id, officer_id=members[username].officer_id))
    return len(APPARATUS)


def _water_sources(session: Session, rng: random.Random) -> int:
    count = 0
    south, north, west, east = 28.202, 28.242, 112.802, 112.870
    for row in range(5):
        for col in range(6):
            lat = south + (north - south) * (row + 0.5) / 5 + rng.uniform(-0.0015, 0.0015)
            lon = west + (east - west) * (col + 0.5) / 6 + rng.uniform(-0.0015, 0.0015)
            count += 1
            session.add(
                WaterSource(
                    code=f"XHS-{count:03d}",
                    kind=WaterSourceKind.HYDRANT.value,
                    name=f"{rng.choice(STREETS)}消火栓{count}号",
                    lat=lat,
                    lon=lon,
                    flow_lps=rng.choice([10.0, 15.0, 15.0, 20.0]),
                    working=count % 13 != 0,
                )
            )
    for code, kind, name, lat, lon, flow in (
        ("QS-01", WaterSourceKind.RIVER, "雷锋湖东岸取水点", 28.2336, 112.8462, 80.0),
        ("QS-02", WaterSourceKind.POND, "桐木村山塘", 28.2071, 112.8118, 30.0),
        ("QS-03", WaterSourceKind.TANK, "谢家桥社区消防水池", 28.2104, 112.8608, 25.0),
    ):
        count += 1
        session.add(
            WaterSource(
                code=code, kind=kind.value, name=name, lat=lat, lon=lon, flow_lps=flow, working=True
            )
        )
    return count


def _plans_and_cards(session: Session) -> None:
    for site in session.scalars(select(KeySite).order_by(KeySite.id)).all():
        hazards, occupants = HAZARDS_BY_KIND.get(site.kind, ("按现场侦察情况处置", 100))
        session.add(
            HazardPlan(
                key_site_id=site.id,
                hazards=hazards,
                access=f"{site.name}：消防车由主入口进入，登高场地在正门前坪",
                water="就近市政消火栓两处，见水源图",
                occupants=occupants,
            )
        )
    for code, level, name, kinds, crew, note in RUN_CARDS:
        session.add(
            RunCard(
                category_code=code,
                alarm_level=level,
                name=name,
                apparatus_kinds=kinds,
                min_crew=crew,
                note=note,
            )
        )
    for starts, ends, title, kind in ROUTINE:
        session.add(RoutineItem(starts=starts, ends=ends, title=title, kind=kind))
    for year, honour, grade in HONOURS:
        session.add(Honour(year=year, title=honour, level=grade))


# ---- the history since 1998 ------------------------------------------------------------------

# (top category, share of calls, mean people rescued per call, property lognormal mu, sigma)
_MIX: list[tuple[str, float, float, float, float]] = [
    ("06", 0.55, 0.19, 11.95, 1.7),
    ("07", 0.30, 0.66, 10.5, 1.6),
    ("09", 0.15, 0.15, 0.0, 0.0),
]
_SUBTYPES = {
    "06": ["0601", "0601", "0602"],
    "07": ["0701", "0702", "0702", "0703"],
    "09": ["0901", "0902"],
}


def calls_per_year(year: int) -> float:
    """The squad's yearly call rate: about 120 at founding, rising with the town."""
    return 120.0 + 7.0 * (year - 1998)


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _history(session: Session, rng: random.Random, now: datetime) -> int:
    rows: list[dict[str, Any]] = []
    start = FOUNDED
    end = now.astimezone(LOCAL_ZONE) - timedelta(days=2)
    year = start.year
    while year <= end.year:
        year_start = max(start, datetime(year, 1, 1, tzinfo=LOCAL_ZONE))
        year_end = min(end, datetime(year + 1, 1, 1, tzinfo=LOCAL_ZONE))
        span = (year_end - year_start).total_seconds()
        count = _poisson_large(rng, calls_per_year(year) * span / (365.25 * 86400))
        for _ in range(count):
            at = year_start + timedelta(seconds=rng.uniform(0, span))
            rows.append(_historic_operation(rng, at))
        year += 1
    rows.append(_flood_2017())
    rows.sort(key=lambda r: r["started_at"])
    for chunk in range(0, len(rows), 1000):
        session.execute(insert(FireOperation), rows[chunk : chunk + 1000])
    return len(rows)


def _poisson_large(rng: random.Random, mean: float) -> int:
    if mean < 30:
        return _poisson(rng, mean)
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def _historic_operation(rng: random.Random, at: datetime) -> dict[str, Any]:
    pick = rng.random()
    cumulative = 0.0
    top, rescued_mean, mu, sigma = _MIX[-1][0], _MIX[-1][2], _MIX[-1][3], _MIX[-1][4]
    for code, share, mean, m, s in _MIX:
        cumulative += share
        if pick < cumulative:
            top, rescued_mean, mu, sigma = code, mean, m, s
            break
    code = rng.choice(_SUBTYPES[top])
    protected = int(round(rng.lognormvariate(mu, sigma), -2)) if sigma else 0
    lost = int(protected * rng.uniform(0.02, 0.25)) if top == "06" else 0
    minutes = {"06": rng.uniform(30, 200), "07": rng.uniform(20, 260), "09": rng.uniform(15, 90)}[
        top
    ]
    started = at.astimezone(UTC)
    return {
        "incident_id": None,
        "category_code": code,
        "title": f"{label(code)} · {rng.choice(STREETS)}",
        "alarm_level": 1 if rng.random() < 0.85 else 2,
        "status": OperationStatus.CLOSED.value,
        "started_at": started,
        "ended_at": started + timedelta(minutes=minutes),
        "people_rescued": _poisson(rng, rescued_mean),
        "property_protected_yuan": protected,
        "property_lost_yuan": lost,
        "summary": "",
        "historic": True,
        "extra": {},
    }


def _flood_2017() -> dict[str, Any]:
    started = FLOOD_2017.astimezone(UTC)
    return {
        "incident_id": None,
        "category_code": "0701",
        "title": "沩水河抗洪抢险（历史最高水位）",
        "alarm_level": 3,
        "status": OperationStatus.CLOSED.value,
        "started_at": started,
        "ended_at": started + timedelta(hours=72),
        "people_rescued": 46,
        "property_protected_yuan": 38_000_000,
        "property_lost_yuan": 2_400_000,
        "summary": "沩水河水位达历史最高，队员结成人墙加固堤坝，一线连续战斗3天3夜，分6班轮换。",
        "historic": True,
        "extra": {"shifts": 6},
    }


def _training_history(
    session: Session, rng: random.Random, now: datetime, members: dict[str, FireMember]
) -> None:
    rows: list[dict[str, Any]] = []
    local_now = now.astimezone(LOCAL_ZONE)
    for days_ago in range(14, 0, -1):
        day = (local_now - timedelta(days=days_ago)).date()
        morning = datetime(day.year, day.month, day.day, 6, 0, tzinfo=LOCAL_ZONE)
        block = datetime(day.year, day.month, day.day, 8, 0, tzinfo=LOCAL_ZONE)
        topic = rng.choice(
            ["水带铺设", "破拆救援", "绳索救援", "水域救援", "空气呼吸器佩戴", "登高操"]
        )
        for member in members.values():
            rows.append(_training_row(member.id, morning, "fitness", "出早操", 30, None))
            rows.append(
                _training_row(member.id, block, "training", topic, 180, rng.randint(72, 99))
            )
        if days_ago % 7 == 3:
            drill = datetime(day.year, day.month, day.day, 15, 0, tzinfo=LOCAL_ZONE)
            for member in members.values():
                rows.append(
                    _training_row(
                        member.id, drill, "drill", "重点单位实战演练", 120, rng.randint(80, 98)
                    )
                )
    session.execute(insert(TrainingEntry), rows)


def _training_row(
    member_id: int, at: datetime, kind: str, title: str, minutes: int, score: int | None
) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "at": at.astimezone(UTC),
        "kind": kind,
        "title": title,
        "minutes": minutes,
        "score": score,
        "note": "",
        "recorded_by_id": None,
    }
