"""Addresses as people write them: labelled cases, 18,000 real addresses, and our own ground."""

from __future__ import annotations

import csv
import json

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from jingwu.community.address import chinese_number, is_sure, match_address, parse_address
from jingwu.core.db import Database
from jingwu.places.models import StandardAddress
from tests.community.conftest import ADDRESS_DIR, shared_or_skip

FIELDS = [
    ("name", "name"),
    ("phone", "phone"),
    ("provinceName", "province"),
    ("cityName", "city"),
    ("areaName", "district"),
    ("streetName", "street"),
]


def _written(expected: str, text: str, field: str) -> bool:
    """Only what the text itself says: inferring 盐田区 → 深圳市 needs a national gazetteer."""
    flat = text.replace(" ", "")
    return (
        field in ("name", "phone")
        or expected in flat
        or (field == "provinceName" and expected[:2] in flat)
    )


def test_labelled_cases_get_the_written_parts_right() -> None:
    cases = json.loads(
        shared_or_skip(ADDRESS_DIR / "zh-address-parse_addressParse.json").read_text("utf-8")
    )
    right = total = 0
    misses = []
    for case in cases:
        parsed = parse_address(case["address"])
        for label, attr in FIELDS:
            expected = case["result"][label]
            if expected and _written(expected, case["address"], label):
                total += 1
                if getattr(parsed, attr) == expected:
                    right += 1
                else:
                    misses.append((case["address"][:30], attr, expected, getattr(parsed, attr)))
    assert total > 120
    assert right / total >= 0.95, misses


def test_an_address_only_case() -> None:
    cases = json.loads(
        shared_or_skip(ADDRESS_DIR / "zh-address-parse_addressOnlyParse.json").read_text("utf-8")
    )
    for case in cases:
        parsed = parse_address(case["address"])
        assert parsed.province == case["result"]["provinceName"]
        assert parsed.district == case["result"]["areaName"]


def test_eighteen_thousand_real_addresses_never_crash_the_parser() -> None:
    path = shared_or_skip(ADDRESS_DIR / "cpca_tests_addr.csv")
    with path.open(encoding="utf-8") as handle:
        rows = [row[0] for row in csv.reader(handle) if row]
    assert len(rows) > 18000
    with_province = 0
    for text in rows:
        parsed = parse_address(text)
        with_province += bool(parsed.province)
        assert len(parsed.detail) <= len(text)
    assert with_province > len(rows) // 3


@given(st.text(max_size=300))
def test_any_text_parses_without_error(text: str) -> None:
    parsed = parse_address(text)
    assert all(isinstance(v, str) for v in parsed.as_dict().values())


@given(
    st.lists(
        st.sampled_from(list("省市区县镇街道路号栋单元室村组0123456789一二三十-，, 雷锋")),
        max_size=60,
    )
)
def test_address_shaped_noise_parses_without_error(chars: list[str]) -> None:
    parse_address("".join(chars))


def test_how_our_residents_write() -> None:
    parsed = parse_address(
        "收件人：王先生 131 1111 1111 长沙市岳麓区雷锋街道雷锋社区雷锋大道12号3栋二单元1201室"
    )
    assert (parsed.name, parsed.phone) == ("王先生", "13111111111")
    assert (parsed.province, parsed.city, parsed.district) == ("湖南省", "长沙市", "岳麓区")
    assert (parsed.street, parsed.community, parsed.road) == ("雷锋街道", "雷锋社区", "雷锋大道")
    assert (parsed.door_no, parsed.building, parsed.unit, parsed.room) == ("12", "3", "2", "1201")
    dashed = parse_address("雷锋大道12号3-1-1201")
    assert (dashed.building, dashed.unit, dashed.room) == ("3", "1", "1201")
    assert chinese_number("二十一") == "21"
    assert chinese_number("十") == "10"


def test_written_variants_find_the_standard_address(sqlite_url: str) -> None:
    from jingwu.sim.leifeng import build_scenario

    database = Database(sqlite_url)
    with database.session() as session:
        build_scenario(session, seed=7)
    with database.session(write=False) as session:
        rows = session.scalars(
            select(StandardAddress).where(StandardAddress.room.is_not(None)).limit(25)
        ).all()
        top1 = sure = 0
        for address in rows:
            community = address.full_text.split("雷锋街道", 1)[1].split(address.street, 1)[0]
            variants = [
                address.full_text,
                f"{community}{address.street}{address.door_no}{address.building}"
                f"{address.unit}-{address.room}",
                f"住{address.street}{address.door_no} {address.building}"
                f"{'一二三'[int(address.unit or 1) - 1]}单元{address.room}室 电话13900000000",
            ]
            for text in variants:
                _parsed, candidates = match_address(session, text=text)
                top1 += candidates[0].address.id == address.id
                sure += is_sure(candidates)
        assert top1 >= 0.9 * 3 * len(rows)
        # an address the station does not have: a ranked choice, never "sure"
        _parsed, candidates = match_address(session, text="北京市东城区建设路紫薇花园")
        assert not is_sure(candidates)
    database.dispose()
