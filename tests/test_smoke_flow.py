"""One incident's closed loop through the API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any


def test_closed_loop_through_the_api(login: Any) -> None:
    dispatcher = login("dispatcher")
    call = {
        "category_code": "0101",
        "caller_phone": "13800000000",
        "address_text": "雷锋大道1号",
        "lat": 28.23,
        "lon": 112.82,
        "description": "电动车被盗",
    }
    created = dispatcher.post("/api/incidents", json=call, headers={"Idempotency-Key": "k1"})
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    again = dispatcher.post("/api/incidents", json=call, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 200
    assert again.json()["id"] == incident_id

    recs = dispatcher.get(f"/api/incidents/{incident_id}/recommendations").json()
    crew_unit = next(r for r in recs if r["call_sign"] == "1号巡逻车")
    sent = dispatcher.post(
        f"/api/incidents/{incident_id}/dispatch", json={"unit_ids": [crew_unit["unit_id"]]}
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "dispatched"

    crew = login("crew1")
    orders = crew.get("/api/incidents/assigned").json()
    assert [o["id"] for o in orders] == [incident_id]
    for step in ["acknowledged", "en_route", "on_scene", "reported"]:
        moved = crew.post(
            f"/api/incidents/{incident_id}/progress",
            json={"status": step, "feedback": "现场已处置，报告完毕" if step == "reported" else ""},
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == step

    closed = dispatcher.post(f"/api/incidents/{incident_id}/close", json={"note": "已处置"})
    assert closed.status_code == 200, closed.text
    chief = login("chief")
    evaluated = chief.post(f"/api/incidents/{incident_id}/evaluate", json={"score": 5})
    assert evaluated.status_code == 200, evaluated.text
    body = evaluated.json()
    kinds = [t["kind"] for t in body["timeline"]]
    assert kinds == [
        "received",
        "dispatched",
        "acknowledged",
        "en_route",
        "on_scene",
        "reported",
        "closed",
        "evaluated",
    ]
    timers = body["timers"]
    assert timers["call_to_dispatch_s"] is not None
    assert timers["total_s"] is not None
    assert timers["total_s"] >= timers["call_to_dispatch_s"]
