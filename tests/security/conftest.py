"""One Leifeng station built once per session, copied per module; a bearer token per demo account.

The matrix and fuzz tests send thousands of requests: they share a station instead of building
one per test, and they authenticate with bearer tokens (no CSRF, and a stray logout ends nothing).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jingwu.app import create_app
from jingwu.core.db import Database
from jingwu.identity import service as identity_service
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import ACCOUNTS, build_scenario
from tests.conftest import make_settings

USERNAMES = [username for username, *_ in ACCOUNTS]


@dataclass(frozen=True)
class Template:
    path: Path
    tokens: dict[str, str]


@dataclass
class Station:
    """A running app on its own copy of the station, with a token per account."""

    app: Any
    client: TestClient
    database: Database
    tokens: dict[str, str]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


@pytest.fixture(scope="session")
def station_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    folder = tmp_path_factory.mktemp("security-template")
    path = folder / "station.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    tokens: dict[str, str] = {}
    with database.session() as session:
        build_scenario(session, seed=7)
        for officer in identity_service.list_officers(session):
            if officer.username in USERNAMES:
                tokens[officer.username] = identity_service.issue_token(
                    session, officer_id=officer.id, name="security", actor_id=None
                )
    database.dispose()
    return Template(path=path, tokens=tokens)


def open_station(template: Template, folder: Path, **settings: Any) -> Iterator[Station]:
    path = folder / "station.db"
    shutil.copyfile(template.path, path)
    url = f"sqlite:///{path}"
    database = Database(url)
    app = create_app(make_settings(url, **settings), database)
    with TestClient(app) as client:
        yield Station(app=app, client=client, database=database, tokens=template.tokens)
    database.dispose()


@pytest.fixture(scope="module")
def shared_station(
    station_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Station]:
    """One station per test module (tests in it may change its data)."""
    yield from open_station(station_template, tmp_path_factory.mktemp("station"))


@pytest.fixture
def fresh_station(station_template: Template, tmp_path: Path) -> Iterator[Station]:
    """A station of this test's own."""
    yield from open_station(station_template, tmp_path)
