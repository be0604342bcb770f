"""The seed's steel-theft story, end to end through the API, on SQLite and on PostgreSQL.

Steel and plates stolen from the metro construction site → the command room's video analysis
→ scene work and visits → 3 suspects traced to a rental house → the community officer
pinpoints building, floor and room → arrest → recovery → 破案 → 移送起诉.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from jingwu.cases import queries
from jingwu.core.clock import utcnow
from jingwu.identity.models import AuditEntry
from tests.cases.cases_helpers import PNG, SITE, in_hours, open_case, report_theft, suspect_id


def test_steel_theft_from_report_to_prosecution(login: Any, app: Any) -> None:
    dispatcher = login("dispatcher")
    incident_id = report_theft(dispatcher)

    case_officer = login("case")
    opened = open_case(case_officer, incident_id, summary="螺纹钢约3吨、钢板20块被盗")
    case_id = opened["id"]
    assert opened["status"] == "accepted"
    assert opened["address_text"] == SITE["name"]
    assert opened["lead_officer_name"] == "陈办案"
    assert opened["clocks"][0]["key"] == "dispatch"
    assert opened["clocks"][0]["seconds"] is not None  # the incident was dispatched
    again = case_officer.post(
        "/api/cases", json={"title": "重复", "case_type": "theft", "incident_id": incident_id}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "incident_has_case"

    for target in ["filed", "investigating"]:
        moved = case_officer.post(f"/api/cases/{case_id}/transition", json={"to": target})
        assert moved.status_code == 200, moved.text
    steel = case_officer.post(
        f"/api/cases/{case_id}/losses",
        json={"item": "螺纹钢", "quantity": "3.2吨", "value_yuan": "15360.00"},
    )
    assert steel.status_code == 201, steel.text
    plates = case_officer.post(
        f"/api/cases/{case_id}/losses",
        json={"item": "钢板", "quantity": "20块", "value_yuan": "9000"},
    )
    assert plates.json()["case"]["loss_yuan"] == 24360.0

    # video investigation by the command room: the cameras at the site, the night's window
    cameras = [
        c for c in case_officer.get("/api/places/cameras").json() if SITE["name"] in c["name"]
    ]
    assert len(cameras) == 3
    video_request = case_officer.post(
        f"/api/cases/{case_id}/requests",
        json={
            "kind": "video",
            "question": "调取工地入口及周边道路凌晨监控，查找运输车辆",
            "camera_ids": [c["id"] for c in cameras],
            "window_start": (utcnow() - timedelta(hours=10)).isoformat(),
            "window_end": (utcnow() - timedelta(hours=4)).isoformat(),
            "deadline": in_hours(4),
        },
    )
    assert video_request.status_code == 201, video_request.text
    video_request_id = video_request.json()["id"]
    assert video_request.json()["target_name"] == "综合指挥室"

    video = login("video")
    tasks = video.get("/api/cases/tasks").json()
    assert [r["id"] for r in tasks["requests"]] == [video_request_id]
    still = video.post(
        f"/api/attachments/case-requests/{video_request_id}",
        files={"file": ("截图 02时14分.png", PNG, "image/png")},
    )
    assert still.status_code == 201, still.text
    answered = video.post(
        f"/api/case-requests/{video_request_id}/answer",
        json={
            "answer": "02:14 一辆无牌蓝色货车驶入工地，3名男子装运钢材，04:05 驶往谢家桥方向一处出租屋"
        },
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"
    assert answered.json()["attachments"][0]["content_type"] == "image/png"

    # scene work and visits
    for kind, text in [
        ("scene", "现场勘查：围挡被剪开约1米，提取断线钳一把"),
        ("visit", "走访工地保安和周边商户，货车曾多次出现"),
    ]:
        assert (
            case_officer.post(
                f"/api/cases/{case_id}/notes", json={"kind": kind, "text": text}
            ).status_code
            == 201
        )
    exhibit = case_officer.post(
        f"/api/cases/{case_id}/evidence",
        json={"name": "断线钳", "kind": "物证", "location": "现场围挡处"},
    )
    assert exhibit.status_code == 201, exhibit.text
    exhibit_id = exhibit.json()["id"]
    stored = case_officer.post(
        f"/api/cases/{case_id}/evidence/{exhibit_id}/custody",
        json={"action": "stored", "location": "所涉案财物管理中心 A-03"},
    )
    assert stored.status_code == 200, stored.text

    # three suspects traced to a rental house
    suspects = []
    for n, name in enumerate(["张某", "李某", "王某"]):
        added = case_officer.post(
            f"/api/cases/{case_id}/persons",
            json={
                "role": "suspect",
                "name": name,
                "id_number": suspect_id(n),
                "phone": f"1370000000{n}",
            },
        )
        assert added.status_code == 201, added.text
        suspects.append(added.json()["id"])
    assert added.json()["case"]["suspects"] == 3

    # the collaboration signal to the community officer of the beat
    community = login("community")
    signal = case_officer.post(
        f"/api/cases/{case_id}/requests",
        json={
            "kind": "community",
            "question": "3名嫌疑人落脚谢家桥社区一出租屋，请核实具体楼栋、楼层、房号",
            "target_officer_id": community.me["id"],
            "deadline": in_hours(2),
        },
    )
    assert signal.status_code == 201, signal.text
    signal_id = signal.json()["id"]
    # the community officer sees the request, not the case
    assert community.get(f"/api/cases/{case_id}").status_code == 403
    assert community.get(f"/api/case-requests/{signal_id}").status_code == 200
    assert (
        video.post(f"/api/case-requests/{signal_id}/answer", json={"answer": "x"}).status_code
        == 403
    )
    pinpointed = community.post(
        f"/api/case-requests/{signal_id}/answer",
        json={
            "answer": "房东确认3人上月租住，白天外出夜间返回",
            "building": "7栋",
            "floor": "3",
            "room": "302",
        },
    )
    assert pinpointed.status_code == 200, pinpointed.text
    assert pinpointed.json()["answer_data"] == {"building": "7栋", "floor": "3", "room": "302"}

    # arrest
    for person_id in suspects:
        located = case_officer.post(
            f"/api/cases/{case_id}/persons/{person_id}/status", json={"status": "located"}
        )
        assert located.status_code == 200, located.text
    for person_id in suspects:
        arrest = case_officer.post(
            f"/api/cases/{case_id}/arrests",
            json={"person_id": person_id, "place": "谢家桥社区7栋302室", "measure": "刑事拘留"},
        )
        assert arrest.status_code == 201, arrest.text
    twice = case_officer.post(f"/api/cases/{case_id}/arrests", json={"person_id": suspects[0]})
    assert twice.status_code == 409
    recovered = case_officer.post(
        f"/api/cases/{case_id}/recoveries",
        json={"loss_id": steel.json()["id"], "value_yuan": "15360", "note": "废品站追回螺纹钢"},
    )
    assert recovered.status_code == 201, recovered.text
    too_much = case_officer.post(
        f"/api/cases/{case_id}/recoveries", json={"loss_id": steel.json()["id"], "value_yuan": "1"}
    )
    assert too_much.status_code == 409

    for target in ["solved", "prosecuted"]:
        moved = case_officer.post(f"/api/cases/{case_id}/transition", json={"to": target})
        assert moved.status_code == 200, moved.text
    final = case_officer.post(f"/api/cases/{case_id}/transition", json={"to": "closed"})
    assert final.status_code == 409
    assert final.json()["error"]["code"] == "illegal_transition"

    case = case_officer.get(f"/api/cases/{case_id}").json()
    assert case["status"] == "prosecuted"
    assert {c["key"]: c["seconds"] is not None for c in case["clocks"]} == {
        "dispatch": True,
        "lead": True,
        "arrest": True,
        "control": True,
        "disposal": True,
        "recovery": True,
    }
    assert case["arrested"] == 3
    assert case["recovered_yuan"] == 15360.0
    # masked for a view without unmasking, the birth date never shows
    assert all("*" in p["id_number"] for p in case["persons"])
    assert [e["action"] for e in case["evidence"][0]["custody"]] == ["collected", "stored"]
    sources = {entry["source"] for entry in case["timeline"]}
    assert {"incident", "case", "video", "community"} <= sources
    texts = " ".join(entry["text"] for entry in case["timeline"])
    assert "7栋" in texts
    assert "302室" in texts
    assert "无牌蓝色货车" in texts
    incident = dispatcher.get(f"/api/incidents/{incident_id}").json()
    assert "case_opened" in [t["kind"] for t in incident["timeline"]]

    unmasked = case_officer.get(f"/api/cases/{case_id}/persons/{suspects[0]}?unmask=true").json()
    assert unmasked["id_number"] == suspect_id(0)
    database = app.state.db
    with database.session(write=False) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "case")
        ).all()
        assert "case.person.view" in actions
        assert "case.person.unmask" in actions
        rate = queries.clearance_rate(
            session,
            start=utcnow() - timedelta(days=1),
            end=utcnow() + timedelta(minutes=1),
            case_type="theft",
        )
        assert (rate.filed, rate.cleared, rate.rate) == (1, 1, 1.0)

    board = case_officer.get("/api/cases/fasts?months=2").json()
    this_month = board["months"][-1]
    assert this_month["cases"] == 1
    assert this_month["medians_s"]["arrest"] is not None
    download = case_officer.get(answered.json()["attachments"][0]["url"])
    assert download.status_code == 200
    assert download.content == PNG
