"""The live gateway: snapshot, then events; a reconnect with last_event_id misses nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

CALL = {
    "category_code": "0101",
    "caller_phone": "13800000001",
    "address_text": "雷锋大道8号",
    "lat": 28.231,
    "lon": 112.826,
    "description": "电动车被盗",
}


def _until(ws: Any, predicate: Any, limit: int = 200) -> dict[str, Any]:
    for _ in range(limit):
        frame = json.loads(ws.receive_text())
        if predicate(frame):
            return frame
    raise AssertionError("expected frame never came")


def test_snapshot_then_events_then_replay(login: Any) -> None:
    dispatcher = login("dispatcher")
    with dispatcher.client.websocket_connect("/ws/live") as ws:
        snapshot = json.loads(ws.receive_text())
        assert snapshot["kind"] == "snapshot"
        assert {u["call_sign"] for u in snapshot["units"]} >= {"1号巡逻车", "2号巡逻车"}
        assert all(i["status"] not in ("closed", "evaluated") for i in snapshot["incidents"])
        cursor = snapshot["cursor"]
        created = dispatcher.post("/api/incidents", json=CALL).json()
        frame = _until(ws, lambda f: f.get("type") == "incident.received")
        assert frame["payload"]["incident_id"] == created["id"]
        assert frame["id"] > cursor
        last_seen = frame["id"]
    # while disconnected: a dispatch happens
    recs = dispatcher.get(f"/api/incidents/{created['id']}/recommendations").json()
    unit_id = recs[0]["unit_id"]
    dispatcher.post(f"/api/incidents/{created['id']}/dispatch", json={"unit_ids": [unit_id]})
    with dispatcher.client.websocket_connect(f"/ws/live?last_event_id={last_seen}") as ws:
        replay = json.loads(ws.receive_text())
        assert replay["kind"] == "replay"
        frames = []
        while (frame := json.loads(ws.receive_text()))["kind"] != "replayed":
            frames.append(frame)
        assert frame["count"] == len(frames)
        missed = [f for f in frames if f["id"] > last_seen]
        types = [m["type"] for m in missed]
        assert "incident.dispatched" in types
        assert "unit.status" in types
        ids = [f["id"] for f in frames]
        assert ids == sorted(ids)
        assert last_seen in ids, "a replay repeats the last few ids: late commits are not lost"


def test_crew_sees_only_its_own_unit(login: Any) -> None:
    dispatcher = login("dispatcher")
    crew = login("crew1")
    mine = crew.get("/api/units/mine").json()[0]["id"]
    units = dispatcher.get("/api/units").json()
    other = next(u["id"] for u in units if u["id"] != mine)
    with crew.client.websocket_connect("/ws/live") as ws:
        snapshot = json.loads(ws.receive_text())
        assert [u["id"] for u in snapshot["units"]] == [mine]
        assert "incidents" not in snapshot
        incident = dispatcher.post("/api/incidents", json=CALL).json()
        dispatcher.post(f"/api/incidents/{incident['id']}/dispatch", json={"unit_ids": [other]})
        second = dispatcher.post(
            "/api/incidents", json={**CALL, "caller_phone": "13800000002", "lat": 28.21}
        ).json()
        dispatcher.post(f"/api/incidents/{second['id']}/dispatch", json={"unit_ids": [mine]})
        frame = _until(ws, lambda f: f.get("type") == "incident.dispatched")
        assert frame["payload"]["incident_id"] == second["id"]


def test_refuses_strangers_and_cross_site_pages(app: Any) -> None:
    from fastapi.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    with TestClient(app) as client:
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws/live"):
            pass
        assert refused.value.code == 4401
        headers = {"origin": "http://evil.example"}
        with (
            pytest.raises(WebSocketDisconnect) as cross,
            client.websocket_connect("/ws/live", headers=headers),
        ):
            pass
        assert cross.value.code == 1008
