"""NMEA 0183 from vehicle terminals: RMC/GGA/GNS/GSV from any constellation's talker —
GPS ($GP), GLONASS ($GL), Galileo ($GA), combined ($GN) and BeiDou ($BD, and $GB as some
receivers send it).

A terminal's sentences arrive one line at a time; :class:`NmeaDecoder` keeps what the cycle's
sentences have said so far (altitude, satellites) and yields a fix on each valid RMC, the one
sentence that carries the date, the speed and the track.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pynmea2

KNOT_MPS = 0.514444
MAX_LINE = 200
CONSTELLATIONS = {
    "GP": "GPS",
    "GL": "GLONASS",
    "GA": "Galileo",
    "BD": "BeiDou",
    "GB": "BeiDou",
    "GQ": "QZSS",
    "GI": "NavIC",
}


@dataclass(frozen=True)
class NmeaFix:
    at: datetime
    lat: float
    lon: float
    speed_mps: float | None
    track_deg: float | None
    altitude_m: float | None
    satellites_used: int | None
    talker: str


@dataclass
class NmeaDecoder:
    """One terminal's sentence stream → fixes. Bad or partial lines are counted, not raised."""

    altitude_m: float | None = None
    satellites_used: int | None = None
    in_view: dict[str, int] = field(default_factory=dict)
    rejected: int = 0

    def feed(self, line: str) -> NmeaFix | None:
        line = line.strip()
        if not line.startswith("$") or len(line) > MAX_LINE:
            if line and not line.startswith("#"):
                self.rejected += 1
            return None
        try:
            sentence = pynmea2.parse(line, check=True)
        except (pynmea2.ParseError, ValueError, AttributeError, TypeError):
            self.rejected += 1
            return None
        kind = type(sentence).__name__
        talker = str(getattr(sentence, "talker", ""))
        if kind in ("GGA", "GNS"):
            self._position_quality(sentence)
        elif kind == "GSV":
            count = _int(getattr(sentence, "num_sv_in_view", None))
            if count is not None:
                self.in_view[CONSTELLATIONS.get(talker, talker)] = count
        elif kind == "RMC":
            return self._fix(sentence, talker)
        return None

    def _position_quality(self, sentence: pynmea2.NMEASentence) -> None:
        altitude = _float(getattr(sentence, "altitude", None))
        if altitude is not None:
            self.altitude_m = altitude
        used = _int(getattr(sentence, "num_sats", None))
        if used is not None:
            self.satellites_used = used

    def _fix(self, sentence: pynmea2.NMEASentence, talker: str) -> NmeaFix | None:
        if getattr(sentence, "status", "") != "A":
            return None
        try:
            at = sentence.datetime
            lat, lon = float(sentence.latitude), float(sentence.longitude)
        except (ValueError, TypeError, AttributeError):
            self.rejected += 1
            return None
        if not isinstance(at, datetime) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.rejected += 1
            return None
        knots = _float(getattr(sentence, "spd_over_grnd", None))
        track = _float(getattr(sentence, "true_course", None))
        return NmeaFix(
            at=at if at.tzinfo else at.replace(tzinfo=UTC),
            lat=lat,
            lon=lon,
            speed_mps=None if knots is None else knots * KNOT_MPS,
            track_deg=None if track is None else track % 360.0,
            altitude_m=self.altitude_m,
            satellites_used=self.satellites_used,
            talker=talker,
        )


def _float(value: object) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _int(value: object) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def decode_lines(lines: list[str]) -> list[NmeaFix]:
    decoder = NmeaDecoder()
    return [fix for line in lines if (fix := decoder.feed(line)) is not None]
