"""The Leifeng demo station: jurisdiction, key sites, cameras, teams, accounts, units.

Everything here is synthetic and plausible, not surveyed: boundaries are drawn around the
Leifeng area of Changsha, names of communities are illustrative, and no real person appears.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.analytics.demo import build_analytics_demo
from jingwu.cases.demo import build_cases_demo
from jingwu.community.demo import build_community_demo
from jingwu.fire.demo import build_fire_demo
from jingwu.identity import service as identity_service
from jingwu.identity.models import Officer
from jingwu.identity.roles import TEAM_LABELS, Role, TeamKind
from jingwu.places.models import Beat, Camera, Community, KeySite, StandardAddress
from jingwu.units.models import CrewMember, Unit, UnitKind, UnitStatus

DEMO_PASSWORD = "leifeng-demo"  # noqa: S105 - the demo's published password

WEST, EAST = 112.800, 112.872
SOUTH, NORTH = 28.200, 28.244


@dataclass(frozen=True)
class CommunitySpec:
    code: str
    name: str
    kind: str
    beat: str
    cell: tuple[float, float, float, float]  # west, south, east, north
    households: int


_MID_LAT = (SOUTH + NORTH) / 2
COMMUNITIES = [
    CommunitySpec("C01", "雷锋村", "village", "B1", (WEST, _MID_LAT, 112.818, NORTH), 820),
    CommunitySpec("C02", "雷锋社区", "community", "B1", (112.818, _MID_LAT, 112.836, NORTH), 1650),
    CommunitySpec(
        "C03", "雷锋湖社区", "community", "B2", (112.836, _MID_LAT, 112.854, NORTH), 1320
    ),
    CommunitySpec("C04", "金峰村", "village", "B2", (112.854, _MID_LAT, EAST, NORTH), 610),
    CommunitySpec("C05", "桐木村", "village", "B1", (WEST, SOUTH, 112.824, _MID_LAT), 540),
    CommunitySpec("C06", "天顶社区", "community", "B1", (112.824, SOUTH, 112.848, _MID_LAT), 1480),
    CommunitySpec("C07", "谢家桥社区", "community", "B2", (112.848, SOUTH, EAST, _MID_LAT), 1760),
]
BEATS = [("B1", "雷锋第一警务区"), ("B2", "雷锋第二警务区")]

KEY_SITES = [
    ("雷锋纪念馆前坪", "memorial", 28.2318, 112.8262),
    ("湖南党史陈列馆", "museum", 28.2331, 112.8296),
    ("雷锋学校", "school", 28.2262, 112.8214),
    ("雷锋公园", "park", 28.2288, 112.8339),
    ("地铁6号线谢家桥站", "metro", 28.2127, 112.8561),
    ("中铁五局地铁工地", "construction", 28.2089, 112.8505),
]

STREETS = ["雷锋大道", "雷锋北路", "金星大道", "谢家桥路", "桐木路", "天顶路", "雷锋湖路", "金峰路"]

ACCOUNTS = [
    ("dispatcher", "王调度", Role.DISPATCHER, TeamKind.COMMAND_ROOM),
    ("video", "刘视频", Role.VIDEO_PATROL, TeamKind.COMMAND_ROOM),
    ("analyst", "周研判", Role.ANALYST, TeamKind.COMMAND_ROOM),
    ("chief", "李所长", Role.CHIEF, TeamKind.STATION),
    ("case", "陈办案", Role.CASE_OFFICER, TeamKind.CASE_TEAM),
    ("community", "艾社区", Role.COMMUNITY_OFFICER, TeamKind.COMMUNITY_TEAM),
    ("crew1", "张巡逻", Role.PATROL_CREW, TeamKind.COMMAND_ROOM),
    ("partner", "街道办联络员", Role.PARTNER, TeamKind.PARTNER),
    ("fire", "雷锋班班长", Role.FIRE_CREW, TeamKind.FIRE_SQUAD),
    ("admin", "系统管理员", Role.ADMIN, TeamKind.STATION),
]

UNITS = [
    ("1号巡逻车", UnitKind.CAR, "B1", ["crew1", "crew1b"]),
    ("2号巡逻车", UnitKind.CAR, "B1", ["crew2", "crew2b"]),
    ("3号巡逻车", UnitKind.CAR, "B2", ["crew3", "crew3b"]),
    ("4号巡逻车", UnitKind.CAR, "B2", ["crew4", "crew4b"]),
    ("电动车巡逻1组", UnitKind.EBIKE, "B1", ["crew5"]),
    ("电动车巡逻2组", UnitKind.EBIKE, "B2", ["crew6"]),
    ("步巡1组", UnitKind.FOOT, "B1", ["crew7"]),
    ("步巡2组", UnitKind.FOOT, "B2", ["crew8"]),
]
CREW_NAMES = ["赵", "钱", "孙", "吴", "郑", "冯", "褚", "卫", "蒋", "沈", "韩", "杨", "朱", "秦"]


def demo_accounts() -> list[tuple[str, str, str]]:
    return [(u, n, r.value) for u, n, r, _ in ACCOUNTS]


def _ring(cell: tuple[float, float, float, float]) -> list[list[float]]:
    west, south, east, north = cell
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _jurisdiction(session: Session, rng: random.Random) -> dict[str, Community]:
    beats = {}
    for code, name in BEATS:
        beat = Beat(code=code, name=name)
        session.add(beat)
        beats[code] = beat
    session.flush()
    communities = {}
    for spec in COMMUNITIES:
        community = Community(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            beat_id=beats[spec.beat].id,
            boundary=_ring(spec.cell),
            expected_households=spec.households,
            expected_population=int(spec.households * 2.8),
        )
        session.add(community)
        communities[spec.code] = community
    session.flush()
    for spec in COMMUNITIES:
        west, south, east, north = spec.cell
        for _ in range(40):
            street = rng.choice(STREETS)
            door = rng.randint(1, 399)
            building = rng.randint(1, 24) if spec.kind == "community" else None
            lat = rng.uniform(south + 0.001, north - 0.001)
            lon = rng.uniform(west + 0.001, east - 0.001)
            unit = floor = room = None
            text = f"长沙市岳麓区雷锋街道{spec.name}{street}{door}号"
            if building is not None:
                unit, floor = str(rng.randint(1, 3)), str(rng.randint(1, 18))
                room = f"{floor}{rng.randint(1, 4):02d}"
                text += f"{building}栋{unit}单元{room}室"
            session.add(
                StandardAddress(
                    community_id=communities[spec.code].id,
                    street=street,
                    door_no=f"{door}号",
                    building=f"{building}栋" if building else None,
                    unit=unit,
                    floor=floor,
                    room=room,
                    full_text=text,
                    lat=lat,
                    lon=lon,
                )
            )
    return communities


def _sites_and_cameras(session: Session, rng: random.Random) -> None:
    for index, (name, kind, lat, lon) in enumerate(KEY_SITES):
        site = KeySite(name=name, kind=kind, lat=lat, lon=lon)
        session.add(site)
        session.flush()
        for view in range(3):
            session.add(
                Camera(
                    code=f"CAM-{index + 1:02d}{view + 1}",
                    name=f"{name}{['入口', '广场', '周边道路'][view]}",
                    lat=lat + rng.uniform(-0.0008, 0.0008),
                    lon=lon + rng.uniform(-0.0008, 0.0008),
                    direction_deg=rng.choice([0.0, 90.0, 180.0, 270.0]),
                    fov_deg=75.0,
                    key_site_id=site.id,
                )
            )
    for index in range(24):
        session.add(
            Camera(
                code=f"CAM-R{index + 1:02d}",
                name=f"{rng.choice(STREETS)}路口{index + 1}",
                lat=rng.uniform(SOUTH, NORTH),
                lon=rng.uniform(WEST, EAST),
                direction_deg=rng.uniform(0, 360),
                fov_deg=90.0,
            )
        )


def _people_and_units(session: Session, rng: random.Random) -> None:
    teams = {
        kind: identity_service.get_or_create_team(session, kind=kind.value, name=TEAM_LABELS[kind])
        for kind in TeamKind
    }
    officers: dict[str, Officer] = {}
    for username, name, role, team in ACCOUNTS:
        officers[username] = identity_service.create_officer(
            session,
            username=username,
            display_name=name,
            role=role,
            password=DEMO_PASSWORD,
            team_id=teams[team].id,
        )
    beats = {b.code: b for b in session.scalars(select(Beat)).all()}
    for call_sign, kind, beat_code, crew in UNITS:
        west, south, east, north = (
            (WEST, SOUTH, 112.836, NORTH) if beat_code == "B1" else (112.836, SOUTH, EAST, NORTH)
        )
        unit = Unit(
            call_sign=call_sign,
            kind=kind.value,
            beat_id=beats[beat_code].id,
            team_id=teams[TeamKind.COMMAND_ROOM].id,
            status=UnitStatus.AVAILABLE.value,
        )
        unit.lat, unit.lon = rng.uniform(south, north), rng.uniform(west, east)
        session.add(unit)
        session.flush()
        for username in crew:
            officer = officers.get(username)
            if officer is None:
                officer = identity_service.create_officer(
                    session,
                    username=username,
                    display_name=rng.choice(CREW_NAMES) + "警官",
                    role=Role.PATROL_CREW,
                    password=DEMO_PASSWORD,
                    team_id=teams[TeamKind.COMMAND_ROOM].id,
                )
                officers[username] = officer
            session.add(CrewMember(unit_id=unit.id, officer_id=officer.id))


@dataclass
class ScenarioContext:
    """What every scenario builder gets: the seed's generator and how much past to make."""

    seed: int
    rng: random.Random
    history_days: int
    track_days: int
    now: datetime
    progress: bool
    notes: list[str] = field(default_factory=list)


ScenarioBuilder = Callable[[Session, ScenarioContext], None]


def _incident_history(session: Session, context: ScenarioContext) -> None:
    if context.history_days <= 0:
        return
    from jingwu.sim.history import HistoryBuilder

    dispatcher = session.scalars(select(Officer).where(Officer.username == "dispatcher")).first()
    with _bar(context, "警情历史 / incident history") as advance:
        report = HistoryBuilder(
            session,
            seed=context.seed,
            days=context.history_days,
            track_days=context.track_days,
            now=context.now,
            progress=advance,
        ).run(dispatcher_id=dispatcher.id if dispatcher else None)
    context.notes.append(
        f"{report.incidents} historic incidents over {context.history_days} days, "
        f"{report.timeline_rows} timeline rows, {report.positions} unit fixes"
    )


@contextlib.contextmanager
def _bar(context: ScenarioContext, title: str) -> Iterator[Callable[[int], None]]:
    if not context.progress:
        yield lambda _n: None
        return
    from tqdm import tqdm  # type: ignore[import-untyped]

    with tqdm(desc=title, unit=" rows", leave=True) as bar:
        yield bar.update


# Later domains (cases, community, fire) append their own builders here; each runs once,
# in order, after the station's ground (jurisdiction, sites, people, units) is in place.
def _cases_with_history(session: Session, context: ScenarioContext) -> None:
    """Demo cases stand on the incident history: a station without a past has no case files."""
    if context.history_days > 0:
        build_cases_demo(session, context)


SCENARIO_BUILDERS: list[ScenarioBuilder] = [
    _incident_history,
    build_community_demo,
    _cases_with_history,
    build_fire_demo,
    build_analytics_demo,  # the public's answers stand on cases and disputes: keep it last
]


def build_scenario(
    session: Session,
    *,
    seed: int = 7,
    history_days: int = 0,
    track_days: int = 0,
    now: datetime | None = None,
    progress: bool = False,
    notes: list[str] | None = None,
) -> bool:
    """Build the station once; return False when it is already there.

    `history_days` of past incidents (the demo uses 730) and `track_days` of unit tracks for
    replay; tests keep both at 0 so that the station fixture stays fast.
    """
    if session.scalars(select(Beat.id).limit(1)).first() is not None:
        return False
    rng = random.Random(seed)
    _jurisdiction(session, rng)
    _sites_and_cameras(session, rng)
    _people_and_units(session, rng)
    session.flush()
    context = ScenarioContext(
        seed=seed,
        rng=rng,
        history_days=history_days,
        track_days=track_days,
        now=now or datetime.now(UTC),
        progress=progress,
        notes=notes if notes is not None else [],
    )
    for builder in SCENARIO_BUILDERS:
        builder(session, context)
        session.flush()
    return True
