"""Shared fixtures: real SQLite files and the real PostgreSQL, the app, logged-in clients."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jingwu.app import create_app
from jingwu.core.config import Settings
from jingwu.core.db import Database
from jingwu.identity import service as identity_service
from jingwu.migrations import load_models, upgrade
from jingwu.sim.leifeng import DEMO_PASSWORD, build_scenario

pytest_plugins = ["tests.browser"]

identity_service.use_fast_hashing()

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
POSTGRES_ADMIN_URL = os.environ.get(
    "JINGWU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI") == "true"


def _postgres_available() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {make_url(POSTGRES_ADMIN_URL).host}: {exc}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once, dropped at the end."""
    reason = _postgres_available()
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"jingwu_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    metadata = load_models()
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test that takes this runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jingwu.db'}"
        upgrade(url)
        return url
    url: str = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'jingwu.db'}"
    upgrade(url)
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def station(db: Database) -> Database:
    """The Leifeng scenario loaded into the database."""
    with db.session() as session:
        build_scenario(session, seed=7)
    return db


def make_settings(database_url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url, secret_key="test-secret-0123456789abcdef", **overrides
    )


@pytest.fixture
def app(station: Database) -> Any:
    return create_app(make_settings(station.url), station)


class Officer:
    """A logged-in browser: cookie plus the CSRF header on every write."""

    def __init__(self, client: TestClient, csrf: str, me: dict[str, Any]) -> None:
        self.client = client
        self.csrf = csrf
        self.me = me

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(
        self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.post(
            path, json=json, headers={"X-CSRF-Token": self.csrf, **(headers or {})}, **kw
        )


@pytest.fixture
def login(app: Any) -> Iterator[Any]:
    clients: list[TestClient] = []

    def _login(username: str, password: str = DEMO_PASSWORD) -> Officer:
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        response = client.post("/api/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return Officer(client, response.json()["csrf_token"], response.json())

    yield _login
    for client in clients:
        client.__exit__(None, None, None)
