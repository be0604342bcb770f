"""The case team's part of the Leifeng demo: the squad, the steel-theft story, live and past cases.

``build_cases_demo(session, context)`` is a scenario builder: the sim appends it to its list and
calls it once, after the station's ground (jurisdiction, sites, accounts, units) is in place.
Everything is synthetic; the ID numbers carry valid checksums and belong to no one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from jingwu.cases import service
from jingwu.cases.models import (
    Arrest,
    Case,
    CaseOfficer,
    CasePerson,
    CaseTimelineEntry,
    Loss,
    Recovery,
)
from jingwu.cases.schemas import (
    AnswerIn,
    ArrestIn,
    CaseIn,
    CustodyIn,
    EvidenceIn,
    LossIn,
    PersonIn,
    RecoveryIn,
    RequestIn,
)
from jingwu.cases.states import (
    STATUS_LABELS,
    TYPE_LABELS,
    CaseStatus,
    CaseType,
    CustodyAction,
    PersonRole,
    RequestKind,
    SuspectStatus,
)
from jingwu.command import intake
from jingwu.command import service as command_service
from jingwu.command.categories import CATEGORIES
from jingwu.command.models import Incident, TimelineEntry
from jingwu.command.schemas import IncidentIn
from jingwu.command.states import Route
from jingwu.core.clock import to_local, utcnow
from jingwu.core.idcard import make_id_number
from jingwu.identity import service as identity_service
from jingwu.identity.models import Officer, Team
from jingwu.identity.roles import Role, TeamKind
from jingwu.places.models import Camera, KeySite

DEMO_PASSWORD = "leifeng-demo"  # noqa: S105 - the demo's published password (as in sim)
SQUAD = [
    # username, name, master, assault team, specialty
    ("case", "陈办案", None, True, "侦查破案"),
    ("case2", "韩办案", None, False, "经侦、反诈"),
    ("case3", "罗办案", "case", True, "抓捕"),
    ("case4", "曾办案", "case2", False, "资金查控"),
    ("case5", "彭办案", "case2", True, "视频研判"),
]


class DemoContext(Protocol):
    seed: int
    now: datetime


def _squad(session: Session) -> dict[str, Officer]:
    team = session.scalars(select(Team).where(Team.kind == TeamKind.CASE_TEAM.value)).first()
    officers: dict[str, Officer] = {}
    for username, name, *_ in SQUAD:
        officer = session.scalars(select(Officer).where(Officer.username == username)).first()
        if officer is None:
            officer = identity_service.create_officer(
                session,
                username=username,
                display_name=name,
                role=Role.CASE_OFFICER,
                password=DEMO_PASSWORD,
                team_id=team.id if team else None,
            )
        officers[username] = officer
    lead = officers["case"].id
    for username, _name, master, assault, specialty in SQUAD:
        service.do_set_squad(
            session,
            officer_id=officers[username].id,
            mentor_id=officers[master].id if master else None,
            assault_team=assault,
            specialty=specialty,
            actor_id=lead,
        )
    return officers


class _Clock:
    """Re-dates the timeline rows each step wrote, so a story built now reads as it happened."""

    def __init__(self, session: Session, case: Case) -> None:
        self.session = session
        self.case = case
        self.seen = self._last()

    def _last(self) -> int:
        rows = self.session.scalars(
            select(CaseTimelineEntry.id)
            .where(CaseTimelineEntry.case_id == self.case.id)
            .order_by(CaseTimelineEntry.id.desc())
            .limit(1)
        ).first()
        return rows or 0

    def at(self, moment: datetime) -> None:
        self.session.flush()
        self.session.execute(
            update(CaseTimelineEntry)
            .where(CaseTimelineEntry.case_id == self.case.id, CaseTimelineEntry.id > self.seen)
            .values(at=moment)
        )
        self.seen = self._last()


def _ahead(now: datetime, lead: timedelta = timedelta(hours=1)) -> datetime:
    """A deadline the services accept even when the scenario is set in the past (tests pin
    ``now``); the stories then put the deadline where the story wants it."""
    return max(now, utcnow()) + lead


def _person_id(rng: random.Random, region: str = "430104") -> str:
    born = date(rng.randint(1975, 2002), rng.randint(1, 12), rng.randint(1, 28))
    return make_id_number(region_code=region, birth_date=born, sequence=rng.randint(1, 998))


def _steel_theft(
    session: Session, rng: random.Random, now: datetime, squad: dict[str, Officer]
) -> Case:
    """The seed's story: steel stolen from the metro site, cleared with the room and the beat."""
    dispatcher = session.scalars(select(Officer).where(Officer.username == "dispatcher")).one()
    video = session.scalars(select(Officer).where(Officer.username == "video")).one()
    community = session.scalars(select(Officer).where(Officer.username == "community")).one()
    site = session.scalars(select(KeySite).where(KeySite.name == "中铁五局地铁工地")).one()
    reported = now - timedelta(days=9, hours=3)
    found = intake.do_intake(
        session,
        data=IncidentIn(
            category_code="0101",
            caller_name="工地负责人",
            caller_phone="13900001111",
            address_text=site.name,
            lat=site.lat,
            lon=site.lon,
            description="工地堆放的螺纹钢和钢板昨夜被盗",
            reported_at=reported,
        ),
        officer_id=dispatcher.id,
        idempotency_key=None,
        radius_m=300.0,
        window_minutes=30,
    ).incident
    command_service.do_triage(
        session,
        incident=found,
        route=Route.CASE_TEAM,
        reason="刑事案件，转案件办理队",
        actor_id=dispatcher.id,
    )
    lead = squad["case"]
    case = service.do_open_case(
        session,
        data=CaseIn(
            title="中铁五局地铁工地钢材被盗案",
            case_type=CaseType.THEFT,
            incident_id=found.id,
            summary="地铁6号线工地围挡被剪开，螺纹钢约3.2吨、钢板20块被盗。",
        ),
        actor_id=lead.id,
    )
    clock = _Clock(session, case)
    clock.at(reported + timedelta(minutes=20))
    # the room's part ends once the case team has it: the incident is closed, the case goes on
    command_service.do_close(
        session, incident=found, note="已转案件办理队立案侦查", actor_id=dispatcher.id
    )
    found.closed_at = reported + timedelta(minutes=25)
    session.execute(
        update(TimelineEntry)
        .where(TimelineEntry.incident_id == found.id, TimelineEntry.kind == "closed")
        .values(at=found.closed_at)
    )
    service.do_assign_officer(
        session, case=case, officer_id=squad["case3"].id, duty="assist", actor_id=lead.id
    )
    service.do_transition(session, case=case, target=CaseStatus.FILED, reason="", actor_id=lead.id)
    service.do_transition(
        session, case=case, target=CaseStatus.INVESTIGATING, reason="", actor_id=lead.id
    )
    steel = service.do_add_loss(
        session,
        case=case,
        data=LossIn(item="螺纹钢", quantity="3.2吨", value_yuan=Decimal("15360")),
        actor_id=lead.id,
    )
    service.do_add_loss(
        session,
        case=case,
        data=LossIn(item="钢板", quantity="20块", value_yuan=Decimal("9000")),
        actor_id=lead.id,
    )
    clock.at(reported + timedelta(hours=1))
    cameras = session.scalars(select(Camera).where(Camera.key_site_id == site.id)).all()
    video_request = service.do_create_request(
        session,
        case=case,
        data=RequestIn(
            kind=RequestKind.VIDEO,
            question="调取工地入口及周边道路凌晨监控，查找运输车辆",
            camera_ids=[c.id for c in cameras],
            window_start=reported - timedelta(hours=8),
            window_end=reported - timedelta(hours=2),
            deadline=_ahead(now) + timedelta(days=1),
        ),
        actor_id=lead.id,
    )
    video_request.created_at = reported + timedelta(hours=1)
    video_request.deadline = reported + timedelta(hours=5)
    clock.at(reported + timedelta(hours=1, minutes=5))
    cutter = service.do_add_evidence(
        session,
        case=case,
        data=EvidenceIn(name="断线钳", kind="物证", location="现场围挡处"),
        actor_id=lead.id,
    )
    service.do_custody(
        session,
        case=case,
        item=cutter,
        data=CustodyIn(action=CustodyAction.STORED, location="涉案财物管理中心 A-03"),
        actor_id=lead.id,
    )
    service.do_add_note(
        session,
        case=case,
        kind="scene",
        text="围挡被剪开约1米，地面有货车轮胎印",
        actor_id=lead.id,
    )
    clock.at(reported + timedelta(hours=2))
    service.do_add_note(
        session,
        case=case,
        kind="visit",
        text="走访工地保安与周边废品站，蓝色货车曾多次出现",
        actor_id=squad["case3"].id,
    )
    clock.at(reported + timedelta(hours=4))
    service.do_answer_request(
        session,
        request=video_request,
        data=AnswerIn(answer="02:14 无牌蓝色货车驶入，3名男子装运钢材，04:05 驶往谢家桥方向出租屋"),
        officer=video,
    )
    video_request.answered_at = reported + timedelta(hours=3, minutes=40)
    case.first_lead_at = video_request.answered_at
    clock.at(video_request.answered_at)
    suspects = []
    for name in ["张某", "李某", "王某"]:
        suspects.append(
            service.do_add_person(
                session,
                case=case,
                data=PersonIn(
                    role=PersonRole.SUSPECT,
                    name=name,
                    id_number=_person_id(rng, "430521"),
                    description="外地来长务工，租住谢家桥社区",
                ),
                actor_id=lead.id,
            )
        )
    clock.at(reported + timedelta(hours=8))
    signal = service.do_create_request(
        session,
        case=case,
        data=RequestIn(
            kind=RequestKind.COMMUNITY,
            question="3名嫌疑人落脚谢家桥社区一出租屋，请核实具体楼栋、楼层、房号",
            target_officer_id=community.id,
            deadline=_ahead(now) + timedelta(days=1),
        ),
        actor_id=lead.id,
    )
    signal.created_at = reported + timedelta(hours=8)
    signal.deadline = reported + timedelta(hours=12)
    clock.at(signal.created_at)
    service.do_answer_request(
        session,
        request=signal,
        data=AnswerIn(
            answer="房东确认3人上月租住，夜间返回", building="7栋", floor="3", room="302"
        ),
        officer=community,
    )
    signal.answered_at = reported + timedelta(hours=10, minutes=30)
    clock.at(signal.answered_at)
    for person in suspects:
        service.do_set_suspect_status(
            session,
            case=case,
            person=person,
            status=SuspectStatus.LOCATED,
            note_text="谢家桥社区7栋302室",
            address="谢家桥社区7栋302室",
            actor_id=lead.id,
        )
    arrested_at = reported + timedelta(hours=26)
    for person in suspects:
        service.do_arrest(
            session,
            case=case,
            data=ArrestIn(
                person_id=person.id,
                arrested_at=arrested_at,
                place="谢家桥社区7栋302室",
                measure="刑事拘留",
            ),
            actor_id=squad["case3"].id,
        )
    clock.at(arrested_at)
    service.do_add_recovery(
        session,
        case=case,
        data=RecoveryIn(
            loss_id=steel.id,
            value_yuan=Decimal("15360"),
            recovered_at=reported + timedelta(days=2),
            note="废品站追回螺纹钢",
        ),
        actor_id=lead.id,
    )
    service.do_transition(session, case=case, target=CaseStatus.SOLVED, reason="", actor_id=lead.id)
    clock.at(reported + timedelta(days=3))
    service.do_transition(
        session, case=case, target=CaseStatus.PROSECUTED, reason="", actor_id=lead.id
    )
    clock.at(reported + timedelta(days=8))
    case.filed_at = reported + timedelta(minutes=40)
    case.solved_at = reported + timedelta(days=3)
    case.finished_at = case.disposed_at = reported + timedelta(days=8)
    return case


def _telecom_fraud(session: Session, now: datetime, squad: dict[str, Officer]) -> Case:
    lead = squad["case2"]
    reported = now - timedelta(days=1, hours=5)
    case = service.do_open_case(
        session,
        data=CaseIn(
            title="雷锋社区居民被刷单返利诈骗案",
            case_type=CaseType.TELECOM_FRAUD,
            summary="受害人在网上做刷单任务，先返小额佣金，后被诱导转账38600元。",
            address_text="长沙市岳麓区雷锋街道雷锋社区",
            lat=28.23,
            lon=112.827,
            reported_at=reported,
        ),
        actor_id=lead.id,
    )
    clock = _Clock(session, case)
    service.do_transition(session, case=case, target=CaseStatus.FILED, reason="", actor_id=lead.id)
    service.do_transition(
        session, case=case, target=CaseStatus.INVESTIGATING, reason="", actor_id=lead.id
    )
    service.do_add_person(
        session,
        case=case,
        data=PersonIn(role=PersonRole.VICTIM, name="刘某", phone="13812345678"),
        actor_id=lead.id,
    )
    service.do_add_loss(
        session,
        case=case,
        data=LossIn(item="银行转账", quantity="3笔", value_yuan=Decimal("38600")),
        actor_id=lead.id,
    )
    clock.at(reported + timedelta(minutes=30))
    freeze = service.do_create_request(
        session,
        case=case,
        data=RequestIn(
            kind=RequestKind.UNIT,
            question="对涉案收款账户紧急止付、冻结",
            target_unit="长沙市反电诈中心",
            deadline=_ahead(now) + timedelta(hours=1),
        ),
        actor_id=lead.id,
    )
    freeze.deadline = now - timedelta(hours=3)
    service.do_add_recovery(
        session,
        case=case,
        data=RecoveryIn(
            value_yuan=Decimal("12000"),
            recovered_at=reported + timedelta(hours=3),
            note="第一笔转账止付成功",
        ),
        actor_id=lead.id,
    )
    clock.at(reported + timedelta(hours=3))
    service.do_assign_officer(
        session, case=case, officer_id=squad["case4"].id, duty="assist", actor_id=lead.id
    )
    return case


def _ebike_theft(session: Session, now: datetime, squad: dict[str, Officer]) -> Case:
    lead = squad["case5"]
    camera = session.scalars(select(Camera).order_by(Camera.id)).first()
    case = service.do_open_case(
        session,
        data=CaseIn(
            title="天顶社区电动车被盗案",
            case_type=CaseType.VEHICLE_THEFT,
            summary="小区楼下充电的电动车夜间被盗。",
            address_text="长沙市岳麓区雷锋街道天顶社区",
            lat=28.21,
            lon=112.836,
            reported_at=now - timedelta(hours=5),
        ),
        actor_id=lead.id,
    )
    service.do_transition(session, case=case, target=CaseStatus.FILED, reason="", actor_id=lead.id)
    if camera is not None:
        video = service.do_create_request(
            session,
            case=case,
            data=RequestIn(
                kind=RequestKind.VIDEO,
                question="查看小区出入口夜间监控，找骑走电动车的人",
                camera_ids=[camera.id],
                window_start=now - timedelta(hours=12),
                window_end=now - timedelta(hours=6),
                deadline=_ahead(now, timedelta(hours=6)),
            ),
            actor_id=lead.id,
        )
        video.deadline = now + timedelta(hours=6)
    return case


_PAST_TITLES = {
    CaseType.THEFT: "{place}财物被盗案",
    CaseType.BURGLARY: "{place}入室盗窃案",
    CaseType.VEHICLE_THEFT: "{place}电动车被盗案",
    CaseType.TELECOM_FRAUD: "{place}居民遭电信网络诈骗案",
    CaseType.FRAUD: "{place}诈骗案",
    CaseType.ASSAULT: "{place}故意伤害案",
    CaseType.ROBBERY: "{place}抢劫案",
}
_PLACES = ["雷锋村", "雷锋社区", "雷锋湖社区", "金峰村", "桐木村", "天顶社区", "谢家桥社区"]


def _past_cases(
    session: Session, rng: random.Random, now: datetime, squad: dict[str, Officer], count: int
) -> None:
    """Half a year of earlier cases with their milestones, for the board's monthly medians."""
    types = list(_PAST_TITLES)
    officers = list(squad.values())
    for n in range(count):
        kind = rng.choice(types)
        place = rng.choice(_PLACES)
        reported = now - timedelta(days=rng.uniform(12, 180))
        lead = rng.choice(officers)
        solved = rng.random() < 0.62
        h = 3600.0
        case = Case(
            number=f"AJ-DEMO-{n:04d}",
            title=_PAST_TITLES[kind].format(place=place),
            case_type=kind.value,
            status=CaseStatus.FILED.value,
            address_text=f"长沙市岳麓区雷锋街道{place}",
            lead_officer_id=lead.id,
            created_by_id=lead.id,
            created_at=reported,
            reported_at=reported,
            filed_at=reported + timedelta(hours=rng.uniform(0.5, 6)),
            first_lead_at=reported + timedelta(seconds=rng.lognormvariate(9.5, 0.8)),
        )
        if solved:
            arrest = reported + timedelta(seconds=rng.lognormvariate(11.3, 0.7))
            case.first_arrest_at = arrest
            case.controlled_at = arrest + timedelta(seconds=rng.uniform(0, 12 * h))
            case.solved_at = case.controlled_at + timedelta(seconds=rng.uniform(2 * h, 48 * h))
            if rng.random() < 0.7:
                case.first_recovery_at = reported + timedelta(seconds=rng.lognormvariate(12, 0.6))
            if case.solved_at < now - timedelta(days=10):
                case.status = rng.choice([CaseStatus.PROSECUTED, CaseStatus.CLOSED]).value
                case.finished_at = case.disposed_at = case.solved_at + timedelta(
                    days=rng.uniform(2, 9)
                )
            else:
                case.status = CaseStatus.SOLVED.value
        else:
            case.status = rng.choice(
                [CaseStatus.INVESTIGATING, CaseStatus.INVESTIGATING, CaseStatus.WITHDRAWN]
            ).value
            if case.status == CaseStatus.WITHDRAWN.value:
                case.status_reason = "经查不构成犯罪"
                case.finished_at = reported + timedelta(days=rng.uniform(3, 20))
        session.add(case)
        session.flush()
        case.number = f"AJ{to_local(reported):%Y%m%d}-{case.id:05d}"
        session.add(CaseOfficer(case_id=case.id, officer_id=lead.id, duty="lead"))
        session.add(
            CaseTimelineEntry(
                case_id=case.id,
                at=reported,
                kind="accepted",
                actor_id=lead.id,
                text=f"受理：{case.title}",
            )
        )


def build_cases_demo(session: Session, context: DemoContext, *, past_cases: int = 40) -> None:
    """The case team's demo: squad, the steel-theft story, two live cases, and the past.

    With a scenario history (``context.history_days > 0``) the past is one case per historic
    criminal incident (see `cases_from_history`); without one, ``past_cases`` loose files.
    """
    if session.scalars(select(Case.id).limit(1)).first() is not None:
        return
    rng = random.Random(context.seed * 104729 + 5)
    now = context.now
    squad = _squad(session)
    if getattr(context, "history_days", 0) > 0:
        cases_from_history(session, seed=context.seed, now=now, squad=list(squad.values()))
    else:
        _past_cases(session, rng, now, squad, past_cases)
    _steel_theft(session, rng, now, squad)
    _telecom_fraud(session, now, squad)
    _ebike_theft(session, now, squad)
    session.flush()


# ---- cases from the scenario's history ------------------------------------------------------


@dataclass(frozen=True)
class CaseProcess:
    """How one kind of criminal incident becomes a case and, with some chance, a cleared one.

    ``clear_now`` is the chance that a case reported today is cleared in the end, and it was
    ``gain`` lower for each year further back (the squad got better); how long the clearing
    takes is log-normal around ``median_days``. Cases reported near the end of a period are
    often not cleared *yet* — the rate the board measures comes out of all of that.
    """

    case_type: CaseType
    clear_now: float
    gain: float
    median_days: float
    loss_yuan: float = 0.0  # median loss; 0 when nothing is taken
    recover_share: float = 0.0  # chance that a cleared case gets something back


CASE_PROCESS: dict[str, CaseProcess] = {
    "0101": CaseProcess(CaseType.THEFT, 0.93, 0.18, 5, loss_yuan=1800, recover_share=0.6),
    "0102": CaseProcess(CaseType.ROBBERY, 0.97, 0.08, 3, loss_yuan=1500, recover_share=0.7),
    "0103": CaseProcess(CaseType.ROBBERY, 0.955, 0.105, 3, loss_yuan=1200, recover_share=0.6),
    "0104": CaseProcess(CaseType.ASSAULT, 0.99, 0.06, 1.5),
    "0105": CaseProcess(CaseType.FRAUD, 0.84, 0.19, 10, loss_yuan=8000, recover_share=0.5),
    "0106": CaseProcess(CaseType.BURGLARY, 0.94, 0.175, 7, loss_yuan=5000, recover_share=0.55),
    "0107": CaseProcess(CaseType.VEHICLE_THEFT, 0.93, 0.175, 4, loss_yuan=2600, recover_share=0.7),
    "0108": CaseProcess(CaseType.OTHER, 0.99, 0.0, 3),
    "08": CaseProcess(CaseType.TELECOM_FRAUD, 0.70, 0.21, 15, loss_yuan=26000, recover_share=0.4),
}
FILE_SHARE = 0.96  # the rest are found on review not to be crimes (不立案)
WITHDRAW_SHARE = 0.06  # of the cases still open after a month, withdrawn on review (撤案)
STOP_PAYMENT_SHARE = 0.3  # telecom fraud: money frozen in the first hours (止付), cleared or not
_LOSS_ITEMS = {
    CaseType.THEFT: ("财物", "1件"),
    CaseType.ROBBERY: ("现金及手机", "1部"),
    CaseType.FRAUD: ("被骗钱款", "1笔"),
    CaseType.BURGLARY: ("现金及首饰", "若干"),
    CaseType.VEHICLE_THEFT: ("电动自行车", "1辆"),
    CaseType.TELECOM_FRAUD: ("银行转账", "多笔"),
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_SUSPECT_REGIONS = ("430104", "430112", "430521", "431102", "360102", "420106", "450103")


def case_process(category_code: str) -> CaseProcess | None:
    return CASE_PROCESS.get(category_code) or CASE_PROCESS.get(category_code[:2])


@dataclass
class _HistoryRows:
    cases: list[dict[str, Any]] = field(default_factory=list)
    officers: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    arrests: list[dict[str, Any]] = field(default_factory=list)
    losses: list[dict[str, Any]] = field(default_factory=list)
    recoveries: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    incident_steps: list[dict[str, Any]] = field(default_factory=list)


def cases_from_history(session: Session, *, seed: int, now: datetime, squad: list[Officer]) -> int:
    """Open a case for every historic criminal incident (刑事, 电信诈骗) and play its life.

    Rows go in by bulk insert; nothing here writes a clearance rate — `clearance_rate` counts
    what the process in `CASE_PROCESS` produced. Returns the number of cases.
    """
    incidents = session.execute(
        select(
            Incident.id,
            Incident.category_code,
            Incident.reported_at,
            Incident.closed_at,
            Incident.description,
            Incident.address_text,
            Incident.lat,
            Incident.lon,
            Incident.beat_id,
        )
        .where(
            Incident.is_drill.is_(False),
            Incident.merged_into_id.is_(None),
            or_(Incident.category_code.like("01%"), Incident.category_code.like("08%")),
        )
        .order_by(Incident.reported_at, Incident.id)
    ).all()
    if not incidents or not squad:
        return 0
    rng = random.Random(seed * 7_368_787 + 13)
    rows = _HistoryRows()
    first_case = (session.scalar(select(func.max(Case.id))) or 0) + 1
    ids = {"person": (session.scalar(select(func.max(CasePerson.id))) or 0) + 1}
    ids["loss"] = (session.scalar(select(func.max(Loss.id))) or 0) + 1
    for offset, incident in enumerate(incidents):
        process = case_process(incident.category_code)
        if process is None:
            continue
        _one_case(rows, ids, rng, now, squad, first_case + offset, incident, process)
    for model, batch in (
        (Case, rows.cases),
        (CaseOfficer, rows.officers),
        (CasePerson, rows.persons),
        (Arrest, rows.arrests),
        (Loss, rows.losses),
        (Recovery, rows.recoveries),
        (CaseTimelineEntry, rows.timeline),
        (TimelineEntry, rows.incident_steps),
    ):
        for start in range(0, len(batch), 5_000):
            session.execute(insert(model), batch[start : start + 5_000])
    _resync_sequences(session, ("cases", "case_persons", "case_losses"))
    return len(rows.cases)


def _one_case(
    rows: _HistoryRows,
    ids: dict[str, int],
    rng: random.Random,
    now: datetime,
    squad: list[Officer],
    case_id: int,
    incident: Any,
    process: CaseProcess,
) -> None:
    hour = timedelta(hours=1)
    reported: datetime = incident.reported_at
    accepted = min(incident.closed_at or reported + hour, now)
    lead = rng.choice(squad).id
    kind = process.case_type
    place = (
        incident.address_text.removeprefix("长沙市岳麓区雷锋街道").removesuffix("附近") or "辖区"
    )
    name = CATEGORIES[incident.category_code].name if incident.category_code in CATEGORIES else ""
    case: dict[str, Any] = {
        "id": case_id,
        "number": f"AJ{to_local(reported):%Y%m%d}-{case_id:05d}",
        "title": f"{place}{name or TYPE_LABELS[kind]}案"[:120],
        "case_type": kind.value,
        "status": CaseStatus.ACCEPTED.value,
        "status_reason": "",
        "incident_id": incident.id,
        "summary": incident.description or "",
        "address_text": incident.address_text,
        "lat": incident.lat,
        "lon": incident.lon,
        "beat_id": incident.beat_id,
        "lead_officer_id": lead,
        "created_by_id": lead,
        "created_at": accepted,
        "reported_at": reported,
        "filed_at": None,
        "solved_at": None,
        "finished_at": None,
        "first_lead_at": None,
        "first_arrest_at": None,
        "controlled_at": None,
        "disposed_at": None,
        "first_recovery_at": None,
    }
    rows.cases.append(case)
    rows.officers.append(
        {"case_id": case_id, "officer_id": lead, "duty": "lead", "assigned_at": accepted}
    )
    label_ = TYPE_LABELS[kind]

    def step(at: datetime, kind_: str, text_: str, **data: Any) -> None:
        rows.timeline.append(
            {
                "case_id": case_id,
                "at": at,
                "source": "case",
                "kind": kind_,
                "actor_id": lead,
                "text": text_,
                "data": data,
            }
        )

    def move(at: datetime, target: CaseStatus, reason: str = "") -> None:
        previous = CaseStatus(case["status"])
        case["status"] = target.value
        text_ = f"{STATUS_LABELS[previous]} → {STATUS_LABELS[target]}"
        step(at, "status", f"{text_}：{reason}" if reason else text_, to=target.value)
        rows.timeline[-1]["data"]["from"] = previous.value

    step(accepted, "accepted", f"受理：{label_}案 {case['title']}", case_type=kind.value)
    rows.incident_steps.append(
        {
            "incident_id": incident.id,
            "at": accepted,
            "kind": "case_opened",
            "actor_id": lead,
            "unit_id": None,
            "text": f"案件办理队受理为案件 {case['number']}",
            "data": {"case_id": case_id},
        }
    )
    rows.persons.append(_person(ids, case_id, PersonRole.VICTIM, rng, accepted))
    loss_id = None
    if process.loss_yuan:
        loss_id = ids["loss"]
        ids["loss"] += 1
        item, quantity = _LOSS_ITEMS.get(kind, ("财物", ""))
        value = max(100, round(process.loss_yuan * rng.lognormvariate(0.0, 0.9), -1))
        rows.losses.append(
            {
                "id": loss_id,
                "case_id": case_id,
                "item": item,
                "quantity": quantity,
                "value_fen": int(value * 100),
                "reported_at": accepted,
                "note": "",
            }
        )
        step(accepted, "loss", f"登记损失：{item} {value:.0f} 元", loss_id=loss_id)
    if rng.random() > FILE_SHARE:
        finished = min(accepted + timedelta(days=rng.uniform(1, 5)), now)
        move(finished, CaseStatus.NOT_FILED, "经审查，未达到刑事立案标准")
        case.update(status_reason="经审查，未达到刑事立案标准", finished_at=finished)
        return
    filed = min(accepted + timedelta(hours=rng.uniform(0.5, 6)), now)
    case["filed_at"] = filed
    move(filed, CaseStatus.FILED)
    solved = filed + timedelta(days=process.median_days * rng.lognormvariate(0.0, 0.9))
    # investigation starts within the day, and always before the solving
    investigating = filed + min(timedelta(hours=rng.uniform(1, 24)), (solved - filed) * 0.2)
    move(min(investigating, now), CaseStatus.INVESTIGATING)
    years_ago = (now - reported).total_seconds() / (365.0 * 86400)
    chance = min(1.0, max(0.0, process.clear_now - process.gain * years_ago))
    if kind is CaseType.TELECOM_FRAUD and loss_id and rng.random() < STOP_PAYMENT_SHARE:
        frozen = reported + timedelta(hours=rng.uniform(1, 8))
        if frozen < now:
            _recover(rows, case, loss_id, frozen, rng.uniform(0.1, 0.5), "紧急止付冻结", lead)
            step(frozen, "recovery", "挽损：紧急止付冻结")
    if rng.random() < chance and solved < now:
        _clear(rows, ids, rng, now, case, solved, step, move, lead)
        if loss_id and rng.random() < process.recover_share:
            back = solved + timedelta(hours=rng.uniform(2, 96))
            if back < now:
                _recover(rows, case, loss_id, back, rng.uniform(0.3, 1.0), "追缴返还", lead)
                step(back, "recovery", "挽损：追缴赃款赃物返还被害人")
        return
    if rng.random() < 0.5:
        case["first_lead_at"] = min(filed + timedelta(hours=rng.lognormvariate(1.5, 1.0)), now)
    month_in = filed + timedelta(days=30 + rng.uniform(0, 120))
    if month_in < now and rng.random() < WITHDRAW_SHARE:
        reason = "经侦查，没有犯罪事实"
        move(month_in, CaseStatus.WITHDRAWN, reason)
        case.update(status_reason=reason, finished_at=month_in)


def _clear(
    rows: _HistoryRows,
    ids: dict[str, int],
    rng: random.Random,
    now: datetime,
    case: dict[str, Any],
    solved: datetime,
    step: Callable[..., None],
    move: Callable[..., None],
    lead: int,
) -> None:
    """破案: suspects identified and arrested before the solving, then prosecution or closure."""
    filed: datetime = case["filed_at"]
    lead_at = filed + (solved - filed) * rng.uniform(0.1, 0.5)
    case["first_lead_at"] = lead_at
    step(lead_at, "note", "获取破案线索")
    arrests = sorted(
        max(filed + timedelta(minutes=30), solved - timedelta(hours=rng.uniform(1, 36)))
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))
    )
    for arrested in arrests:
        person = _person(ids, case["id"], PersonRole.SUSPECT, rng, lead_at)
        person["suspect_status"] = SuspectStatus.ARRESTED.value
        rows.persons.append(person)
        rows.arrests.append(
            {
                "case_id": case["id"],
                "person_id": person["id"],
                "arrested_at": arrested,
                "place": case["address_text"][:255],
                "measure": rng.choice(("刑事拘留", "刑事拘留", "取保候审", "行政拘留")),
                "note": "",
                "recorded_by_id": lead,
            }
        )
        step(arrested, "arrest", f"抓获嫌疑人 {person['name']}", person_id=person["id"])
    case.update(first_arrest_at=arrests[0], controlled_at=arrests[-1], solved_at=solved)
    move(solved, CaseStatus.SOLVED)
    finished = solved + timedelta(days=rng.uniform(2, 15))
    if finished < now:
        target = CaseStatus.PROSECUTED if rng.random() < 0.75 else CaseStatus.CLOSED
        move(finished, target)
        case.update(finished_at=finished, disposed_at=finished)


def _person(
    ids: dict[str, int], case_id: int, role: PersonRole, rng: random.Random, at: datetime
) -> dict[str, Any]:
    person_id = ids["person"]
    ids["person"] += 1
    id_number = ""
    if role is PersonRole.SUSPECT:
        born = date(rng.randint(1965, 2005), rng.randint(1, 12), rng.randint(1, 28))
        id_number = make_id_number(
            region_code=rng.choice(_SUSPECT_REGIONS),
            birth_date=born,
            sequence=rng.randint(1, 998),
        )
    return {
        "id": person_id,
        "case_id": case_id,
        "role": role.value,
        "name": f"{rng.choice(_SURNAMES)}某",
        "id_number": id_number,
        "phone": f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
        "address": "",
        "resident_id": None,
        "suspect_status": SuspectStatus.IDENTIFIED.value if role is PersonRole.SUSPECT else None,
        "description": "",
        "created_by_id": None,
        "created_at": at,
    }


def _recover(
    rows: _HistoryRows,
    case: dict[str, Any],
    loss_id: int,
    at: datetime,
    share: float,
    note_: str,
    lead: int,
) -> None:
    lost = next(row["value_fen"] for row in reversed(rows.losses) if row["id"] == loss_id)
    already = sum(r["value_fen"] for r in rows.recoveries if r["loss_id"] == loss_id)
    value = min(int(lost * share), lost - already)
    if value <= 0:
        return
    rows.recoveries.append(
        {
            "case_id": case["id"],
            "loss_id": loss_id,
            "value_fen": value,
            "recovered_at": at,
            "note": note_,
            "recorded_by_id": lead,
        }
    )
    first = case["first_recovery_at"]
    case["first_recovery_at"] = at if first is None else min(first, at)


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
