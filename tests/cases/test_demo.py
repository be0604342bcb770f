"""The case team's demo builder: the squad, the steel-theft story and half a year of cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from jingwu.cases.demo import build_cases_demo
from jingwu.core.clock import utcnow


@dataclass
class _Context:
    seed: int
    now: datetime


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_demo_cases_fill_the_board(app: Any, login: Any) -> None:
    with app.state.db.session() as session:
        build_cases_demo(session, _Context(seed=7, now=utcnow()), past_cases=12)
        build_cases_demo(session, _Context(seed=7, now=utcnow()))  # once only
    officer = login("case")
    board = officer.get("/api/cases?per_page=200").json()
    assert board["total"] == 15
    steel = next(c for c in board["items"] if "钢材" in c["title"])
    case = officer.get(f"/api/cases/{steel['id']}").json()
    assert case["status"] == "prosecuted"
    assert case["arrested"] == 3
    assert all(c["seconds"] is not None for c in case["clocks"][1:])
    times = [e["at"] for e in case["timeline"]]
    assert times == sorted(times)
    fasts = officer.get("/api/cases/fasts?months=7").json()
    assert sum(m["cases"] for m in fasts["months"]) == 15
    assert any(m["medians_s"]["arrest"] for m in fasts["months"])
    squad = {m["name"]: m for m in officer.get("/api/cases/squad").json()}
    assert squad["韩办案"]["apprentices"] == ["曾办案", "彭办案"]
    community = login("community").get("/api/cases/tasks").json()
    assert community["requests"] == []  # the demo's signal was answered
    video = login("video").get("/api/cases/tasks").json()
    assert len(video["requests"]) == 1
    overdue = officer.get("/api/cases/requests/overdue").json()
    assert [r["kind"] for r in overdue] == ["unit"]
    for path, text in [
        ("/cases", "刷单返利"),
        (f"/cases/{steel['id']}", "7栋"),
        ("/cases/tasks", "我的任务"),
        ("/cases?status=prosecuted", "中铁五局"),
    ]:
        page = officer.get(path)
        assert page.status_code == 200, path
        assert text in page.text, path
