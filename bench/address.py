"""Address parsing and matching: throughput on 18,000 real addresses and top-1 on our own ground.

Parse: every address of ../shared/data/cn-address/cpca_tests_addr.csv through
``jingwu.community.address.parse_address``; the baseline, measured in the same run, is a single
regular expression that only splits off province/city/district suffixes (what the parser does
first, without names, phones, roads, doors or rooms).
Match: written variants of the demo station's standard addresses (full text, "road door
building-unit-room", a resident's "住…单元…室 电话…") matched against all of them on SQLite;
reports top-1 accuracy and lookups per second. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from jingwu.community.address import match_address, parse_address
from jingwu.core.db import Database
from jingwu.migrations import upgrade
from jingwu.places.models import StandardAddress
from jingwu.sim.leifeng import build_scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "cn-address" / "cpca_tests_addr.csv"
BASELINE = re.compile(r"^(.{2,7}?[省市])?(.{2,7}?市)?(.{1,7}?[区县])?")


def parse_rate(rows: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    for text in rows:
        parse_address(text)
    ours = len(rows) / (time.perf_counter() - started)
    started = time.perf_counter()
    for text in rows:
        BASELINE.match(text)
    base = len(rows) / (time.perf_counter() - started)
    return ours, base


def match_figures(limit: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        database = Database(url)
        with database.session() as session:
            build_scenario(session, seed=7)
        with database.session(write=False) as session:
            rows = session.scalars(
                select(StandardAddress).where(StandardAddress.room.is_not(None)).limit(limit)
            ).all()
            texts = []
            for a in rows:
                texts += [
                    (a.id, a.full_text),
                    (
                        a.id,
                        f"{a.street}{a.door_no}{(a.building or '').rstrip('栋')}-{a.unit}-{a.room}",
                    ),
                    (
                        a.id,
                        f"住{a.street}{a.door_no} {a.building}{a.unit}单元{a.room}室 电话13900000000",
                    ),
                ]
            started = time.perf_counter()
            right = 0
            for address_id, text in texts:
                _parsed, candidates = match_address(session, text=text)
                right += bool(candidates) and candidates[0].address.id == address_id
            per_s = len(texts) / (time.perf_counter() - started)
        database.dispose()
    return right / len(texts), per_s, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fifth of the data, under a minute")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"data not present: {DATA}", file=sys.stderr)
        print(json.dumps({"skipped": "cn-address data not present"}))
        return
    with DATA.open(encoding="utf-8") as handle:
        rows = [row[0] for row in csv.reader(handle) if row][1:]
    if args.quick:
        rows = rows[::5]
    ours, base = parse_rate(rows)
    print(f"parse: {len(rows)} addresses, {ours:,.0f}/s (suffix-regex baseline {base:,.0f}/s)")
    top1, per_s, lookups = match_figures(20 if args.quick else 80)
    print(f"match: {lookups} written variants, top-1 {top1:.1%}, {per_s:,.0f} lookups/s")
    print(
        json.dumps(
            {
                "addresses": len(rows),
                "parse_per_s": round(ours),
                "baseline_per_s": round(base),
                "ratio_to_baseline": round(ours / base, 4),
                "match_top1": round(top1, 4),
                "match_lookups": lookups,
                "match_per_s": round(per_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
