"""The community team's fixtures: shared data paths and small helpers for the API tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jingwu.core.db import Database
from jingwu.identity.models import Officer

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CAP_DIR = SHARED / "cap"
ADDRESS_DIR = SHARED / "cn-address"


def shared_or_skip(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared test data not present at {path}")
    return path


@pytest.fixture
def officer_id(station: Database) -> Iterator[Any]:
    def _lookup(username: str) -> int:
        with station.session(write=False) as session:
            return session.scalars(select(Officer.id).where(Officer.username == username)).one()

    return _lookup
