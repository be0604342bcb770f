"""The squad's record over its whole history: squad_record vs a bare SQL aggregate.

Builds the Leifeng station and the fire squad with its generated history since 1998 (about
6,000 operation reports; ``--scale N`` repeats the history N times) in a SQLite file, then times
``jingwu.fire.record.squad_record`` (totals, per-year figures in local time, honours) against a
baseline measured in the same run: one ``SELECT count(*), sum(...)`` over the same rows.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from jingwu.core.db import Database
from jingwu.fire import record
from jingwu.fire.demo import build_fire_station
from jingwu.fire.models import FireOperation
from jingwu.identity import service as identity_service
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario


def _timed(fn: object, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="finish within a minute")
    parser.add_argument("--scale", type=int, default=1, help="copies of the history")
    args = parser.parse_args()
    scale = 1 if args.quick else max(1, args.scale)
    repeats = 5 if args.quick else 15
    identity_service.use_fast_hashing()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        database = Database(url)
        with database.session() as session:
            build_scenario(session, seed=7)
            build_fire_station(session, seed=7, history=True)
            if scale > 1:
                columns = [c for c in FireOperation.__table__.columns if c.name != "id"]
                rows = [
                    {c.name: getattr(op, c.key) for c in columns}
                    for op in session.scalars(select(FireOperation)).all()
                ]
                for _ in range(scale - 1):
                    session.execute(insert(FireOperation), rows)
        with database.session(write=False) as session:
            operations = session.scalar(select(func.count(FireOperation.id))) or 0

            def baseline() -> None:
                session.execute(
                    select(
                        func.count(FireOperation.id),
                        func.sum(FireOperation.people_rescued),
                        func.sum(FireOperation.property_protected_yuan),
                    )
                ).one()

            def ours() -> None:
                record.squad_record(session)

            base_s = _timed(baseline, repeats)
            ours_s = _timed(ours, repeats)
            figures = record.squad_record(session)
        database.dispose()
    print(f"operations            {operations:>10,}")
    print(f"SQL aggregate (base)  {base_s * 1000:>10.2f} ms")
    print(f"squad_record          {ours_s * 1000:>10.2f} ms   ({ours_s / base_s:.1f}x baseline)")
    print(
        f"record: {figures.operations:,} operations, {figures.people_rescued:,} rescued, "
        f"{figures.property_protected_yuan / 1e8:.1f} 亿元 protected"
    )
    print(
        json.dumps(
            {
                "bench": "fire_record",
                "operations": operations,
                "baseline_ms": round(base_s * 1000, 3),
                "squad_record_ms": round(ours_s * 1000, 3),
                "ratio": round(ours_s / base_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
