"""How long `jingwu backup` and `jingwu restore` take on a station with a year of history.

    python bench/backup.py              # the Leifeng station with 365 days of history
    python bench/backup.py --quick      # 30 days (finishes within a minute)
    python bench/backup.py --postgres   # also restore into (and back up from) the local PostgreSQL

Backs up a SQLite station to the portable .jsonl.gz, restores it into a fresh SQLite file (and,
with --postgres, into a fresh PostgreSQL database, then backs that up), checking row counts and
the audit chain each time. The baseline, measured in the same run on the same file, is SQLite's
own online backup (a page copy, no portability): the ratio says what portability costs.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jingwu.core.db import Database
from jingwu.identity import audit
from jingwu.identity import service as identity_service
from jingwu.migrations import upgrade
from jingwu.migrations.backup import backup, restore
from jingwu.sim.leifeng import build_scenario

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="finish within a minute")
    parser.add_argument("--history-days", type=int, default=365)
    parser.add_argument(
        "--postgres", nargs="?", const=POSTGRES_ADMIN, metavar="ADMIN_URL", help="also PostgreSQL"
    )
    return parser.parse_args()


def timed_restore(url: str, archive: Path) -> tuple[float, int]:
    upgrade(url)
    database = Database(url)
    try:
        started = time.perf_counter()
        counts = restore(database, archive)
        seconds = time.perf_counter() - started
        with database.session(write=False) as session:
            intact, _checked, _broken = audit.verify(session)
        if not intact:
            raise SystemExit("the restored audit chain does not verify")
        return seconds, sum(counts.values())
    finally:
        database.dispose()


def main() -> None:
    args = parse_arguments()
    if args.quick:
        args.history_days = min(args.history_days, 30)
    identity_service.use_fast_hashing()
    folder = Path(tempfile.mkdtemp(prefix="jingwu-backup-bench-"))
    source_url = f"sqlite:///{folder / 'station.db'}"
    upgrade(source_url)
    station = Database(source_url)
    began = time.perf_counter()
    with station.session() as session:
        build_scenario(session, seed=7, history_days=args.history_days)
    print(
        f"station with {args.history_days} days of history built in "
        f"{time.perf_counter() - began:.1f} s"
    )

    archive = folder / "station.jsonl.gz"
    started = time.perf_counter()
    counts = backup(station, archive)
    backup_s = time.perf_counter() - started
    rows = sum(counts.values())
    station.dispose()

    started = time.perf_counter()
    with (
        sqlite3.connect(folder / "station.db") as live,
        sqlite3.connect(folder / "copy.db") as copy,
    ):
        live.backup(copy)
    baseline_s = time.perf_counter() - started
    db_bytes = (folder / "station.db").stat().st_size

    restore_sqlite_s, restored = timed_restore(f"sqlite:///{folder / 'restored.db'}", archive)
    if restored != rows:
        raise SystemExit(f"restored {restored} rows of {rows}")

    print(
        f"{rows:,} rows in {len(counts)} tables; SQLite file {db_bytes / 1e6:.1f} MB, "
        f"backup file {archive.stat().st_size / 1e6:.1f} MB"
    )
    print(f"backup  SQLite → file   {backup_s:6.2f} s  ({rows / backup_s:,.0f} rows/s)")
    print(
        f"restore file → SQLite   {restore_sqlite_s:6.2f} s  ({rows / restore_sqlite_s:,.0f} rows/s)"
    )
    print(
        f"baseline: SQLite online backup (page copy) {baseline_s:.3f} s; "
        f"backup × {backup_s / baseline_s:.0f} of it"
    )
    summary: dict[str, object] = {
        "bench": "backup",
        "history_days": args.history_days,
        "rows": rows,
        "tables": len(counts),
        "sqlite_mb": round(db_bytes / 1e6, 1),
        "backup_mb": round(archive.stat().st_size / 1e6, 2),
        "backup_sqlite_s": round(backup_s, 2),
        "restore_sqlite_s": round(restore_sqlite_s, 2),
        "baseline_sqlite_page_copy_s": round(baseline_s, 3),
        "backup_ratio_to_page_copy": round(backup_s / baseline_s, 1),
    }
    if args.postgres:
        name = f"jingwu_backup_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        pg_url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        try:
            restore_pg_s, restored = timed_restore(pg_url, archive)
            pg = Database(pg_url)
            started = time.perf_counter()
            backup(pg, folder / "from-postgres.jsonl.gz")
            backup_pg_s = time.perf_counter() - started
            pg.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        print(
            f"restore file → PostgreSQL {restore_pg_s:6.2f} s; "
            f"backup PostgreSQL → file {backup_pg_s:6.2f} s"
        )
        summary["restore_postgres_s"] = round(restore_pg_s, 2)
        summary["backup_postgres_s"] = round(backup_pg_s, 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
