"""ID numbers (GB 11643) and phone numbers: checked and masked, whatever the input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingwu.core.errors import InvalidInput
from jingwu.core.idcard import (
    PROVINCE_CODES,
    check_digit,
    id_number_problem,
    make_id_number,
    mask_id_number,
    mask_phone,
    parse_id_number,
)

regions = st.builds(
    lambda p, c, d: f"{p}{c:02d}{d:02d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(1, 99),
    st.integers(0, 99),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
valid_ids = st.builds(
    lambda r, b, s: make_id_number(region_code=r, birth_date=b, sequence=s),
    regions,
    births,
    st.integers(0, 999),
)


def test_a_published_example_checks_out() -> None:
    # the worked example of GB 11643-1999's check character
    assert check_digit("11010519491231002") == "X"
    parsed = parse_id_number("11010519491231002x")
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "F"


@given(valid_ids)
def test_every_made_number_is_valid_and_says_its_birth(value: str) -> None:
    assert id_number_problem(value) is None
    parsed = parse_id_number(value)
    assert parsed.birth_date.strftime("%Y%m%d") == value[6:14]
    assert parsed.sex == ("M" if int(value[16]) % 2 else "F")


@given(valid_ids, st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(value: str, position: int, delta: int) -> None:
    changed = value[:position] + str((int(value[position]) + delta) % 10) + value[position + 1 :]
    assert id_number_problem(changed) is not None


@given(st.text(max_size=30))
def test_garbage_never_raises_anything_but_invalid_input(text: str) -> None:
    problem = id_number_problem(text)
    if problem is not None:
        with pytest.raises(InvalidInput):
            parse_id_number(text)


def test_bad_dates_and_regions_are_named() -> None:
    assert "出生日期" in (
        id_number_problem(
            make_id_number(region_code="430122", birth_date=date(1990, 1, 1), sequence=1)[:10]
            + "0230"
            + "0011"
        )
        or ""
    )
    assert "行政区划" in (id_number_problem("990122199001010011") or "")
    future = make_id_number(region_code="430122", birth_date=date(2099, 1, 1), sequence=1)
    assert "范围" in (id_number_problem(future) or "")


@given(valid_ids)
def test_masking_keeps_region_and_last_four_and_hides_the_birth_date(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == 18
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]
    assert masked[6:14] == "********"


def test_masked_form_matches_the_house_style() -> None:
    value = make_id_number(region_code="430122", birth_date=date(1985, 6, 1), sequence=123)
    assert mask_id_number(value) == f"430122********{value[-4:]}"


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_mobile_masking_hides_the_middle_four(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]


@given(st.text(max_size=40))
def test_phone_masking_never_shows_more_than_seven_digits(text: str) -> None:
    masked = mask_phone(text)
    assert sum(ch.isdigit() for ch in masked) <= 7
