"""The community team's share of the Leifeng demo: households, people, key persons, disputes,
partner agencies and their account. Synthetic throughout: ID numbers carry valid checksums and
belong to no one; phone numbers are random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from jingwu.command.models import Incident
from jingwu.command.states import Route
from jingwu.community.models import (
    BeatOfficer,
    BeatWork,
    Dispute,
    DisputeCallback,
    DisputeParty,
    DisputeStatus,
    House,
    KeyPerson,
    KeyPersonCheckIn,
    MediationSession,
    Organisation,
    PartnerAgency,
    PartnerMember,
    PublicNotice,
    Resident,
    WhistleRequest,
    WhistleStatus,
)
from jingwu.core.clock import to_local
from jingwu.core.idcard import make_id_number
from jingwu.identity import service as identity_service
from jingwu.identity.models import Officer, Team
from jingwu.identity.roles import Role, TeamKind
from jingwu.places.models import Beat, Community, KeySite, StandardAddress


class DemoContext(Protocol):
    seed: int
    now: datetime
    history_days: int
    notes: list[str]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢骆岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僧桑荆谌银扬明沙薄伏岑习胥保和蔺"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强桂兰玉兰文红梅海燕鑫宇浩然子轩欣怡雨涵梓涵思远晨阳佳怡俊杰一鸣雪梅春生秋菊冬梅德明德华永红永强"
LOCAL_REGIONS = ("430104", "430112", "430122")  # 岳麓区, 望城区, 望城县 (before 2011)
FLOATING_REGIONS = ("431102", "430521", "360102", "420106", "450103", "522601", "511302")
AGENCIES = [
    (
        "雷锋街道办事处",
        "street_office",
        "0731-88100001",
        [{"name": "周主任", "title": "综治办主任", "phone": "0731-88100002"}],
        ["矛盾调解", "环境整治", "民生救助"],
    ),
    (
        "高新区分局治安大队",
        "department",
        "0731-88200001",
        [{"name": "钱大队长", "title": "大队长", "phone": "0731-88200002"}],
        ["治安整治", "重点场所检查"],
    ),
    (
        "望城区城管执法局雷锋中队",
        "department",
        "0731-88300001",
        [{"name": "孙中队长", "title": "中队长", "phone": "0731-88300002"}],
        ["占道经营", "违章搭建", "噪音扰民"],
    ),
    (
        "雷锋号·平安联盟（物业联合会）",
        "alliance",
        "0731-88400001",
        [{"name": "李会长", "title": "会长", "phone": "0731-88400002"}],
        ["物业纠纷", "群防群治", "巡逻守护"],
    ),
    (
        "雷锋社区居委会",
        "alliance",
        "0731-88500001",
        [{"name": "吴书记", "title": "党委书记", "phone": "0731-88500002"}],
        ["矛盾调解", "邻里纠纷", "走访"],
    ),
]
DEMO_PASSWORD = "leifeng-demo"  # noqa: S105 - the demo's published password (as in sim)
STREETS = ["雷锋大道", "雷锋北路", "金星大道", "谢家桥路", "桐木路", "天顶路", "雷锋湖路", "金峰路"]
KEY_CATEGORIES = ["社区矫正对象", "吸毒人员", "严重精神障碍患者", "刑满释放人员"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def _person_id(rng: random.Random, *, floating: bool, used: set[str]) -> str:
    while True:
        region = rng.choice(FLOATING_REGIONS if floating else LOCAL_REGIONS)
        born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
        value = make_id_number(region_code=region, birth_date=born, sequence=rng.randint(0, 999))
        if value not in used:
            used.add(value)
            return value


def _officers(session: Session) -> tuple[Officer, Officer]:
    first = session.scalars(select(Officer).where(Officer.username == "community")).one()
    second = session.scalars(select(Officer).where(Officer.username == "community2")).first()
    if second is None:
        team = session.scalars(
            select(Team).where(Team.kind == TeamKind.COMMUNITY_TEAM.value)
        ).first()
        second = identity_service.create_officer(
            session,
            username="community2",
            display_name="谢社区",
            role=Role.COMMUNITY_OFFICER,
            password=DEMO_PASSWORD,
            team_id=team.id if team else None,
        )
    return first, second


def build_community_demo(session: Session, context: DemoContext) -> None:
    """Add the community team's demo records to a freshly built station."""
    rng = random.Random(context.seed * 7919 + 11)
    now = context.now
    officer_b1, officer_b2 = _officers(session)
    beats = {b.code: b for b in session.scalars(select(Beat)).all()}
    session.add_all(
        [
            BeatOfficer(beat_id=beats["B1"].id, officer_id=officer_b1.id),
            BeatOfficer(beat_id=beats["B2"].id, officer_id=officer_b2.id),
        ]
    )
    communities = {c.id: c for c in session.scalars(select(Community)).all()}
    officer_of = {
        c.id: (officer_b1 if c.beat_id == beats["B1"].id else officer_b2).id
        for c in communities.values()
    }
    if context.history_days > 0:
        # the full demo: rooms enough for a realistic collection rate (tests stay small)
        _more_rooms(session, rng, communities=communities)
    addresses = list(session.scalars(select(StandardAddress).order_by(StandardAddress.id)).all())
    used: set[str] = set()
    residents: list[Resident] = []
    houses: list[House] = []
    share = 0.93 if context.history_days > 0 else 0.7
    for address in addresses:
        if rng.random() > share:
            continue
        collector = officer_of[address.community_id]
        collected = now - timedelta(days=rng.randint(5, 400))
        verified = rng.random() < 0.9
        use = rng.choices(["自住", "出租", "商用", "空置"], weights=[6, 3, 1, 1])[0]
        house = House(
            address_id=address.id,
            community_id=address.community_id,
            owner_name=_name(rng),
            owner_phone=_phone(rng),
            use=use,
            rented=use == "出租",
            collected_by_id=collector,
            collected_at=collected,
            verified_by_id=collector if verified else None,
            verified_at=now - timedelta(days=rng.randint(1, 170)) if verified else None,
            check_failed=verified and rng.random() < 0.05,
        )
        houses.append(house)
    session.add_all(houses)
    session.flush()
    for house in houses:
        if house.use in ("商用", "空置"):
            continue
        for index in range(rng.randint(2, 4) if context.history_days > 0 else rng.randint(1, 3)):
            tenant = house.rented
            floating = tenant and rng.random() < 0.7
            id_number = _person_id(rng, floating=floating, used=used)
            verified = rng.random() < 0.85
            residents.append(
                Resident(
                    name=house.owner_name if index == 0 and not tenant else _name(rng),
                    id_number=id_number,
                    phone=_phone(rng),
                    sex="M" if int(id_number[16]) % 2 else "F",
                    birth_date=date(
                        int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])
                    ),
                    kind="floating" if floating else rng.choice(["registered", "resident"]),
                    tenant=tenant,
                    house_id=house.id,
                    community_id=house.community_id,
                    collected_by_id=house.collected_by_id,
                    collected_at=house.collected_at,
                    verified_by_id=house.collected_by_id if verified else None,
                    verified_at=now - timedelta(days=rng.randint(1, 170)) if verified else None,
                    check_failed=verified and rng.random() < 0.04,
                )
            )
    session.add_all(residents)
    session.flush()
    context.notes.append(
        f"community: {len(houses)} houses, {len(residents)} residents, key persons, disputes, "
        "5 partner agencies (account 'partner' answers for 雷锋街道办事处)"
    )
    _organisations(session, rng, now=now, communities=communities, officer_of=officer_of)
    _key_persons(session, rng, now=now, residents=residents, officer_of=officer_of)
    _disputes(session, rng, now=now, residents=residents, officer_of=officer_of)
    _partners(session, rng, now=now, creator=officer_b1.id)
    _beat_work(session, rng, now=now, officer_of=officer_of, communities=communities)
    if context.history_days > 0:
        note = _history(
            session,
            rng,
            now=now,
            days=context.history_days,
            residents=residents,
            officer_of=officer_of,
            communities=communities,
        )
        context.notes.append(note)


def _more_rooms(session: Session, rng: random.Random, *, communities: dict[int, Community]) -> None:
    """Buildings of rooms (or village houses) up to each community's expected households."""
    existing = dict(
        session.execute(
            select(StandardAddress.community_id, func.count()).group_by(
                StandardAddress.community_id
            )
        ).all()
    )
    rows: list[dict[str, object]] = []
    for community in communities.values():
        west, south, east, north = _bounds(community.boundary)
        missing = community.expected_households - int(existing.get(community.id, 0))
        street = STREETS[community.id % len(STREETS)]
        door = 400
        while missing > 0:
            door += 1
            lat = rng.uniform(south + 0.001, north - 0.001)
            lon = rng.uniform(west + 0.001, east - 0.001)
            prefix = f"长沙市岳麓区雷锋街道{community.name}{street}{door}号"
            if community.kind != "community":
                rows.append(_address_row(community.id, street, door, prefix, lat, lon))
                missing -= 1
                continue
            for unit in range(1, 3):
                for floor in range(1, 12):
                    for room in range(1, 3):
                        number = f"{floor}{room:02d}"
                        rows.append(
                            _address_row(
                                community.id,
                                street,
                                door,
                                f"{prefix}1栋{unit}单元{number}室",
                                lat,
                                lon,
                                building="1栋",
                                unit=str(unit),
                                floor=str(floor),
                                room=number,
                            )
                        )
                        missing -= 1
    if rows:
        session.execute(insert(StandardAddress), rows)


def _bounds(ring: list[list[float]]) -> tuple[float, float, float, float]:
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def _address_row(
    community_id: int,
    street: str,
    door: int,
    text: str,
    lat: float,
    lon: float,
    **parts: str,
) -> dict[str, object]:
    return {
        "community_id": community_id,
        "street": street,
        "door_no": f"{door}号",
        "building": parts.get("building"),
        "unit": parts.get("unit"),
        "floor": parts.get("floor"),
        "room": parts.get("room"),
        "full_text": text,
        "lat": lat,
        "lon": lon,
    }


def _organisations(
    session: Session,
    rng: random.Random,
    *,
    now: datetime,
    communities: dict[int, Community],
    officer_of: dict[int, int],
) -> None:
    by_name = {c.name: c.id for c in communities.values()}
    sites = {s.name: s for s in session.scalars(select(KeySite)).all()}
    rows = [
        ("中铁五局地铁工地", "construction", "谢家桥社区"),
        ("雷锋学校", "school", "雷锋社区"),
        ("雷锋纪念馆", "venue", "雷锋社区"),
        ("天顶便民超市", "shop", "天顶社区"),
        ("金峰五金店", "shop", "金峰村"),
        ("雷锋湖农家乐", "restaurant", "雷锋湖社区"),
        ("桐木物流园", "logistics", "桐木村"),
    ]
    for name, kind, community_name in rows:
        community_id = by_name.get(community_name) or next(iter(communities))
        verified = name in sites or rng.random() < 0.5
        session.add(
            Organisation(
                name=name,
                kind=kind,
                community_id=community_id,
                contact_name=_name(rng),
                contact_phone=_phone(rng),
                collected_by_id=officer_of[community_id],
                collected_at=now - timedelta(days=rng.randint(10, 200)),
                verified_by_id=officer_of[community_id] if verified else None,
                verified_at=now - timedelta(days=rng.randint(1, 9)) if verified else None,
            )
        )


def _key_persons(
    session: Session,
    rng: random.Random,
    *,
    now: datetime,
    residents: list[Resident],
    officer_of: dict[int, int],
) -> None:
    chosen = rng.sample([r for r in residents if r.kind != "floating"], k=min(8, len(residents)))
    for index, resident in enumerate(chosen):
        every = rng.choice([7, 14, 30])
        # two overdue, two due today, the rest later: the phone shows a realistic day
        due = now + timedelta(days=[-3, -1, 0, 0, 5, 9, 12, 20][index % 8], hours=-1)
        person = KeyPerson(
            resident_id=resident.id,
            category=KEY_CATEGORIES[index % len(KEY_CATEGORIES)],
            control_level=1 + index % 3,
            officer_id=officer_of[resident.community_id],
            plan="每月面谈一次，掌握思想动态和去向；发现异常及时报告所领导。",
            visit_every_days=every,
            next_visit_due=due,
            in_control=index != 7,
            created_at=now - timedelta(days=120),
        )
        session.add(person)
        session.flush()
        session.add(
            KeyPersonCheckIn(
                key_person_id=person.id,
                officer_id=person.officer_id,
                at=due - timedelta(days=every),
                note="上门见面，情绪稳定，在家务农。"
                if index != 7
                else "未见本人，家属称外出务工。",
                in_control=person.in_control,
            )
        )


def _disputes(
    session: Session,
    rng: random.Random,
    *,
    now: datetime,
    residents: list[Resident],
    officer_of: dict[int, int],
) -> None:
    kinds = ["邻里", "家庭", "物业", "经济", "邻里", "劳资", "土地", "邻里"]
    summaries = {
        "邻里": "楼上漏水渗到楼下，双方争执",
        "家庭": "夫妻因家务琐事争吵",
        "物业": "业主与物业因停车费发生争执",
        "经济": "借款到期未还引发纠纷",
        "劳资": "工地工人讨要拖欠工资",
        "土地": "宅基地边界争议",
    }
    pairs: list[tuple[Resident, Resident]] = []
    for index in range(24):
        a, b = rng.sample(residents, 2)
        if index == 23 and pairs:
            a, b = pairs[0]  # the same two neighbours again: a repeat
        pairs.append((a, b))
        kind = kinds[index % len(kinds)]
        registered = now - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 12))
        status = DisputeStatus.RESOLVED.value
        if index in (5, 23):
            status = DisputeStatus.MEDIATING.value
        elif index == 11:
            status = DisputeStatus.REGISTERED.value
        dispute = Dispute(
            number=f"tmp-demo-{index}",
            source="walk_in" if index % 3 else "incident",
            kind=kind,
            risk_level=["low", "low", "medium", "high"][index % 4],
            status=status,
            summary=summaries[kind],
            address_text="",
            community_id=a.community_id,
            beat_id=None,
            officer_id=officer_of[a.community_id],
            registered_at=registered,
            resolved_at=registered + timedelta(hours=rng.randint(1, 72))
            if status == DisputeStatus.RESOLVED.value
            else None,
            agreement="双方达成谅解，各自承担相应责任。"
            if status == DisputeStatus.RESOLVED.value
            else "",
        )
        community = session.get(Community, a.community_id)
        dispute.beat_id = community.beat_id if community else None
        session.add(dispute)
        session.flush()
        dispute.number = f"JF{to_local(registered):%Y%m%d}-{dispute.id:05d}"
        if index == 23:
            dispute.repeat_of_id = next(
                d
                for d in session.scalars(
                    select(Dispute.id).where(Dispute.number.like("JF%")).order_by(Dispute.id)
                )
            )
        for person in (a, b):
            session.add(
                DisputeParty(
                    dispute_id=dispute.id,
                    resident_id=person.id,
                    name=person.name,
                    phone=person.phone,
                )
            )
        if status == DisputeStatus.RESOLVED.value:
            assert dispute.resolved_at is not None
            session.add(
                MediationSession(
                    dispute_id=dispute.id,
                    officer_id=dispute.officer_id or officer_of[a.community_id],
                    at=dispute.resolved_at,
                    place="社区警务室",
                    notes="听取双方陈述，释法明理。",
                    outcome="agreed",
                    agreement=dispute.agreement,
                )
            )
            due = dispute.resolved_at + timedelta(days=7)
            session.add(
                DisputeCallback(
                    dispute_id=dispute.id,
                    due_at=due,
                    officer_id=dispute.officer_id,
                    done_at=due if due < now else None,
                    satisfied=True if due < now else None,
                    note="双方关系缓和。" if due < now else "",
                )
            )


def _partners(session: Session, rng: random.Random, *, now: datetime, creator: int) -> None:
    agencies = []
    for name, kind, phone, contacts, categories in AGENCIES:
        agency = PartnerAgency(
            name=name, kind=kind, phone=phone, contacts=contacts, categories=categories
        )
        session.add(agency)
        agencies.append(agency)
    session.flush()
    partner = session.scalars(select(Officer).where(Officer.username == "partner")).first()
    if partner is not None:
        session.add(PartnerMember(officer_id=partner.id, agency_id=agencies[0].id))
    requests = [
        (0, "矛盾调解", "协助调解宅基地边界纠纷", "金峰村金峰路", 30, 20, 180, 1500),
        (2, "占道经营", "谢家桥站出口流动摊贩占道", "地铁6号线谢家桥站", 25, 50, 150, 600),
        (3, "物业纠纷", "小区停车费争议，业主聚集", "天顶社区天顶路", 10, 40, 90, 400),
        (1, "重点场所检查", "节前对辖区网吧开展联合检查", "雷锋大道沿线", 60, 120, 600, 2000),
        (0, "环境整治", "雷锋公园周边乱堆乱放清理", "雷锋公园", 90, 200, 1400, None),
    ]
    for index, (agency_index, category, title, place, ack, arrive, _resolve, took) in enumerate(
        requests
    ):
        created = now - timedelta(days=20 - index * 4) if took else now - timedelta(minutes=40)
        row = WhistleRequest(
            number=f"tmp-demo-whistle-{index}",
            agency_id=agencies[agency_index].id,
            category=category,
            title=title,
            description=title,
            place_text=place,
            status=WhistleStatus.RESOLVED.value if took else WhistleStatus.SENT.value,
            created_by_id=creator,
            created_at=created,
            ack_due_at=created + timedelta(minutes=30),
            arrive_due_at=created + timedelta(minutes=120),
            resolve_due_at=created + timedelta(hours=24),
            acknowledged_at=created + timedelta(minutes=ack) if took else None,
            arrived_at=created + timedelta(minutes=arrive) if took else None,
            resolved_at=created + timedelta(minutes=took) if took else None,
        )
        session.add(row)
        session.flush()
        row.number = f"CS{to_local(created):%Y%m%d}-{row.id:05d}"
    session.add(
        PublicNotice(
            identifier="jingwu-notice-demo-fraud",
            sender="leifeng-pcs@jingwu.local",
            sent_at=now - timedelta(days=2),
            event="电信网络诈骗预警",
            urgency="Expected",
            severity="Moderate",
            certainty="Likely",
            headline="近期冒充客服退款诈骗多发",
            description="辖区近期发生多起冒充电商客服以退款为由实施的诈骗。",
            instruction="凡是要求下载会议软件、共享屏幕、转账到“安全账户”的，都是诈骗；请拨打96110咨询。",
            area_desc="雷锋派出所辖区",
            expires_at=now + timedelta(days=30),
        )
    )


def _beat_work(
    session: Session,
    rng: random.Random,
    *,
    now: datetime,
    officer_of: dict[int, int],
    communities: dict[int, Community],
) -> None:
    items = [
        ("campaign", "反诈宣传进社区", 120),
        ("sentiment", "居民反映雷锋北路夜间路灯不亮", 0),
        ("service", "为独居老人代办居住证", 1),
        ("visit", "走访出租屋，登记新入住租客", 6),
        ("campaign", "校园周边交通安全宣传", 300),
        ("sentiment", "村民关注工地夜间施工噪音", 0),
    ]
    ids = list(communities)
    for index, (kind, title, reached) in enumerate(items):
        community_id = ids[index % len(ids)]
        session.add(
            BeatWork(
                kind=kind,
                officer_id=officer_of[community_id],
                beat_id=communities[community_id].beat_id,
                community_id=community_id,
                at=now - timedelta(days=index * 3 + 1),
                title=title,
                note=title,
                people_reached=reached,
            )
        )


# ---- the community team's past, from the scenario's history -------------------------------


@dataclass(frozen=True)
class MediationProcess:
    """How a dispute is mediated: sessions until agreement, a callback after it.

    Each session ends in agreement with a chance that depends on the kind of dispute and
    rose by ``gain`` a year (the team got better); after ``max_sessions`` without one the
    dispute fails (调解不成, the parties are pointed to court or arbitration). An unsatisfied
    callback reopens the dispute for further sessions. The resolution rate the board shows
    is counted from the rows this leaves.
    """

    agree_now: dict[str, float]
    gain: float = 0.15
    max_sessions: int = 3
    first_session_hours: float = 18.0  # median, after registration
    days_between: float = 4.0  # median, between sessions
    callback_days: int = 7
    satisfied: float = 0.97


MEDIATION = MediationProcess(
    agree_now={"邻里": 0.92, "家庭": 0.90, "物业": 0.88, "经济": 0.84, "劳资": 0.82},
)
DISPUTE_KIND_OF = {"0401": "邻里", "0402": "家庭", "0403": "经济", "0404": "劳资", "0405": "物业"}
WHISTLES_PER_WEEK = 1.6
VISITS_PER_WEEK = 3.0  # beat visits per officer
_MEDIATION_PLACES = ("社区警务室", "当事人家中", "村(居)委会调解室", "现场")


def _history(
    session: Session,
    rng: random.Random,
    *,
    now: datetime,
    days: int,
    residents: list[Resident],
    officer_of: dict[int, int],
    communities: dict[int, Community],
) -> str:
    """Two years of disputes, callbacks, key-person visits, beat visits and whistle requests."""
    by_community: dict[int, list[Resident]] = {}
    for resident in residents:
        by_community.setdefault(resident.community_id, []).append(resident)
    beat_officer = {c.beat_id: officer_of[c.id] for c in communities.values()}
    disputes = _historic_disputes(
        session,
        rng,
        now=now,
        by_community=by_community,
        officer_of=officer_of,
        beat_officer=beat_officer,
    )
    _historic_check_ins(session, rng, now=now, days=days)
    _historic_visits(
        session, rng, now=now, days=days, communities=communities, officer_of=officer_of
    )
    whistles = _historic_whistles(session, rng, now=now, days=days, officer_of=officer_of)
    return f"community history: {disputes} disputes from incidents, {whistles} whistle requests"


def _historic_disputes(
    session: Session,
    rng: random.Random,
    *,
    now: datetime,
    by_community: dict[int, list[Resident]],
    officer_of: dict[int, int],
    beat_officer: dict[int | None, int],
) -> int:
    incidents = session.execute(
        select(
            Incident.id,
            Incident.category_code,
            Incident.reported_at,
            Incident.description,
            Incident.address_text,
            Incident.community_id,
            Incident.beat_id,
        )
        .where(
            Incident.is_drill.is_(False),
            Incident.merged_into_id.is_(None),
            Incident.route == Route.COMMUNITY.value,
            Incident.category_code.like("04%"),
        )
        .order_by(Incident.reported_at, Incident.id)
    ).all()
    if not incidents:
        return 0
    first_id = (session.scalar(select(func.max(Dispute.id))) or 0) + 1
    fallback = next(iter(officer_of.values()))
    disputes: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    callbacks: list[dict[str, Any]] = []
    last_pair: dict[frozenset[int], tuple[int, datetime]] = {}
    process = MEDIATION
    for offset, incident in enumerate(incidents):
        dispute_id = first_id + offset
        kind = DISPUTE_KIND_OF.get(incident.category_code, "其他")
        registered = min(incident.reported_at + timedelta(minutes=rng.uniform(3, 40)), now)
        officer = (
            officer_of.get(incident.community_id or 0)
            or beat_officer.get(incident.beat_id)
            or fallback
        )
        row: dict[str, Any] = {
            "id": dispute_id,
            "number": f"JF{to_local(registered):%Y%m%d}-{dispute_id:05d}",
            "source": "incident",
            "incident_id": incident.id,
            "kind": kind,
            "risk_level": rng.choices(("low", "medium", "high"), weights=(7, 2.5, 0.5))[0],
            "status": DisputeStatus.REGISTERED.value,
            "summary": incident.description or "",
            "address_text": incident.address_text,
            "community_id": incident.community_id,
            "beat_id": incident.beat_id,
            "officer_id": officer,
            "registered_at": registered,
            "resolved_at": None,
            "outcome": "",
            "agreement": "",
            "repeat_of_id": None,
            "escalated_incident_id": None,
            "created_by_id": None,
        }
        disputes.append(row)
        pool = by_community.get(incident.community_id or 0) or []
        if len(pool) >= 2:
            pair = rng.sample(pool, 2)
            key = frozenset((pair[0].id, pair[1].id))
            earlier = last_pair.get(key)
            if earlier and registered - earlier[1] < timedelta(days=180):
                row["repeat_of_id"] = earlier[0]
            last_pair[key] = (dispute_id, registered)
            for person in pair:
                parties.append(
                    {
                        "dispute_id": dispute_id,
                        "resident_id": person.id,
                        "name": person.name,
                        "phone": person.phone,
                    }
                )
        years_ago = (now - registered).total_seconds() / (365.0 * 86400)
        chance = max(0.05, process.agree_now.get(kind, 0.75) - process.gain * years_ago)
        at = registered + timedelta(hours=process.first_session_hours * rng.lognormvariate(0, 0.6))
        _mediate(
            rows=sessions,
            callbacks=callbacks,
            dispute=row,
            at=at,
            now=now,
            rng=rng,
            chance=chance,
            sessions_left=process.max_sessions,
            reopened=False,
        )
    for model, batch in (
        (Dispute, disputes),
        (DisputeParty, parties),
        (MediationSession, sessions),
        (DisputeCallback, callbacks),
    ):
        for start in range(0, len(batch), 5_000):
            session.execute(insert(model), batch[start : start + 5_000])
    _resync_sequences(session, ("disputes",))
    return len(disputes)


def _mediate(
    *,
    rows: list[dict[str, Any]],
    callbacks: list[dict[str, Any]],
    dispute: dict[str, Any],
    at: datetime,
    now: datetime,
    rng: random.Random,
    chance: float,
    sessions_left: int,
    reopened: bool,
) -> None:
    """Sessions until agreement or the last one; then the callback, which may reopen it."""
    process = MEDIATION
    while sessions_left > 0 and at < now:
        sessions_left -= 1
        roll = rng.random()
        outcome = "agreed" if roll < chance else "partial" if roll < (1 + chance) / 2 else "failed"
        agreement = "双方达成调解协议，当场履行。" if outcome == "agreed" else ""
        rows.append(
            {
                "dispute_id": dispute["id"],
                "officer_id": dispute["officer_id"],
                "at": at,
                "place": rng.choice(_MEDIATION_PLACES),
                "notes": {
                    "agreed": "听取双方陈述，释法明理，双方各让一步。",
                    "partial": "部分事项达成一致，约定再次调解。",
                    "failed": "双方分歧较大，未达成一致。",
                }[outcome],
                "outcome": outcome,
                "agreement": agreement,
            }
        )
        if outcome == "agreed":
            dispute.update(
                status=DisputeStatus.RESOLVED.value,
                resolved_at=at,
                agreement=agreement,
                outcome=rows[-1]["notes"],
            )
            due = at + timedelta(days=process.callback_days)
            done = due < now
            satisfied = rng.random() < process.satisfied if done else None
            callbacks.append(
                {
                    "dispute_id": dispute["id"],
                    "due_at": due,
                    "done_at": due + timedelta(hours=rng.uniform(0, 30)) if done else None,
                    "officer_id": dispute["officer_id"],
                    "satisfied": satisfied,
                    "note": ""
                    if not done
                    else "双方关系缓和。"
                    if satisfied
                    else "一方反映协议未履行到位。",
                }
            )
            if satisfied is False and not reopened:
                dispute.update(status=DisputeStatus.MEDIATING.value, resolved_at=None)
                again = due + timedelta(days=process.days_between * rng.lognormvariate(0, 0.5))
                _mediate(
                    rows=rows,
                    callbacks=callbacks,
                    dispute=dispute,
                    at=again,
                    now=now,
                    rng=rng,
                    chance=chance,
                    sessions_left=process.max_sessions - 1,
                    reopened=True,
                )
            return
        dispute.update(status=DisputeStatus.MEDIATING.value, outcome=rows[-1]["notes"])
        at += timedelta(days=process.days_between * rng.lognormvariate(0, 0.5))
    if sessions_left == 0 and dispute["status"] == DisputeStatus.MEDIATING.value:
        dispute.update(
            status=DisputeStatus.FAILED.value,
            outcome="多次调解未果，已引导当事人通过诉讼或仲裁解决。",
        )


def _historic_check_ins(session: Session, rng: random.Random, *, now: datetime, days: int) -> None:
    """Key persons were under watch for the whole history: a visit every interval, or so."""
    start = now - timedelta(days=days)
    rows: list[dict[str, Any]] = []
    for person in session.scalars(select(KeyPerson).order_by(KeyPerson.id)).all():
        person.created_at = start
        last = session.scalar(
            select(func.min(KeyPersonCheckIn.at)).where(KeyPersonCheckIn.key_person_id == person.id)
        )
        at = start + timedelta(days=rng.uniform(0, person.visit_every_days))
        while last is not None and at < last - timedelta(days=1):
            in_control = rng.random() < 0.97
            rows.append(
                {
                    "key_person_id": person.id,
                    "officer_id": person.officer_id,
                    "at": at,
                    "note": "上门见面，情绪稳定，近期无异常。"
                    if in_control
                    else "未见本人，已联系家属核实去向。",
                    "in_control": in_control,
                    "lat": None,
                    "lon": None,
                }
            )
            at += timedelta(days=person.visit_every_days * rng.uniform(0.7, 1.05))
    if rows:
        session.execute(insert(KeyPersonCheckIn), rows)


def _historic_visits(
    session: Session,
    rng: random.Random,
    *,
    now: datetime,
    days: int,
    communities: dict[int, Community],
    officer_of: dict[int, int],
) -> None:
    titles = (
        "走访出租屋，登记新入住租客",
        "走访独居老人",
        "走访沿街商户，宣传防盗防诈",
        "入户核查人口信息",
    )
    ids = sorted(communities)
    rows: list[dict[str, Any]] = []
    count = int(days / 7 * VISITS_PER_WEEK * len(set(officer_of.values())))
    for _ in range(count):
        community_id = rng.choice(ids)
        at = now - timedelta(days=rng.uniform(1, days))
        title = rng.choice(titles)
        rows.append(
            {
                "kind": "visit",
                "officer_id": officer_of[community_id],
                "beat_id": communities[community_id].beat_id,
                "community_id": community_id,
                "house_id": None,
                "resident_id": None,
                "at": at,
                "title": title,
                "note": title,
                "people_reached": rng.randint(1, 6),
                "lat": None,
                "lon": None,
            }
        )
    if rows:
        session.execute(insert(BeatWork), rows)


def _historic_whistles(
    session: Session,
    rng: random.Random,
    *,
    now: datetime,
    days: int,
    officer_of: dict[int, int],
) -> int:
    """吹哨报到 over the history: partners acknowledge, arrive and resolve, some of it late."""
    agencies = list(session.scalars(select(PartnerAgency).order_by(PartnerAgency.id)).all())
    if not agencies:
        return 0
    creators = sorted(set(officer_of.values()))
    first_id = (session.scalar(select(func.max(WhistleRequest.id))) or 0) + 1
    rows: list[dict[str, Any]] = []
    count = int(days / 7 * WHISTLES_PER_WEEK)
    for index, created in enumerate(
        sorted(now - timedelta(days=rng.uniform(2, days)) for _ in range(count))
    ):
        agency = rng.choice(agencies)
        category = rng.choice(agency.categories or ["其他"])
        request_id = first_id + index
        acknowledged = created + timedelta(minutes=15 * rng.lognormvariate(0, 0.6))
        arrived = acknowledged + timedelta(minutes=40 * rng.lognormvariate(0, 0.6))
        resolved = arrived + timedelta(hours=8 * rng.lognormvariate(0, 0.8))
        due = (
            created + timedelta(minutes=30),
            created + timedelta(hours=2),
            created + timedelta(hours=24),
        )
        late = acknowledged > due[0] or arrived > due[1] or resolved > due[2]
        rows.append(
            {
                "id": request_id,
                "number": f"CS{to_local(created):%Y%m%d}-{request_id:05d}",
                "agency_id": agency.id,
                "category": category,
                "title": f"请协助处置：{category}",
                "description": f"辖区发现{category}相关问题，请联动单位到场处置。",
                "place_text": "",
                "address_id": None,
                "lat": None,
                "lon": None,
                "status": WhistleStatus.RESOLVED.value,
                "dispute_id": None,
                "created_by_id": rng.choice(creators),
                "created_at": created,
                "ack_due_at": due[0],
                "arrive_due_at": due[1],
                "resolve_due_at": due[2],
                "acknowledged_at": acknowledged,
                "arrived_at": arrived,
                "resolved_at": resolved,
                "escalation_level": 1 if late else 0,
                "escalated_at": next(
                    (
                        d
                        for d, done in zip(due, (acknowledged, arrived, resolved), strict=True)
                        if done > d
                    ),
                    None,
                ),
                "response_note": "已到场处置完毕。",
            }
        )
    if rows:
        session.execute(insert(WhistleRequest), rows)
        _resync_sequences(session, ("whistle_requests",))
    return len(rows)


def _resync_sequences(session: Session, tables: tuple[str, ...]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )
