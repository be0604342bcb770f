"""In the browser: the chief's board, a monthly review with its charts, hotspots, beat plans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingwu.core.db import Database
from tests.analytics.conftest import bulk_insert, incident_rows, station_communities, utc
from tests.browser import log_in, shot

pytestmark = pytest.mark.browser


def _fill(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'live.db'}")
    with database.session() as session:
        areas = station_communities(session)
        rows = incident_rows(areas, start=utc(2025, 1, 1), days=730, per_day=4, seed=3)
        rows += incident_rows(
            areas[6:],
            start=utc(2026, 10, 5),
            days=10,
            per_day=3,
            seed=5,
            codes={"0106": 1.0},
            first_number=len(rows) + 1,
        )
        bulk_insert(session, rows)
    database.dispose()


def test_board_review_hotspots_beats(live_server: str, chromium: Any, tmp_path: Path) -> None:
    _fill(tmp_path)
    context = chromium.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "chief")
    page.goto(f"{live_server}/analytics?start=2026-10-01&end=2026-10-31")
    page.wait_for_selector(".tile[data-key=criminal] .value")
    page.wait_for_timeout(400)
    shot(page, "analytics-board")
    assert "暂无数据" in page.inner_text("#tiles") or "破案率" in page.inner_text("#tiles")
    page.click(".tile[data-key=criminal]")
    page.wait_for_selector("#records tr td a")
    assert "刑事警情" in page.inner_text("#records-title")
    shot(page, "analytics-records")

    page.goto(f"{live_server}/analytics/review?kind=month&on=2026-10-15")
    page.wait_for_selector("#highlights li")
    page.wait_for_timeout(600)
    assert "入室盗窃" in page.inner_text("#highlights")
    shot(page, "analytics-review")
    page.set_viewport_size({"width": 1500, "height": 2200})
    page.evaluate("() => window.scrollTo(0, 500)")
    page.wait_for_timeout(300)
    shot(page, "analytics-review-charts")
    page.set_viewport_size({"width": 1500, "height": 1000})

    page.goto(f"{live_server}/analytics/hotspots")
    page.wait_for_function("() => document.getElementById('hotspot-info').textContent.length > 0")
    shot(page, "analytics-hotspots")

    page.goto(f"{live_server}/analytics/beats")
    page.wait_for_selector(".plan .beat")
    shot(page, "analytics-beats")
    page.select_option("#beats-form select[name=grid]", "20")
    page.fill("#beats-form input[name=k]", "3")
    page.click("#beats-form button[type=submit]")
    page.wait_for_selector(".plan .beat >> text=格")
    shot(page, "analytics-beats-grid")
    assert errors == []
    context.close()
