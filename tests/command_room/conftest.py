"""A logged-in dispatcher on a SQLite station, built once per module: for the fuzz tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jingwu.app import create_app
from jingwu.core.db import Database
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import DEMO_PASSWORD, build_scenario
from tests.conftest import Officer, make_settings


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path: Path = tmp_path_factory.mktemp("room") / "jingwu.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        build_scenario(session, seed=7)
    yield create_app(make_settings(url, upload_dir=str(path.parent / "uploads")), database)
    database.dispose()


@pytest.fixture(scope="module")
def sqlite_login(sqlite_app: Any) -> Iterator[Officer]:
    with TestClient(sqlite_app) as client:
        response = client.post(
            "/api/auth/login", json={"username": "dispatcher", "password": DEMO_PASSWORD}
        )
        yield Officer(client, response.json()["csrf_token"], response.json())
