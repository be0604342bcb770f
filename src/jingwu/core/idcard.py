"""Chinese resident ID numbers (GB 11643-1999) and phone numbers: checked, and masked for display.

An ID number is 17 digits and a check character: a six-digit region code, the birth date as
YYYYMMDD, a three-digit sequence (odd for men, even for women) and the ISO 7064 MOD 11-2 check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from jingwu.core.clock import to_local, utcnow
from jingwu.core.errors import InvalidInput

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
# the province-level part of the region code (GB/T 2260): mainland, Taiwan, Hong Kong, Macao
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip


@dataclass(frozen=True)
class IdNumber:
    """A checked ID number and what it says."""

    value: str
    region_code: str
    birth_date: date
    sex: str  # "M" or "F"


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    return raw.strip().replace(" ", "").upper()


def id_number_problem(raw: str, *, today: date | None = None) -> str | None:
    """What is wrong with this ID number, in Chinese and English, or None when it is valid."""
    value = normalize_id_number(raw)
    if not _SHAPE.match(value):
        return (
            "身份证号应为18位：17位数字加校验位（数字或X） / 18 characters: 17 digits and a check"
        )
    region = value[:6]
    if region[:2] not in PROVINCE_CODES or region[2:4] == "00":
        return f"行政区划代码无效：{region} / unknown region code {region}"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"出生日期无效：{value[6:14]} / not a real birth date"
    today = today or to_local(utcnow()).date()
    if born.year < 1900 or born > today:
        return f"出生日期超出范围：{born.isoformat()} / birth date out of range"
    if check_digit(value[:17]) != value[17]:
        return "身份证号校验位不符 / the check character does not match (GB 11643)"
    return None


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    problem = id_number_problem(raw, today=today)
    if problem is not None:
        raise InvalidInput(problem, code="bad_id_number")
    value = normalize_id_number(raw)
    born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    return IdNumber(
        value=value,
        region_code=value[:6],
        birth_date=born,
        sex="M" if int(value[16]) % 2 else "F",
    )


def make_id_number(*, region_code: str, birth_date: date, sequence: int) -> str:
    """A valid-checksum number for synthetic people (demo data, tests); never a real person's."""
    if not (re.fullmatch(r"\d{6}", region_code) and 0 <= sequence <= 999):
        raise ValueError("region code is six digits, sequence 0..999")
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def mask_id_number(value: str) -> str:
    """430122********1234: the region and the last four stay, the birth date never shows."""
    value = normalize_id_number(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****1234: the operator prefix and the last four digits stay."""
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:
        return digits[:2] + "*" * (len(digits) - 5) + digits[-3:]
    return "*" * len(digits)
