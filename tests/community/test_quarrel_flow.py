"""The seed's neighbours' quarrel, end to end through the API, on SQLite and on PostgreSQL.

“艾警官来了，让他评评理！” — residents 王先生 and 刘先生 of 雷锋社区 quarrel; the call is diverted
to the community team; the dispute is registered, mediated on the spot, resolved, and the
parties are called back a week later.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from jingwu.community.models import DisputeCallback
from jingwu.core.db import Database
from jingwu.identity.models import AuditEntry


def _resident(officer: Any, name: str, community_id: int) -> int:
    made = officer.post(
        "/api/community/residents",
        json={"name": name, "community_id": community_id, "phone": "13900000000"},
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_neighbours_quarrel_from_call_to_callback(login: Any, station: Database) -> None:
    dispatcher = login("dispatcher")
    call = dispatcher.post(
        "/api/incidents",
        json={
            "category_code": "0401",
            "caller_phone": "13811112222",
            "address_text": "雷锋社区雷锋大道88号楼下",
            "lat": 28.232,
            "lon": 112.827,
            "description": "王先生和刘先生因小事争吵，剑拔弩张",
        },
    )
    assert call.status_code == 201, call.text
    incident = call.json()
    diverted = dispatcher.post(
        f"/api/incidents/{incident['id']}/triage",
        json={"route": "community", "reason": "邻里纠纷，分流社区警务队调解"},
    )
    assert diverted.status_code == 200, diverted.text
    assert diverted.json()["status"] == "diverted"

    officer = login("community")
    communities = officer.get("/api/places/communities").json()
    leifeng = next(c for c in communities if c["name"] == "雷锋社区")
    wang = _resident(officer, "王先生", leifeng["id"])
    liu = _resident(officer, "刘先生", leifeng["id"])
    registered = officer.post(
        f"/api/community/disputes/from-incident/{incident['id']}",
        json={
            "kind": "邻里",
            "risk_level": "medium",
            "parties": [
                {"name": "王先生", "resident_id": wang},
                {"name": "刘先生", "resident_id": liu},
            ],
        },
    )
    # the IncidentTriaged subscriber may have opened it first: 200, else 201; one dispute either way
    assert registered.status_code in (200, 201), registered.text
    dispute = registered.json()
    assert dispute["incident_id"] == incident["id"]
    assert dispute["source"] == "incident"
    assert dispute["beat_id"] == incident["beat_id"]
    assert {p["name"] for p in dispute["parties"]} == {"王先生", "刘先生"}
    again = officer.post(f"/api/community/disputes/from-incident/{incident['id']}")
    assert again.status_code == 200
    assert again.json()["id"] == dispute["id"]

    today = officer.get("/api/community/today").json()
    assert dispute["id"] in [d["id"] for d in today["disputes_open"]]

    mediated = officer.post(
        f"/api/community/disputes/{dispute['id']}/mediations",
        json={
            "place": "雷锋大道88号楼下",
            "notes": "艾警官站在两人中间，细心倾听，耐心劝说；围观居民附和：远亲不如近邻。",
            "outcome": "agreed",
            "agreement": "两人握手言和，互不追究。",
            "callback_days": 7,
        },
    )
    assert mediated.status_code == 201, mediated.text
    settled = officer.get(f"/api/community/disputes/{dispute['id']}").json()
    assert settled["status"] == "resolved"
    assert settled["resolved_at"]
    assert settled["agreement"] == "两人握手言和，互不追究。"
    [due] = settled["callbacks"]
    assert datetime.fromisoformat(due["due_at"]) - datetime.fromisoformat(
        settled["resolved_at"]
    ) == timedelta(days=7)
    second = officer.post(
        f"/api/community/disputes/{dispute['id']}/mediations",
        json={"notes": "再调解", "outcome": "agreed", "agreement": "x"},
    )
    assert second.status_code == 409

    # a week later: the callback is due and shows on the officer's phone
    with station.session() as session:
        session.execute(
            update(DisputeCallback)
            .where(DisputeCallback.dispute_id == dispute["id"])
            .values(due_at=datetime.now(UTC) - timedelta(minutes=5))
        )
    today = officer.get("/api/community/today").json()
    assert dispute["id"] in [c["dispute_id"] for c in today["callbacks_due"]]
    called = officer.post(
        f"/api/community/disputes/{dispute['id']}/callbacks",
        json={"satisfied": True, "note": "两家关系和睦，未再发生争执。"},
    )
    assert called.status_code == 200, called.text
    assert called.json()["satisfied"] is True
    assert (
        officer.post(
            f"/api/community/disputes/{dispute['id']}/callbacks", json={"satisfied": True}
        ).status_code
        == 409
    )

    now = datetime.now(UTC)
    rate = officer.get(
        "/api/community/disputes/resolution-rate",
        params={
            "start": (now - timedelta(hours=1)).isoformat(),
            "end": (now + timedelta(hours=1)).isoformat(),
            "beat_id": incident["beat_id"],
        },
    ).json()
    assert rate["total"] == 1
    assert rate["resolved"] == 1
    assert rate["rate"] == 1.0

    with station.session(write=False) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "dispute", AuditEntry.entity_id == str(dispute["id"])
            )
        ).all()
    assert {"dispute.register", "dispute.mediate.agreed", "dispute.callback"} <= set(actions)


def test_a_repeat_between_the_same_neighbours_is_linked_and_escalation_makes_an_incident(
    login: Any,
) -> None:
    officer = login("community")
    body = {
        "kind": "邻里",
        "risk_level": "high",
        "summary": "楼上漏水，再次争吵",
        "address_text": "雷锋社区雷锋大道88号",
        "parties": [{"name": "王先生", "phone": "13900000001"}, {"name": "刘先生"}],
    }
    first = officer.post("/api/community/disputes", json=body)
    assert first.status_code == 201, first.text
    second = officer.post("/api/community/disputes", json=body).json()
    assert second["repeat_of_id"] == first.json()["id"]
    assert second["parties"][0]["phone"] == "139****0001"
    linked = officer.get(f"/api/community/disputes/{first.json()['id']}").json()
    assert second["id"] in [r["id"] for r in linked["related"]]

    escalated = officer.post(
        f"/api/community/disputes/{second['id']}/escalate",
        json={"reason": "双方情绪激动，有肢体冲突风险"},
    )
    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["status"] == "escalated"
    incident_id = escalated.json()["escalated_incident_id"]
    dispatcher = login("dispatcher")
    incident = dispatcher.get(f"/api/incidents/{incident_id}").json()
    assert incident["status"] == "received"
    assert "矛盾纠纷升级" in incident["description"]
