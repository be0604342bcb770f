"""一键呼 through the API: one unit, a beat, a radius, everyone; acknowledgements; escalation."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from jingwu.command import calls
from jingwu.command.room_models import OneKeyCall
from jingwu.core.clock import utcnow
from jingwu.core.events import events_since


def test_call_one_beat_radius_everyone(login: Any, app: Any) -> None:
    dispatcher = login("dispatcher")
    crew = login("crew1")
    units = dispatcher.get("/api/units").json()
    mine = crew.get("/api/units/mine").json()[0]
    beat = mine["beat_id"]

    one = dispatcher.post(
        "/api/calls", json={"scope": "unit", "unit_id": mine["id"], "message": "1号车请回话"}
    )
    assert one.status_code == 201, one.text
    assert [t["unit_id"] for t in one.json()["targets"]] == [mine["id"]]

    group = dispatcher.post(
        "/api/calls", json={"scope": "beat", "beat_id": beat, "message": "第一警务区集合"}
    )
    assert {t["unit_id"] for t in group.json()["targets"]} == {
        u["id"] for u in units if u["beat_id"] == beat and u["status"] != "off_duty"
    }
    near = dispatcher.post(
        "/api/calls",
        json={
            "scope": "radius",
            "lat": mine["lat"],
            "lon": mine["lon"],
            "radius_m": 1,
            "message": "附近警力",
        },
    )
    assert mine["id"] in {t["unit_id"] for t in near.json()["targets"]}
    everyone = dispatcher.post("/api/calls", json={"scope": "on_duty", "message": "全体注意"})
    assert everyone.json()["pending"] == len([u for u in units if u["status"] != "off_duty"])

    # the crew sees its calls and answers with one tap
    assert {c["id"] for c in crew.get("/api/calls/mine").json()} >= {one.json()["id"]}
    acked = crew.post(f"/api/calls/{one.json()['id']}/ack", json={})
    assert acked.status_code == 200, acked.text
    assert acked.json()["pending"] == 0
    assert crew.post(f"/api/calls/{one.json()['id']}/ack", json={}).status_code == 409
    other = next(u for u in units if u["id"] != mine["id"])
    refused = crew.post(f"/api/calls/{everyone.json()['id']}/ack", json={"unit_id": other["id"]})
    assert refused.status_code == 403
    assert crew.post("/api/calls", json={"scope": "on_duty", "message": "x"}).status_code == 403


def test_silent_targets_escalate_once(login: Any, app: Any) -> None:
    dispatcher = login("dispatcher")
    crew = login("crew1")
    mine = crew.get("/api/units/mine").json()[0]
    call = dispatcher.post(
        "/api/calls",
        json={"scope": "beat", "beat_id": mine["beat_id"], "message": "请回话", "ack_within_s": 30},
    ).json()
    crew.post(f"/api/calls/{call['id']}/ack", json={})
    database = app.state.db
    with database.session() as session:
        session.execute(
            update(OneKeyCall)
            .where(OneKeyCall.id == call["id"])
            .values(created_at=utcnow() - timedelta(seconds=31))
        )
    with database.session() as session:
        escalated = calls.do_escalate_overdue(session)
    assert escalated == call["pending"] - 1
    with database.session() as session:
        assert calls.do_escalate_overdue(session) == 0
        kinds = [e.type for e in events_since(session, 0, limit=10_000)]
    assert kinds.count("call.escalated") == 1
    described = dispatcher.get("/api/calls").json()
    targets = next(c for c in described if c["id"] == call["id"])["targets"]
    assert {t["unit_id"] for t in targets if t["escalated_at"]} == {
        t["unit_id"] for t in targets if t["unit_id"] != mine["id"]
    }


def test_bad_calls_are_refused_clearly(login: Any) -> None:
    dispatcher = login("dispatcher")
    for body in [
        {"scope": "unit", "message": "x"},
        {"scope": "beat", "message": "x"},
        {"scope": "radius", "lat": 28.2, "message": "x"},
        {"scope": "on_duty", "message": ""},
        {"scope": "on_duty", "message": "<b>x</b>"},
        {"scope": "nobody", "message": "x"},
    ]:
        response = dispatcher.post("/api/calls", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "invalid_input"
    far = dispatcher.post(
        "/api/calls", json={"scope": "radius", "lat": 0, "lon": 0, "radius_m": 10, "message": "x"}
    )
    assert far.status_code == 422
    assert far.json()["error"]["code"] == "no_targets"
    assert (
        dispatcher.post(
            "/api/calls", json={"scope": "unit", "unit_id": 9999, "message": "x"}
        ).status_code
        == 404
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "scope": st.sampled_from(["unit", "beat", "radius", "on_duty", "x"]),
            "message": st.text(max_size=600),
            "unit_id": st.integers(min_value=-5, max_value=10**12),
            "beat_id": st.integers(min_value=-5, max_value=10**12),
            "lat": st.floats(allow_nan=True, allow_infinity=True),
            "lon": st.floats(allow_nan=True, allow_infinity=True),
            "radius_m": st.floats(allow_nan=True),
            "ack_within_s": st.integers(),
        },
    )
)
def test_call_fuzz_never_500(sqlite_login: Any, body: dict[str, Any]) -> None:
    response = sqlite_login.post(
        "/api/calls", content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (201, 404, 422), response.text
    if response.status_code != 201:
        assert set(response.json()["error"]) == {"code", "message", "details"}
