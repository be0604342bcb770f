"""Case-team fixtures: the app with its uploads in the test's temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingwu.app import create_app
from jingwu.core.config import Settings
from jingwu.core.db import Database


@pytest.fixture
def app(station: Database, tmp_path: Path) -> Any:
    """The shared app, with attachments stored under this test's temporary folder."""
    settings = Settings(
        database_url=station.url,
        secret_key="test-secret-0123456789abcdef",
        upload_dir=str(tmp_path / "uploads"),
    )
    return create_app(settings, station)
