"""Pages are the same on either store: the web tests run on SQLite only."""

from __future__ import annotations

import pytest

from tests.browser import log_in, shot

__all__ = ["log_in", "shot"]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url
