"""Drill mode and replay through the API: drills stay out of the queue; the debrief scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingwu.core.clock import to_local
from jingwu.core.db import Database
from jingwu.sim.leifeng import build_scenario
from jingwu.sim.replay import replay_day


def test_a_drill_is_scored_and_never_enters_the_queue(login: Any) -> None:
    room = login("dispatcher")
    started = room.post("/api/drills", json={"script": "burglary"})
    assert started.status_code == 201, started.text
    drill = started.json()
    assert drill["number"].startswith("YL")
    queue = room.get("/api/incidents").json()
    assert drill["incident_id"] not in [i["id"] for i in queue["items"]]
    with_drills = room.get("/api/incidents", params={"include_drills": True}).json()
    assert drill["incident_id"] in [i["id"] for i in with_drills["items"]]

    units_before = {u["id"]: u["status"] for u in room.get("/api/units").json()}
    slowest = max(
        (u for u in room.get("/api/units").json() if u["status"] == "available"),
        key=lambda u: u["call_sign"],
    )
    room.post(f"/api/drills/{drill['incident_id']}/steps", json={"step": "caller_history"})
    debrief = room.post(
        f"/api/drills/{drill['incident_id']}/dispatch", json={"unit_ids": [slowest["id"]]}
    )
    assert debrief.status_code == 200, debrief.text
    body = debrief.json()
    assert body["finished"]
    assert body["steps_missed"] == ["下达处置指令"]
    assert body["best_unit"]
    assert 0 < body["score"] <= 100
    units_after = {u["id"]: u["status"] for u in room.get("/api/units").json()}
    assert units_after == units_before  # a drill never moves a real unit
    again = room.post(
        f"/api/drills/{drill['incident_id']}/dispatch", json={"unit_ids": [slowest["id"]]}
    )
    assert again.status_code == 409


def test_drills_refuse_bad_input_and_other_roles(login: Any) -> None:
    room = login("dispatcher")
    assert room.post("/api/drills", json={"script": "nope"}).status_code == 422
    assert room.post("/api/drills", json={"bogus": 1}).status_code in (400, 422)
    assert room.get("/api/drills/999999/debrief").status_code == 404
    crew = login("crew1")
    assert crew.post("/api/drills", json={}).status_code == 403


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(
        st.sampled_from(["unit_ids", "instruction", "x"]),
        st.one_of(
            st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3), st.none()
        ),
    )
)
def test_drill_dispatch_fuzz_never_500s(login: Any, body: dict[str, Any]) -> None:
    room = login("dispatcher")
    drill = room.post("/api/drills", json={"script": "crowd-fight"}).json()
    response = room.post(f"/api/drills/{drill['incident_id']}/dispatch", json=body)
    assert response.status_code < 500


def test_replay_returns_tracks_and_incidents_of_a_day(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    now = datetime(2026, 11, 28, 10, tzinfo=UTC)
    with database.session() as session:
        build_scenario(session, seed=7, history_days=3, track_days=1, now=now)
    day = to_local(now - timedelta(hours=14)).date()
    with database.session(write=False) as session:
        replay = replay_day(session, day=day)
    database.dispose()
    assert replay.incidents
    assert len(replay.tracks) == 8
    assert all(0 <= fix[0] < 86400 for track in replay.tracks for fix in track.fixes)
