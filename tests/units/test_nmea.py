"""NMEA 0183 decoding checked against gpsd's own expected output for two real receiver logs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingwu.units.nmea import NmeaDecoder, decode_lines

NMEA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nmea"
LOGS = ["gpsd-beidou-gb.log", "gpsd-bu353s4.log"]


def _gpsd_fixes(name: str) -> dict[datetime, dict[str, float]]:
    """gpsd's TPV reports that carry a time, keyed by it (the last report of each second)."""
    expected: dict[datetime, dict[str, float]] = {}
    for line in (NMEA / f"{name}.chk").read_text().splitlines():
        if line.startswith("{") and '"TPV"' in line:
            tpv = json.loads(line)
            if "time" in tpv and "lat" in tpv:
                expected[datetime.fromisoformat(tpv["time"].replace("Z", "+00:00"))] = tpv
    return expected


@pytest.fixture(params=LOGS)
def log_name(request: pytest.FixtureRequest) -> str:
    if not (NMEA / request.param).exists():
        pytest.skip(f"../shared/data/nmea/{request.param} is not on this machine")
    return str(request.param)


def test_fixes_match_gpsd(log_name: str) -> None:
    fixes = decode_lines((NMEA / log_name).read_text().splitlines())
    expected = _gpsd_fixes(log_name)
    assert expected, "the .chk has timed fixes"
    by_time = {fix.at: fix for fix in fixes}
    assert set(expected) <= set(by_time), "every fix gpsd reports, we report"
    for at, tpv in expected.items():
        fix = by_time[at]
        assert fix.lat == pytest.approx(tpv["lat"], abs=1e-8)
        assert fix.lon == pytest.approx(tpv["lon"], abs=1e-8)
        if "track" in tpv:
            assert fix.track_deg == pytest.approx(tpv["track"], abs=1e-3)
    rmc_speeds = {
        at: tpv["speed"] for at, tpv in expected.items() if "track" in tpv and "speed" in tpv
    }
    for at, speed in rmc_speeds.items():
        assert by_time[at].speed_mps == pytest.approx(speed, abs=1e-3)


def test_beidou_talkers_are_read() -> None:
    path = NMEA / "gpsd-beidou-gb.log"
    if not path.exists():
        pytest.skip("../shared/data/nmea is not on this machine")
    decoder = NmeaDecoder()
    fixes = [f for line in path.read_text().splitlines() if (f := decoder.feed(line))]
    assert decoder.in_view["BeiDou"] > 0
    assert decoder.rejected == 0
    assert fixes[-1].altitude_m == pytest.approx(167.2)
    # the same sentence with the BD talker the standard names
    bd = NmeaDecoder()
    bd.feed("$BDGSV,1,1,02,201,36,317,40,214,36,147,38*66")
    assert bd.in_view == {"BeiDou": 2}
    bd.feed("$BDGSV,1,1,02,201,36,317,40,214,36,147,38*6B")
    assert bd.rejected == 1, "a bad checksum is refused"


@given(st.text(max_size=300))
def test_any_line_is_refused_or_decoded_never_raised(line: str) -> None:
    decoder = NmeaDecoder()
    fix = decoder.feed(line)
    assert fix is None or (-90 <= fix.lat <= 90 and -180 <= fix.lon <= 180)
