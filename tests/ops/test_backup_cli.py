"""`jingwu backup` then `jingwu restore` into a fresh database of the same kind (SQLite→SQLite,
PostgreSQL→PostgreSQL), through the command line as an operator runs them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from jingwu.cli import app as cli
from jingwu.command.models import Incident, TimelineEntry
from jingwu.core.db import Database
from jingwu.identity.models import AuditEntry
from tests.conftest import POSTGRES_ADMIN_URL

SECRET = "backup-cli-test-secret-0123456789"


@pytest.fixture
def empty_twin(station: Database, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the station's (not migrated: restore does it)."""
    if station.url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'twin.db'}"
        return
    name = f"jingwu_twin_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _counts(url: str) -> tuple[int, int, int]:
    database = Database(url)
    try:
        with database.session(write=False) as session:
            return (
                int(session.scalar(select(func.count(Incident.id))) or 0),
                int(session.scalar(select(func.count(TimelineEntry.id))) or 0),
                int(session.scalar(select(func.count(AuditEntry.id))) or 0),
            )
    finally:
        database.dispose()


def _run(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> Any:
    monkeypatch.setenv("JINGWU_DATABASE_URL", url)
    monkeypatch.setenv("JINGWU_SECRET_KEY", SECRET)
    monkeypatch.delenv("JINGWU_DEMO", raising=False)
    return CliRunner().invoke(cli, list(args))


def test_backup_and_restore_round_trip_on_the_same_kind(
    login: Any,
    station: Database,
    empty_twin: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dispatcher = login("dispatcher")
    for index in range(3):
        body = {"category_code": "0201", "address_text": f"雷锋大道{index}号"}
        assert dispatcher.post("/api/incidents", json=body).status_code == 201
    archive = tmp_path / "station.jsonl.gz"

    made = _run(monkeypatch, station.url, "backup", str(archive))
    assert made.exit_code == 0, made.output
    assert archive.stat().st_size > 0

    restored = _run(monkeypatch, empty_twin, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert _counts(empty_twin) == _counts(station.url)
    verified = _run(monkeypatch, empty_twin, "audit", "verify")
    assert verified.exit_code == 0, verified.output

    again = _run(monkeypatch, empty_twin, "restore", str(archive))
    assert again.exit_code == 1  # never over data already there
    missing = _run(monkeypatch, empty_twin, "restore", str(tmp_path / "nope.gz"))
    assert missing.exit_code == 2
