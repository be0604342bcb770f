"""A flood rescue run end to end through the API: the watch room takes the call, the run card
sends boats, pump and rescue vehicle, the command room adds a patrol car (a joint incident), the
crews report on their phones, three shifts rotate over three days, and the report closes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tests.fire.conftest import flood_call, hours_ago, iso


def test_flood_rescue_with_crew_rotation(login: Any, ids: Callable[[str], int]) -> None:
    watch = login("fire")
    before = watch.get("/api/fire/record").json()
    t0 = hours_ago(74)
    created = watch.post(
        "/api/fire/incidents",
        json={"incident": flood_call(reported_at=iso(t0)), "alarm_level": 2},
        headers={"Idempotency-Key": "flood-1"},
    )
    assert created.status_code == 201, created.text
    incident = created.json()
    incident_id = incident["id"]
    sent = {a["call_sign"] for a in incident["assignments"]}
    assert sent == {"望城站冲锋舟1", "望城站冲锋舟2", "望城站排涝泵车", "望城站抢险救援车"}
    retried = watch.post(
        "/api/fire/incidents",
        json={"incident": flood_call(reported_at=iso(t0)), "alarm_level": 2},
        headers={"Idempotency-Key": "flood-1"},
    )
    assert retried.status_code == 200
    assert retried.json()["id"] == incident_id

    plan = watch.get(f"/api/fire/incidents/{incident_id}/plan").json()
    assert plan["run_card"]["name"] == "洪涝二级"
    assert plan["water_sources"], "the plan lists water sources near the incident"

    # the command room sends a patrol car too: police and fire on one incident
    dispatcher = login("dispatcher")
    car = dispatcher.post(
        f"/api/incidents/{incident_id}/dispatch",
        json={"unit_ids": [ids("1号巡逻车")], "instruction": "疏导交通，协助转移群众"},
    )
    assert car.status_code == 200, car.text
    queue = dispatcher.get("/api/fire/incidents").json()
    joint = next(item for item in queue if item["incident"]["id"] == incident_id)
    assert "1号巡逻车" in joint["police_units"]
    assert "望城站冲锋舟1" in joint["fire_units"]
    operation_id = joint["operation_id"]
    assert joint["alarm_level"] == 2

    # the boat crew on the phone
    boat = login("fire09")
    orders = boat.get("/api/incidents/assigned").json()
    assert [o["id"] for o in orders] == [incident_id]
    for step in ["acknowledged", "en_route", "on_scene"]:
        moved = boat.post(f"/api/incidents/{incident_id}/progress", json={"status": step})
        assert moved.status_code == 200, moved.text

    # three shifts over three days and nights
    crews = [
        (["fire", "fire03", "fire04", "fire09"], "fire", 1),
        (["fire02", "fire05", "fire06", "fire10"], "fire02", 25),
        (["fire", "fire03", "fire08", "fire09"], "fire03", 49),
    ]
    for members, leader, offset in crews:
        shift = watch.post(
            f"/api/fire/operations/{operation_id}/shifts",
            json={
                "member_ids": [ids(m) for m in members],
                "leader_member_id": ids(leader),
                "started_at": iso(t0 + timedelta(hours=offset)),
                "note": "沿堤巡查，转移群众",
            },
        )
        assert shift.status_code == 201, shift.text
    # a member whose first-aid certificate lapsed may not go on shift
    lapsed = watch.post(
        f"/api/fire/operations/{operation_id}/shifts",
        json={"member_ids": [ids("fire07")], "leader_member_id": ids("fire07")},
    )
    assert lapsed.status_code == 409
    assert lapsed.json()["error"]["code"] == "member_not_ready"
    assert "应急救护" in lapsed.json()["error"]["message"]
    # a handover cannot go back in time
    backwards = watch.post(
        f"/api/fire/operations/{operation_id}/shifts",
        json={
            "member_ids": [ids("fire02")],
            "leader_member_id": ids("fire02"),
            "started_at": iso(t0 + timedelta(hours=30)),
        },
    )
    assert backwards.status_code == 422

    members_now = {m["name"]: m for m in watch.get("/api/fire/members").json()}
    assert members_now["雷锋班班长"]["on_operation_id"] == operation_id
    assert members_now["杨副班长"]["on_operation_id"] is None

    ended = t0 + timedelta(hours=73)
    report = watch.post(
        f"/api/fire/operations/{operation_id}/report",
        json={
            "people_rescued": 23,
            "property_protected_yuan": 6_500_000,
            "property_lost_yuan": 300_000,
            "summary": "连续作战3天3夜，转移群众23人",
            "ended_at": iso(ended),
        },
    )
    assert report.status_code == 200, report.text
    operation = report.json()
    assert operation["status"] == "closed"
    assert [s["number"] for s in operation["shifts"]] == [1, 2, 3]
    starts = [datetime.fromisoformat(s["started_at"]) for s in operation["shifts"]]
    ends = [datetime.fromisoformat(s["ended_at"]) for s in operation["shifts"]]
    assert ends[:2] == starts[1:], "each shift ends when the next takes over"
    assert ends[2] == ended.replace(microsecond=ends[2].microsecond)
    assert abs(operation["duration_s"] - 73 * 3600) < 1
    again = watch.post(
        f"/api/fire/operations/{operation_id}/report",
        json={"people_rescued": 1, "property_protected_yuan": 1},
    )
    assert again.status_code == 409

    # the units report back; the room closes the incident; the timeline holds every step
    for unit in [
        "望城站冲锋舟1",
        "望城站冲锋舟2",
        "望城站排涝泵车",
        "望城站抢险救援车",
        "1号巡逻车",
    ]:
        unit_id = ids(unit)
        if unit == "望城站冲锋舟1":
            steps = ["reported"]
        else:
            steps = ["acknowledged", "on_scene", "reported"]
        for step in steps:
            moved = dispatcher.post(
                f"/api/incidents/{incident_id}/progress",
                json={"unit_id": unit_id, "status": step, "feedback": "任务完成"},
            )
            assert moved.status_code == 200, moved.text
    closed = dispatcher.post(f"/api/incidents/{incident_id}/close", json={"note": "洪涝处置完毕"})
    assert closed.status_code == 200, closed.text
    kinds = [t["kind"] for t in closed.json()["timeline"]]
    assert kinds[0] == "received"
    assert kinds.count("fire_shift") == 3
    assert "fire_plan" in kinds
    assert "fire_report" in kinds
    assert kinds[-1] == "closed"

    after = watch.get("/api/fire/record").json()
    assert after["operations"] == before["operations"] + 1
    assert after["people_rescued"] == before["people_rescued"] + 23
    assert after["property_protected_yuan"] == before["property_protected_yuan"] + 6_500_000
    assert watch.get("/api/fire/incidents").json() == []
