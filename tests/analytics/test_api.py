"""The analytics API through HTTP: board, drill-down, reviews and exports, writes, errors."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.analytics.conftest import utc


@pytest.fixture
def analyst(login: Any, history: Callable[..., int]) -> Any:
    history(start=utc(2025, 6, 1), days=30, per_day=5, seed=11)
    history(start=utc(2026, 6, 1), days=30, per_day=5, seed=12)
    return login("analyst")


def test_board_compares_with_the_year_before_and_drills_down(analyst: Any) -> None:
    body = analyst.get("/api/analytics/board?start=2026-06-01&end=2026-06-30").json()
    assert body["year_before_start"] == "2025-06-01"
    tiles = {t["key"]: t for t in body["tiles"]}
    criminal = tiles["criminal"]
    assert criminal["value"] > 0
    assert criminal["year_before"] > 0
    assert criminal["trend"] in ("up", "down", "flat")
    listed = analyst.get(criminal["records_url"].replace("/analytics/", "/api/analytics/")).json()
    assert listed["total"] == criminal["value"]
    assert all(i["url"].startswith("/incidents/") for i in listed["items"])
    for key in ("clearance_rate", "dispute_resolution_rate"):
        tile = tiles[key]
        assert tile["value"] is not None or tile["note"]  # a missing provider says why


def test_reviews_json_pdf_xlsx_and_stored(analyst: Any, login: Any) -> None:
    review = analyst.get("/api/analytics/reviews/week?on=2026-06-10").json()
    assert review["period_label"].startswith("2026年第24周")
    assert review["highlights"][0].startswith("本期共接报有效警情")
    pdf = analyst.get("/api/analytics/reviews/month/export?format=pdf&on=2026-06-10")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert b"NotoSansCJK" in pdf.content  # the CJK font is embedded
    xlsx = analyst.get("/api/analytics/reviews/day/export?format=xlsx&on=2026-06-10")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"摘要", "类别", "24小时", "星期×时段"} <= set(book.sheetnames)
    assert login("dispatcher").post("/api/analytics/reviews/day?on=2026-06-10").status_code == 403
    saved = analyst.post("/api/analytics/reviews/day?on=2026-06-10")
    assert saved.status_code == 201, saved.text
    kept = analyst.get("/api/analytics/reviews?kind=day").json()
    assert [r["period_start"] for r in kept] == ["2026-06-10"]


def test_commendations_and_feedback_feed_the_board(analyst: Any) -> None:
    made = analyst.post(
        "/api/analytics/commendations",
        json={
            "kind": "banner",
            "received_at": "2026-06-05T10:00:00+08:00",
            "giver": "王女士",
            "recipient": "1号巡逻车",
            "words": "人民卫士 雷锋传人",
        },
    )
    assert made.status_code == 201, made.text
    for score in (5, 4, 2):
        sent = analyst.post(
            "/api/analytics/feedback",
            json={
                "received_at": "2026-06-06T10:00:00+08:00",
                "score": score,
                "channel": "callback",
            },
        )
        assert sent.status_code == 201, sent.text
    tiles = {
        t["key"]: t
        for t in analyst.get("/api/analytics/board?start=2026-06-01&end=2026-06-30").json()["tiles"]
    }
    assert tiles["commendations"]["value"] == 1
    assert tiles["satisfaction"]["value"] == pytest.approx(200 / 3, abs=0.01)
    listed = analyst.get(
        "/api/analytics/records?figure=commendations&start=2026-06-01&end=2026-06-30"
    ).json()
    assert listed["items"][0]["title"] == "锦旗：人民卫士 雷锋传人"


def test_bad_input_is_a_clear_4xx(analyst: Any, login: Any) -> None:
    assert analyst.get("/api/analytics/board?start=2026-06-30&end=2026-06-01").status_code == 422
    assert analyst.get("/api/analytics/records?figure=clearance_rate").status_code == 422
    bad = analyst.post(
        "/api/analytics/commendations",
        json={"received_at": "2026-06-05T10:00:00+08:00", "words": "<script>x</script>"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_input"
    missing = analyst.post(
        "/api/analytics/feedback",
        json={"received_at": "2026-06-05T10:00:00+08:00", "score": 3, "incident_id": 999999},
    )
    assert missing.status_code == 404
    assert login("crew1").get("/api/analytics/board").status_code == 403


def test_hotspots_and_beat_plans(analyst: Any) -> None:
    spots = analyst.get(
        "/api/analytics/hotspots?model=sepp&horizon=day&start=2026-07-01T08:00:00%2B08:00"
    ).json()
    assert spots["events_used"] > 100
    assert spots["cells"][0]["rank"] == 1
    assert spots["params"]["sigma_m"] > 0
    plans = analyst.get("/api/analytics/beats?k=2&days=1100").json()
    names = [p["name"] for p in plans["plans"]]
    assert names[0] == "today"
    assert all(p["contiguous"] for p in plans["plans"])
    assert all(len(p["beats"]) == 2 for p in plans["plans"])
    gridded = analyst.get("/api/analytics/beats?k=3&days=1100&grid=10").json()
    assert gridded["cells"] == 100
    proposed = [p for p in gridded["plans"] if p["name"] != "today"]
    assert proposed
    assert all(p["contiguous"] and len(p["beats"]) == 3 for p in proposed)
    assert all(sum(b["cells"] for b in p["beats"]) == 100 for p in proposed)
    assert analyst.get("/api/analytics/beats?k=2&grid=5").status_code == 422


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(
        [
            "/api/analytics/board",
            "/api/analytics/records",
            "/api/analytics/reviews/day",
            "/api/analytics/hotspots",
            "/api/analytics/beats",
        ]
    ),
    query=st.dictionaries(
        st.sampled_from(
            [
                "start",
                "end",
                "on",
                "figure",
                "category",
                "k",
                "model",
                "horizon",
                "page",
                "days",
                "grid",
            ]
        ),
        st.one_of(st.text(max_size=12), st.integers(-5, 99999).map(str), st.dates().map(str)),
        max_size=4,
    ),
)
def test_fuzzed_queries_never_500(login: Any, path: str, query: dict[str, str]) -> None:
    response = login("analyst").get(path, params=query)
    assert response.status_code < 500, (path, query, response.text)
