"""Backup and restore as portable JSON lines: SQLite ⇄ PostgreSQL, one station's whole record.

A backup holds every table in dependency order. Restore goes into an empty, migrated database
(of either kind) in one transaction: it is all there afterwards, or none of it is.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection

from jingwu.core.clock import utcnow
from jingwu.core.db import Database
from jingwu.core.errors import Conflict, InvalidInput
from jingwu.migrations import load_models

FORMAT = "jingwu-backup"
VERSION = 1
BATCH = 2000


def _tables() -> list[Table]:
    return [t for t in load_models().sorted_tables if t.name != "alembic_version"]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$t": value.isoformat()}
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
        if "$t" in value:
            return time.fromisoformat(value["$t"])
        if "$b64" in value:
            return base64.b64decode(value["$b64"])
    return value


def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield {key: _encode(value) for key, value in row.items()}


def backup(database: Database, target: Path) -> dict[str, int]:
    """Write every table to a gzip'd JSON-lines file; returns rows per table."""
    counts: dict[str, int] = {}
    tables = _tables()
    with database.engine.connect() as connection, gzip.open(target, "wt", encoding="utf-8") as out:
        heads = []
        if connection.dialect.has_table(connection, "alembic_version"):
            heads = sorted(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
        header = {
            "format": FORMAT,
            "version": VERSION,
            "made_at": utcnow().isoformat(),
            "dialect": connection.dialect.name,
            "migrations": heads,
            "tables": [t.name for t in tables],
        }
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for table in tables:
            counts[table.name] = 0
            for row in _rows(connection, table):
                out.write(
                    json.dumps({"t": table.name, "r": row}, ensure_ascii=False, default=str) + "\n"
                )
                counts[table.name] += 1
    return counts


def _read_header(source: Path) -> dict[str, Any]:
    try:
        with gzip.open(source, "rt", encoding="utf-8") as handle:
            header = json.loads(handle.readline())
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"不是有效的备份文件 / not a jingwu backup: {exc}", code="bad_backup"
        ) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InvalidInput("不是 jingwu 备份文件 / not a jingwu backup", code="bad_backup")
    if header.get("version") != VERSION:
        raise InvalidInput(
            f"备份版本不支持 / unsupported backup version {header.get('version')}",
            code="bad_backup",
        )
    return header


def _check_empty(connection: Connection, tables: list[Table]) -> None:
    for table in tables:
        if connection.execute(select(func.count()).select_from(table)).scalar():
            raise Conflict(
                f"目标数据库不为空（{table.name}）/ restore needs an empty, migrated database",
                code="target_not_empty",
            )


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or key[0].type.python_type is not int:
            continue
        highest = connection.execute(select(func.max(key[0]))).scalar() or 0
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, :column), :next, false)"),
            {"table": table.name, "column": key[0].name, "next": int(highest) + 1},
        )


def restore(database: Database, source: Path) -> dict[str, int]:
    """Load a backup into an empty, migrated database, all or nothing."""
    header = _read_header(source)
    tables = {t.name: t for t in _tables()}
    unknown = [name for name in header["tables"] if name not in tables]
    if unknown:
        raise InvalidInput(f"备份含有未知的表 / unknown tables: {unknown}", code="bad_backup")
    counts = dict.fromkeys(header["tables"], 0)
    postgres = database.engine.dialect.name == "postgresql"
    with database.engine.connect() as connection:
        raw = connection.connection.driver_connection
        if not postgres and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, where it applies
        with connection.begin():
            if postgres:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
            _check_empty(connection, list(tables.values()))
            pending: dict[str, list[dict[str, Any]]] = {}

            def flush(name: str) -> None:
                if pending.get(name):
                    connection.execute(insert(tables[name]), pending.pop(name))

            with gzip.open(source, "rt", encoding="utf-8") as handle:
                handle.readline()
                for line in handle:
                    item = json.loads(line)
                    name = item["t"]
                    if name not in tables:
                        raise InvalidInput(f"未知的表 / unknown table {name}", code="bad_backup")
                    row = {key: _decode(value) for key, value in item["r"].items()}
                    pending.setdefault(name, []).append(row)
                    counts[name] += 1
                    if len(pending[name]) >= BATCH:
                        flush(name)
            for name in list(pending):
                flush(name)
            if postgres:
                _reset_sequences(connection, list(tables.values()))
        if not postgres and raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")
    return counts
