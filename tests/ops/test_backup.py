"""Backup and restore, SQLite ⇄ PostgreSQL: everything back, the audit chain intact, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from jingwu.command.models import Incident, TimelineEntry
from jingwu.core.db import Database
from jingwu.core.errors import Conflict, InvalidInput
from jingwu.identity import audit
from jingwu.migrations import upgrade
from jingwu.migrations.backup import backup, restore


def _fill(login: Any) -> None:
    dispatcher = login("dispatcher")
    for index in range(3):
        body = {
            "category_code": "0101",
            "address_text": f"雷锋大道{index}号",
            "lat": 28.23,
            "lon": 112.83,
        }
        assert dispatcher.post("/api/incidents", json=body).status_code == 201


def _counts(database: Database) -> tuple[int, int]:
    with database.session(write=False) as session:
        return (
            int(session.scalar(select(func.count(Incident.id))) or 0),
            int(session.scalar(select(func.count(TimelineEntry.id))) or 0),
        )


def test_round_trip_into_the_other_kind_of_database(
    login: Any, station: Database, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    before = _counts(station)[0]
    _fill(login)
    archive = tmp_path / "station.jsonl.gz"
    counts = backup(station, archive)
    assert counts["incidents"] == before + 3
    if station.url.startswith("sqlite"):
        target_url: str = request.getfixturevalue("postgres_url")
        from tests.conftest import _truncate_postgres

        _truncate_postgres(target_url)
    else:
        target_url = f"sqlite:///{tmp_path / 'restored.db'}"
        upgrade(target_url)
    target = Database(target_url)
    try:
        restored = restore(target, archive)
        assert restored == counts
        assert _counts(target) == _counts(station)
        with target.session(write=False) as session:
            assert audit.verify(session)[0] is True
        with target.session() as session:  # new rows still get fresh ids after the restore
            session.add(
                Incident(
                    number="JQ-after-restore", priority=3, category_code="0101", address_text="x"
                )
            )
        with pytest.raises(Conflict):
            restore(target, archive)
    finally:
        target.dispose()


def test_a_file_that_is_not_a_backup_is_refused(station: Database, tmp_path: Path) -> None:
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"not gzip at all")
    with pytest.raises(InvalidInput):
        restore(station, junk)
