"""The cases API: who may see and do what, bad input answered with 4xx, requests and deadlines."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from jingwu.cases import service
from jingwu.cases.models import CaseRequest
from jingwu.cases.states import MOVES, NEEDS_REASON, NEEDS_SUSPECT, CaseStatus
from jingwu.core.clock import utcnow
from jingwu.core.events import OutboxEvent
from tests.cases.cases_helpers import PNG, in_hours, open_case, suspect_id

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_only_case_team_room_and_chief_see_cases(login: Any) -> None:
    case_officer = login("case")
    case_id = open_case(case_officer)["id"]
    for who in ["case", "chief", "dispatcher", "video", "analyst"]:
        assert login(who).get(f"/api/cases/{case_id}").status_code == 200, who
    for who in ["community", "crew1", "partner", "fire"]:
        response = login(who).get(f"/api/cases/{case_id}")
        assert response.status_code == 403, who
        assert response.json()["error"]["code"] == "forbidden"
        assert login(who).get("/api/cases").status_code == 403
    analyst = login("analyst")
    refused = analyst.post(f"/api/cases/{case_id}/transition", json={"to": "filed"})
    assert refused.status_code == 403
    assert login("crew1").get("/cases").status_code in (200, 303)


@SQLITE_ONLY
def test_bad_input_is_a_clear_4xx_and_stores_nothing(login: Any, app: Any) -> None:
    officer = login("case")
    case_id = open_case(officer)["id"]
    bad = [
        ("/api/cases", {"title": "", "case_type": "theft"}),
        ("/api/cases", {"title": "x", "case_type": "murder-ish"}),
        ("/api/cases", {"title": "<b>x</b>", "case_type": "theft"}),
        ("/api/cases", {"title": "x", "case_type": "theft", "incident_id": 999999}),
        ("/api/cases", {"title": "x", "case_type": "theft", "reported_at": in_hours(5)}),
        ("/api/cases", {"title": "x", "case_type": "theft", "lat": 28.2}),
        (
            f"/api/cases/{case_id}/persons",
            {"role": "suspect", "name": "甲", "id_number": "430104199003010011"},
        ),
        (
            f"/api/cases/{case_id}/persons",
            {"role": "victim", "name": "乙", "suspect_status": "located"},
        ),
        (f"/api/cases/{case_id}/losses", {"item": "钢", "value_yuan": "-1"}),
        (f"/api/cases/{case_id}/losses", {"item": "钢", "value_yuan": "1.234"}),
        (f"/api/cases/{case_id}/recoveries", {"value_yuan": "0"}),
        (
            f"/api/cases/{case_id}/requests",
            {"kind": "video", "question": "q", "deadline": in_hours(1)},
        ),
        (
            f"/api/cases/{case_id}/requests",
            {"kind": "community", "question": "q", "deadline": in_hours(1)},
        ),
        (
            f"/api/cases/{case_id}/requests",
            {
                "kind": "unit",
                "question": "q",
                "deadline": in_hours(-1),
                "target_unit": "分局刑侦大队",
            },
        ),
        (
            f"/api/cases/{case_id}/requests",
            {
                "kind": "video",
                "question": "q",
                "deadline": in_hours(1),
                "camera_ids": [99999],
                "window_start": in_hours(-3),
                "window_end": in_hours(-2),
            },
        ),
        (
            f"/api/cases/{case_id}/requests",
            {"kind": "community", "question": "q", "deadline": in_hours(1), "target_officer_id": 1},
        ),
        (f"/api/cases/{case_id}/transition", {"to": "withdrawn"}),
        (f"/api/cases/{case_id}/transition", {"to": "solved"}),
        (f"/api/cases/{case_id}/transition", {"to": "filed", "extra": 1}),
        (f"/api/cases/{case_id}/arrests", {"person_id": 424242}),
        ("/api/cases/424242/notes", {"kind": "lead", "text": "x"}),
    ]
    with app.state.db.session(write=False) as session:
        before = session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1))
    for path, body in bad:
        response = officer.post(path, json=body)
        assert 400 <= response.status_code < 500, (path, body, response.text)
        error = response.json()["error"]
        assert error["code"]
        assert error["message"]
    with app.state.db.session(write=False) as session:
        after = session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1))
    assert after == before
    case = officer.get(f"/api/cases/{case_id}").json()
    assert case["status"] == "accepted"
    assert case["persons"] == []
    assert case["losses"] == []
    assert case["requests"] == []


@SQLITE_ONLY
@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(
            ["title", "case_type", "incident_id", "summary", "lat", "lon", "reported_at", "x"]
        ),
        st.one_of(
            st.none(),
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=30),
            st.booleans(),
        ),
        max_size=6,
    )
)
def test_fuzz_opening_cases_never_500(login: Any, body: dict[str, Any]) -> None:
    response = login("case").post("/api/cases", json=body)
    assert response.status_code in (201, 404, 409, 422), response.text


@SQLITE_ONLY
@FUZZ
@given(
    path=st.sampled_from(
        [
            "persons",
            "losses",
            "recoveries",
            "requests",
            "notes",
            "evidence",
            "arrests",
            "transition",
        ]
    ),
    body=st.dictionaries(
        st.sampled_from(
            [
                "role",
                "name",
                "id_number",
                "value_yuan",
                "kind",
                "question",
                "deadline",
                "text",
                "to",
                "person_id",
                "camera_ids",
                "item",
            ]
        ),
        st.one_of(
            st.none(),
            st.integers(-5, 10**12),
            st.text(max_size=20),
            st.lists(st.integers(-2, 50), max_size=3),
        ),
        max_size=6,
    ),
)
def test_fuzz_case_writes_never_500(login: Any, path: str, body: dict[str, Any]) -> None:
    officer = login("case")
    case_id = officer.get("/api/cases").json()["items"]
    case_id = case_id[0]["id"] if case_id else open_case(officer)["id"]
    response = officer.post(f"/api/cases/{case_id}/{path}", json=body)
    assert response.status_code < 500, response.text


@SQLITE_ONLY
@FUZZ
@given(st.lists(st.sampled_from(list(CaseStatus)), min_size=1, max_size=8), st.booleans())
def test_the_status_machine_through_the_api(
    login: Any, targets: list[CaseStatus], with_suspect: bool
) -> None:
    """Random moves against the API agree with the table and its preconditions, every time."""
    officer = login("case")
    case_id = open_case(officer)["id"]
    if with_suspect:
        officer.post(f"/api/cases/{case_id}/persons", json={"role": "suspect", "name": "某"})
    status = CaseStatus.ACCEPTED
    for target in targets:
        response = officer.post(f"/api/cases/{case_id}/transition", json={"to": target.value})
        allowed = (
            target in MOVES[status]
            and target not in NEEDS_REASON
            and (with_suspect or target not in NEEDS_SUSPECT)
        )
        if allowed:
            assert response.status_code == 200, response.text
            status = target
        else:
            assert response.status_code in (409, 422), response.text
        now = officer.get(f"/api/cases/{case_id}")
        assert now.status_code == 200, now.text
        assert now.json()["status"] == status.value


def test_requests_have_deadlines_answers_and_overdue_alerts(login: Any, app: Any) -> None:
    officer = login("case")
    case_id = open_case(officer)["id"]
    unit = officer.post(
        f"/api/cases/{case_id}/requests",
        json={
            "kind": "unit",
            "question": "协查嫌疑车辆轨迹",
            "target_unit": "岳麓分局刑侦大队",
            "deadline": in_hours(1),
        },
    )
    assert unit.status_code == 201, unit.text
    request_id = unit.json()["id"]
    assert unit.json()["overdue"] is False
    with app.state.db.session() as session:
        session.execute(
            update(CaseRequest)
            .where(CaseRequest.id == request_id)
            .values(deadline=utcnow() - timedelta(minutes=5))
        )
    overdue = officer.get("/api/cases/requests/overdue").json()
    mine = [r for r in overdue if r["id"] == request_id]
    assert len(mine) == 1
    assert mine[0]["overdue_s"] > 0
    with app.state.db.session() as session:
        assert service.do_raise_overdue_request_alerts(session) == len(overdue)
        assert service.do_raise_overdue_request_alerts(session) == 0  # once per request
        types = session.scalars(select(OutboxEvent.type)).all()
        assert "case.request_overdue" in types
    assert login("community").get("/api/cases/requests/overdue").json() == []
    answered = officer.post(
        f"/api/case-requests/{request_id}/answer", json={"answer": "轨迹已调取，车辆落脚谢家桥"}
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["overdue"] is False
    again = officer.post(f"/api/case-requests/{request_id}/answer", json={"answer": "再答"})
    assert again.status_code == 409
    timeline = officer.get(f"/api/cases/{case_id}/timeline").json()
    assert [e["kind"] for e in timeline if e["source"] == "unit"] == [
        "request",
        "overdue",
        "answer",
    ]


@SQLITE_ONLY
def test_attachments_are_checked_and_stored_under_random_names(login: Any, app: Any) -> None:
    officer = login("case")
    case_id = open_case(officer)["id"]
    path = f"/api/attachments/cases/{case_id}"
    ok = officer.post(path, files={"file": ("../../etc/现场.png", PNG, "image/png")})
    assert ok.status_code == 201, ok.text
    body = ok.json()
    assert body["original_name"] == "现场.png"
    assert body["content_type"] == "image/png"
    stored = list((Path(app.state.settings.upload_dir) / "cases").iterdir())
    assert len(stored) == 1
    assert len(stored[0].name) == 32
    assert "png" not in stored[0].name
    for name, content in [
        ("evil.png", b"<script>alert(1)</script>"),
        ("a.exe", b"MZ\x90\x00" + b"\x00" * 50),
        ("empty.txt", b""),
        ("big.pdf", b"%PDF-" + b"0" * (service.MAX_ATTACHMENT_BYTES + 10)),
    ]:
        refused = officer.post(path, files={"file": (name, content, "image/png")})
        assert refused.status_code in (413, 422), (name, refused.text)
    note = officer.post(path, files={"file": ("笔录.txt", "询问笔录".encode(), "text/plain")})
    assert note.status_code == 201
    download = officer.get(body["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/png"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in download.headers["content-disposition"]
    assert login("crew1").get(body["url"]).status_code == 403


def test_squad_roster_pairs_and_assault_team(login: Any, app: Any) -> None:
    from jingwu.identity import service as identity_service
    from jingwu.identity.roles import Role

    with app.state.db.session() as session:
        ids = [
            identity_service.create_officer(
                session,
                username=f"case{n}",
                display_name=f"办案{n}",
                role=Role.CASE_OFFICER,
                password="leifeng-demo",
            ).id
            for n in (2, 3)
        ]
    officer = login("case")
    me = officer.me["id"]
    assert (
        officer.post(
            f"/api/cases/squad/{me}", json={"assault_team": True, "specialty": "侦查"}
        ).status_code
        == 200
    )
    apprentice = officer.post(f"/api/cases/squad/{ids[0]}", json={"mentor_id": me})
    assert apprentice.status_code == 200, apprentice.text
    assert officer.post(f"/api/cases/squad/{ids[1]}", json={"mentor_id": ids[1]}).status_code == 422
    assert officer.post(f"/api/cases/squad/{ids[1]}", json={"mentor_id": 99999}).status_code == 422
    cycle = officer.post(f"/api/cases/squad/{me}", json={"mentor_id": ids[0]})
    assert cycle.status_code == 409
    assert cycle.json()["error"]["code"] == "mentor_cycle"
    dispatcher_id = login("dispatcher").me["id"]
    assert officer.post(f"/api/cases/squad/{dispatcher_id}", json={}).status_code == 422
    roster = {m["name"]: m for m in officer.get("/api/cases/squad").json()}
    assert roster["陈办案"]["assault_team"] is True
    assert roster["陈办案"]["apprentices"] == ["办案2"]
    assert roster["办案2"]["mentor_name"] == "陈办案"
    case_id = open_case(officer)["id"]
    assigned = officer.post(
        f"/api/cases/{case_id}/officers", json={"officer_id": ids[0], "duty": "lead"}
    )
    assert assigned.status_code == 200
    assert assigned.json()["case"]["lead_officer_name"] == "办案2"
    assert login("case").get("/api/cases?mine=true").json()["total"] == 1


@SQLITE_ONLY
def test_evidence_custody_chain_and_masking(login: Any) -> None:
    officer = login("case")
    case_id = open_case(officer)["id"]
    person = officer.post(
        f"/api/cases/{case_id}/persons",
        json={"role": "victim", "name": "刘某", "id_number": suspect_id(3), "phone": "13812345678"},
    ).json()["id"]
    masked = login("analyst").get(f"/api/cases/{case_id}/persons/{person}?unmask=true").json()
    assert masked["unmasked"] is False
    assert masked["id_number"] == suspect_id(3)[:6] + "********" + suspect_id(3)[-4:]
    assert masked["phone"] == "138****5678"
    item = officer.post(f"/api/cases/{case_id}/evidence", json={"name": "监控硬盘"}).json()["id"]
    chain = f"/api/cases/{case_id}/evidence/{item}/custody"
    assert officer.post(chain, json={"action": "transferred"}).status_code == 422
    video_id = login("video").me["id"]
    assert (
        officer.post(chain, json={"action": "transferred", "to_officer_id": video_id}).status_code
        == 200
    )
    assert officer.post(chain, json={"action": "stored", "location": "物证室"}).status_code == 200
    assert officer.post(chain, json={"action": "released", "note": "发还失主"}).status_code == 200
    assert officer.post(chain, json={"action": "checked_out"}).status_code == 409
    evidence = officer.get(f"/api/cases/{case_id}").json()["evidence"][0]
    assert [c["action"] for c in evidence["custody"]] == [
        "collected",
        "transferred",
        "stored",
        "released",
    ]
    assert evidence["custody"][1]["to_name"] == "刘视频"
    assert evidence["custody"][2]["from_name"] == "刘视频"


def test_clearance_rate_by_period_and_type(login: Any) -> None:
    officer = login("case")
    ids = [open_case(officer, case_type=t)["id"] for t in ["theft", "theft", "telecom_fraud"]]
    for case_id in ids:
        assert (
            officer.post(f"/api/cases/{case_id}/transition", json={"to": "filed"}).status_code
            == 200
        )
    officer.post(f"/api/cases/{ids[0]}/persons", json={"role": "suspect", "name": "某"})
    assert officer.post(f"/api/cases/{ids[0]}/transition", json={"to": "solved"}).status_code == 200
    rates = {r["case_type"]: r for r in officer.get("/api/cases/clearance").json()}
    assert (rates[None]["filed"], rates[None]["cleared"]) == (3, 1)
    assert rates["theft"]["rate"] == 0.5
    assert rates["telecom_fraud"]["rate"] == 0.0
    only = officer.get("/api/cases/clearance", params={"case_type": "theft"}).json()
    assert len(only) == 1
    before = officer.get(
        "/api/cases/clearance", params={"end": (utcnow() - timedelta(days=1)).isoformat()}
    ).json()
    assert before[0]["filed"] == 0
    assert (
        officer.get("/api/cases/clearance", params={"start": "2026-01-01T00:00:00"}).status_code
        == 422
    )
