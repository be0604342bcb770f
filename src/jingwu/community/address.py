"""Addresses as people write them: free text parsed into parts, matched to standard addresses.

People write "长沙市岳麓区雷锋街道雷锋社区雷锋大道12号3栋1单元1201室", or "雷锋大道12号3-1201",
or "收件人：王先生 131 1111 1111 雷锋社区3栋二单元1201". The parser never raises: whatever it
cannot place stays in ``detail``. The matcher ranks standard addresses by the parts that agree
and by how alike the texts are, and says whether it is sure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jingwu.places.models import Community, StandardAddress

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
    "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
    "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
)  # fmt: skip
MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})


def _short(name: str) -> str:
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


_PROVINCE_BY_PREFIX = sorted(
    [(p, p) for p in PROVINCES] + [(_short(p), p) for p in PROVINCES],
    key=lambda pair: -len(pair[0]),
)
# the station's own ground, so that "岳麓区…" or "望城区…" finds its city and province
LOCAL_GAZETTEER = {
    "长沙市": ("湖南省", ("芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区", "长沙县", "浏阳市", "宁乡市")),
}  # fmt: skip
_DISTRICT_HOME = {d: (p, c) for c, (p, ds) in LOCAL_GAZETTEER.items() for d in ds}
_CITY_HOME = {c: p for c, (p, _ds) in LOCAL_GAZETTEER.items()}

_LABELS = re.compile(
    r"(收货人|收件人|联系人|姓名|手机号码|手机号|手机|联系电话|联系方式|电话|电話|所在地区|所在地|"
    r"详细地址|收货地址|地址|邮编|邮政编码)\s*[:：]?"
)
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
_POSTCODE = re.compile(r"(?<![\d-])[1-8]\d{5}(?![\d-])")
_SEPARATORS = re.compile(r"[\s,，;；。、|/]+|(?<!\d)\.|\.(?!\d)")
_ADDRESS_CHARS = re.compile(r"[省市区县镇乡街道路号栋幢楼室村组巷弄园城厦座单元层]")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,5}$")
_PAREN = re.compile(r"[()（）\[\]【】]")

_CITY = re.compile(r"^([\u4e00-\u9fff]{2,7}?(?:自治州|地区|盟|市))")
_DISTRICT = re.compile(r"^([\u4e00-\u9fff]{1,7}?(?:自治县|区|县|市|旗))")
_NOT_DISTRICT = ("小区", "社区", "校区", "园区", "景区", "片区", "厂区", "营区", "专区")
_STREET = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:街道|镇|乡|苏木))")
_COMMUNITY = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:社区|居委会|村委会|村))")
_ROAD = re.compile(r"([\u4e00-\u9fff0-9]{1,10}?(?:大道|大街|路|街|巷|弄))")
_DOOR = re.compile(r"(\d+(?:-\d+)?)号(?!楼)")
_BUILDING = re.compile(r"([0-9]+|[A-Za-z]|[一二三四五六七八九十]+)(?:栋|幢|座|号楼)")
_UNIT = re.compile(r"([0-9]+|[一二三四五六七八九十]+)单元")
_ROOM = re.compile(r"([0-9]{3,5})(?:室|房|号房)?(?!\d)")
_FLOOR = re.compile(r"([0-9]+|[一二三四五六七八九十]+)(?:楼|层)(?!\d)")
_DASHED = re.compile(r"(\d+)-(\d+)-(\d+)$|(\d+)-(\d{3,5})$")
_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}


def chinese_number(text: str) -> str:
    """二 → 2, 十二 → 12, 二十一 → 21; anything else comes back unchanged."""
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        return text
    if "十" not in text:
        return "".join(str(_NUMERALS[c]) for c in text)
    tens, _, ones = text.partition("十")
    return str((_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0))


@dataclass
class ParsedAddress:
    name: str = ""
    phone: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    community: str = ""
    road: str = ""
    door_no: str = ""
    building: str = ""
    unit: str = ""
    floor: str = ""
    room: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")


def _looks_like_name(token: str) -> bool:
    """Two to five Han characters with no address word and no province at the start."""
    if not _HAN.match(token) or _ADDRESS_CHARS.search(token.rstrip("先生女士小姐")[1:]):
        return False
    return not any(token.startswith(p) for p, _full in _PROVINCE_BY_PREFIX)


def _take_contact(text: str, parsed: ParsedAddress) -> str:
    text = _LABELS.sub(" ", text)
    mobile = _MOBILE.search(text)
    landline = _LANDLINE.search(text)
    found = mobile or landline
    if found:
        parsed.phone = re.sub(r"[\s]", "", found.group(0))
        if mobile:
            parsed.phone = parsed.phone.replace("-", "")
        text = text[: found.start()] + " " + text[found.end() :]
    text = _POSTCODE.sub(" ", text) if parsed.phone or "邮编" in text else text
    tokens = [t for t in _SEPARATORS.split(_PAREN.sub("", text)) if t]
    for index, token in enumerate(tokens):
        if _looks_like_name(token):
            parsed.name = token
            del tokens[index]
            break
    return "".join(tokens)


def _district(text: str) -> str:
    found = _DISTRICT.match(text)
    if found is None or found.group(1).endswith(_NOT_DISTRICT):
        return ""
    return found.group(1)


def _take_admin(text: str, parsed: ParsedAddress) -> str:
    for prefix, full in _PROVINCE_BY_PREFIX:
        if text.startswith(prefix):
            parsed.province = full
            text = text[len(prefix) :]
            break
    if parsed.province in MUNICIPALITIES:
        parsed.city = parsed.province
        for repeat in (parsed.province, "市辖区", _short(parsed.province) + "市"):
            if text.startswith(repeat):
                text = text[len(repeat) :]
    else:
        city = _CITY.match(text)
        if city and not city.group(1).endswith(_NOT_DISTRICT):
            rest = text[city.end() :]
            # "都匀市水岸绿洲小区" or "贵州省都匀市甘塘镇": a county-level city, not a prefecture
            county_level = (
                not _district(rest)
                and city.group(1) not in _CITY_HOME
                and (not parsed.province or _STREET.match(rest) is not None)
            )
            if not county_level:
                parsed.city = city.group(1)
                text = rest
    district = _district(text)
    if district:
        parsed.district = district
        text = text[len(district) :]
        if text.startswith(district):  # "桂东县桂东县清泉镇"
            text = text[len(district) :]
    street = _STREET.match(text)
    if street:
        parsed.street = street.group(1)
        text = text[street.end() :]
    if parsed.district in _DISTRICT_HOME and not parsed.city:
        parsed.province, parsed.city = _DISTRICT_HOME[parsed.district]
    if parsed.city in _CITY_HOME and not parsed.province:
        parsed.province = _CITY_HOME[parsed.city]
    return text


def _take_place(text: str, parsed: ParsedAddress) -> None:
    parsed.detail = text
    community = _COMMUNITY.match(text)
    if community:
        parsed.community = community.group(1)
        text = text[community.end() :]
    road = _ROAD.search(text)
    if road:
        parsed.road = road.group(1)
        text = text[road.end() :]
    door = _DOOR.search(text)
    if door:
        parsed.door_no = door.group(1)
        text = text[: door.start()] + " " + text[door.end() :]
    dashed = _DASHED.search(text)
    if dashed:
        if dashed.group(1):
            parsed.building, parsed.unit, parsed.room = dashed.group(1, 2, 3)
        else:
            parsed.building, parsed.room = dashed.group(4, 5)
        text = text[: dashed.start()]
    building = _BUILDING.search(text)
    if building and not parsed.building:
        parsed.building = chinese_number(building.group(1)).upper()
        text = text[: building.start()] + " " + text[building.end() :]
    unit = _UNIT.search(text)
    if unit and not parsed.unit:
        parsed.unit = chinese_number(unit.group(1))
        text = text[: unit.start()] + " " + text[unit.end() :]
    room = _ROOM.search(text)
    if room and not parsed.room:
        parsed.room = room.group(1)
        text = text[: room.start()] + " " + text[room.end() :]
    floor = _FLOOR.search(text)
    if floor:
        parsed.floor = chinese_number(floor.group(1))
    if parsed.room and not parsed.floor and len(parsed.room) >= 3:
        parsed.floor = str(int(parsed.room[:-2]))


def parse_address(text: str) -> ParsedAddress:
    """Split free text into name, phone and address parts. Never raises on any string."""
    parsed = ParsedAddress()
    if not text:
        return parsed
    rest = _take_contact(_normalize(text[:500]), parsed)
    rest = _take_admin(rest, parsed)
    _take_place(rest, parsed)
    return parsed


# --- matching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    address: StandardAddress
    score: float


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


def similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams: 1.0 for the same text, 0.0 for nothing shared."""
    if not a or not b:
        return 0.0
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y))


def _strip_units(value: str | None) -> str:
    return re.sub(r"[号栋幢座单元室]", "", value or "").upper()


_WEIGHTS = {
    "community": 0.15,
    "road": 0.2,
    "door_no": 0.25,
    "building": 0.15,
    "unit": 0.1,
    "room": 0.15,
}


def _parts_score(parsed: ParsedAddress, address: StandardAddress, community: str) -> float:
    given = 0.0
    agreed = 0.0
    theirs = {
        "community": community,
        "road": address.street,
        "door_no": _strip_units(address.door_no),
        "building": _strip_units(address.building),
        "unit": _strip_units(address.unit),
        "room": _strip_units(address.room),
    }
    for part, weight in _WEIGHTS.items():
        mine = getattr(parsed, part)
        if not mine:
            continue
        given += weight
        other = theirs[part]
        if part in ("community", "road"):
            agreed += weight * (1.0 if mine == other else similarity(mine, other) * 0.8)
        elif _strip_units(mine) == other:
            agreed += weight
        elif other and part in ("door_no", "building"):
            return 0.0 if given >= 0.35 else agreed  # a different door is a different place
    return agreed / given if given else 0.0


def match_address(
    session: Session, *, text: str, limit: int = 5, scan_limit: int = 20000
) -> tuple[ParsedAddress, list[Candidate]]:
    """Standard addresses ranked for ``text``, best first, scores in [0, 1]."""
    parsed = parse_address(text)
    communities = {c.id: c.name for c in session.scalars(select(Community)).all()}
    clauses = []
    for value in (parsed.road, parsed.community):
        if value:
            escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(StandardAddress.full_text.like(f"%{escaped}%", escape="\\"))
    query = select(StandardAddress)
    if clauses:
        query = query.where(or_(*clauses))
    rows = list(session.scalars(query.limit(scan_limit)).all())
    if not rows and clauses:
        rows = list(session.scalars(select(StandardAddress).limit(scan_limit)).all())
    probe = "".join(
        [parsed.community, parsed.road, parsed.door_no and parsed.door_no + "号", parsed.detail]
    )
    scored = []
    for address in rows:
        parts = _parts_score(parsed, address, communities.get(address.community_id, ""))
        local_text = address.full_text.split("街道", 1)[-1]
        text_score = similarity(probe or text, local_text)
        scored.append(Candidate(address, round(0.7 * parts + 0.3 * text_score, 4)))
    scored.sort(key=lambda c: (-c.score, c.address.id))
    return parsed, scored[:limit]


def is_sure(candidates: list[Candidate]) -> bool:
    """Sure enough to pick without asking: a strong first and a clear gap to the second."""
    if not candidates or candidates[0].score < 0.8:
        return False
    return len(candidates) == 1 or candidates[0].score - candidates[1].score >= 0.08
