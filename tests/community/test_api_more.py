"""Key persons, registry quality, the whistle's deadlines, CAP over HTTP, the triage subscriber,
pages, and fuzzed input. SQLite only: the two-store checks are in test_api.py."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from jingwu.community import cap, notices
from jingwu.community.models import Dispute, KeyPerson, WhistleRequest
from jingwu.core.db import Database
from tests.community.conftest import CAP_DIR, shared_or_skip
from tests.community.test_cap import BILLION_LAUGHS, EXTERNAL_ENTITY


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_registry_collect_verify_and_quality(login: Any) -> None:
    officer = login("community")
    address = officer.get("/api/places/addresses", params={"q": "雷锋社区"}).json()
    items = address["items"] if isinstance(address, dict) else address
    house = None
    for candidate in items:
        made = officer.post(
            "/api/community/houses",
            json={
                "address_id": candidate["id"],
                "owner_name": "房东甲",
                "owner_phone": "13700001111",
                "use": "出租",
            },
        )
        if made.status_code == 201:
            house = made.json()
            break
        assert made.status_code == 409, made.text
    assert house is not None
    assert house["rented"] is True
    assert house["owner_phone"] == "137****1111"
    assert "**号" in house["address_text"]
    again = officer.post("/api/community/houses", json={"address_id": house["address_id"]})
    assert again.status_code == 409
    tenant = officer.post(
        "/api/community/residents",
        json={"name": "租客乙", "house_id": house["id"], "kind": "floating", "tenant": True},
    ).json()
    before = {(q["scope"], q["id"]): q for q in officer.get("/api/community/quality").json()}
    verified = officer.post(f"/api/community/residents/{tenant['id']}/verify", json={"ok": False})
    assert verified.status_code == 200
    assert verified.json()["check_failed"] is True
    after = {(q["scope"], q["id"]): q for q in officer.get("/api/community/quality").json()}
    key = ("community", house["community_id"])
    assert after[key]["failed_checks"] == before[key]["failed_checks"] + 1
    assert 0 <= after[key]["people_rate"] <= 1
    assert officer.post("/api/community/spaceships/1/verify", json={}).status_code == 404
    org = officer.post(
        "/api/community/organisations",
        json={"name": "雷锋便利店", "kind": "shop", "address_id": house["address_id"]},
    )
    assert org.status_code == 201


def test_key_person_visits_overdue_and_stability(login: Any, station: Database) -> None:
    officer = login("community")
    overdue = officer.get("/api/community/key-persons", params={"overdue": True}).json()
    assert overdue
    assert all(p["overdue"] for p in overdue)
    person = overdue[0]
    assert "*" in person["id_number"]
    board_before = officer.get("/api/community/key-persons/stability").json()
    visit = officer.post(
        f"/api/community/key-persons/{person['id']}/check-ins",
        json={"note": "上门见面，情绪稳定", "in_control": True, "lat": 28.23, "lon": 112.82},
    )
    assert visit.status_code == 201, visit.text
    now = officer.get(f"/api/community/key-persons/{person['id']}").json()
    assert now["overdue"] is False
    assert now["checkins"][0]["note"] == "上门见面，情绪稳定"
    assert (
        officer.post(
            f"/api/community/key-persons/{person['id']}/check-ins", json={"note": "x", "lat": 1}
        ).status_code
        == 422
    )
    lost = officer.post(
        f"/api/community/key-persons/{person['id']}/check-ins",
        json={"note": "人不在家，去向不明", "in_control": False},
    )
    assert lost.status_code == 201
    board = officer.get("/api/community/key-persons/stability").json()
    assert board["in_control"] == board_before["in_control"] - (1 if person["in_control"] else 0)
    resident = officer.get("/api/community/residents", params={"per_page": 1}).json()["items"][0]
    with station.session(write=False) as session:
        already = session.scalars(select(KeyPerson.resident_id)).all()
    if resident["id"] not in already:
        added = officer.post(
            "/api/community/key-persons",
            json={"resident_id": resident["id"], "category": "刑满释放人员", "control_level": 2},
        )
        assert added.status_code == 201, added.text


def test_whistle_deadlines_escalation_stats_and_cap(login: Any, station: Database) -> None:
    officer = login("community")
    agency = officer.get("/api/community/agencies").json()[0]
    made = officer.post(
        "/api/community/whistles",
        json={
            "agency_id": agency["id"],
            "category": "环境整治",
            "title": "清理乱堆乱放",
            "place_text": "雷锋公园",
            "lat": 28.2288,
            "lon": 112.8339,
        },
    ).json()
    assert (
        officer.post(
            "/api/community/whistles",
            json={
                "agency_id": agency["id"],
                "category": "x",
                "title": "y",
                "place_text": "z",
                "ack_minutes": 90,
                "arrive_minutes": 30,
            },
        ).status_code
        == 422
    )
    with station.session() as session:
        past = datetime.now(UTC) - timedelta(minutes=1)
        session.execute(
            update(WhistleRequest)
            .where(WhistleRequest.id == made["id"])
            .values(ack_due_at=past, arrive_due_at=past)
        )
    raised = officer.post("/api/community/whistles/escalate-overdue").json()
    assert raised["escalated"] >= 1
    late = officer.get(f"/api/community/whistles/{made['id']}").json()
    assert late["escalation_level"] == 2
    assert late["late"] == ["acknowledge", "arrive"]
    assert officer.post("/api/community/whistles/escalate-overdue").json()["escalated"] == 0
    stats = officer.get("/api/community/whistles/stats").json()
    row = next(s for s in stats if s["agency_id"] == agency["id"])
    assert row["late"] >= 1
    assert row["mean_ack_s"] is not None

    document = officer.get(f"/api/community/whistles/{made['id']}/cap")
    assert document.status_code == 200
    assert document.headers["content-type"].startswith("application/xml")
    schema = cap.CapSchema(shared_or_skip(CAP_DIR / "CAP-v1.2.xsd"))
    assert schema.validate(cap.safe_parse(document.content)) == []
    notice = officer.post(
        "/api/community/notices",
        json={"event": "防盗提示", "headline": "电动车夜间请入库", "area_desc": "雷锋社区"},
    ).json()
    exported = officer.get(f"/api/community/notices/{notice['id']}/cap").content
    assert schema.validate(cap.safe_parse(exported)) == []
    assert notices.schema_path().exists()


def test_cap_alerts_read_in_and_hostile_xml_is_refused(login: Any) -> None:
    officer = login("community")
    xml = {"Content-Type": "application/xml"}
    for name in ("example1.xml", "example2.xml", "example3.xml", "example4.xml"):
        data = shared_or_skip(CAP_DIR / "oasis-examples" / name).read_bytes()
        first = officer.post("/api/community/notices/cap", content=data, headers=xml)
        assert first.status_code == 201, first.text
        assert first.json()["source"] == "cap"
        again = officer.post("/api/community/notices/cap", content=data, headers=xml)
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
    for hostile in (BILLION_LAUGHS, EXTERNAL_ENTITY):
        refused = officer.post("/api/community/notices/cap", content=hostile, headers=xml)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "unsafe_xml"
    invalid = officer.post(
        "/api/community/notices/cap",
        content=b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>',
        headers=xml,
    )
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "invalid_cap"
    assert (
        officer.post("/api/community/notices/cap", content=b"<not", headers=xml).status_code == 422
    )


def test_triage_to_the_community_route_opens_the_dispute_by_itself(
    login: Any, station: Database
) -> None:
    dispatcher = login("dispatcher")
    incident = dispatcher.post(
        "/api/incidents",
        json={
            "category_code": "0402",
            "address_text": "天顶社区天顶路5号",
            "lat": 28.21,
            "lon": 112.83,
            "description": "夫妻争吵",
        },
    ).json()
    dispatcher.post(
        f"/api/incidents/{incident['id']}/triage", json={"route": "community", "reason": "家庭纠纷"}
    )
    found = None
    for _ in range(100):  # the subscriber works after the commit, in its own thread
        with station.session(write=False) as session:
            found = session.scalars(
                select(Dispute).where(Dispute.incident_id == incident["id"])
            ).first()
        if found is not None:
            break
        time.sleep(0.1)
    assert found is not None
    assert found.source == "incident"
    assert found.officer_id is not None  # the beat's community officer
    patrol = dispatcher.post(
        "/api/incidents",
        json={"category_code": "0101", "address_text": "雷锋大道1号", "description": "x"},
    ).json()
    officer = login("community")
    refused = officer.post(f"/api/community/disputes/from-incident/{patrol['id']}")
    assert refused.status_code == 409
    assert officer.post("/api/community/disputes/from-incident/999999").status_code == 404


def test_pages_by_role(login: Any) -> None:
    officer = login("community")
    for path in ("/community", "/community/board"):
        page = officer.get(path)
        assert page.status_code == 200
        assert "社区" in page.text
    dispute_id = officer.get("/api/community/disputes").json()["items"][0]["id"]
    assert officer.get(f"/community/disputes/{dispute_id}").status_code == 200
    assert officer.get("/community/disputes/999999").status_code == 404
    assert officer.get("/partner").status_code == 403
    partner = login("partner")
    assert partner.get("/partner").status_code == 200
    assert partner.get("/community").status_code == 403
    english = officer.get("/community/board?lang=en")
    assert english.status_code == 200


_text = st.one_of(
    st.text(max_size=80), st.integers(), st.none(), st.lists(st.integers(), max_size=3)
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(
        [
            "/api/community/residents",
            "/api/community/houses",
            "/api/community/disputes",
            "/api/community/work",
            "/api/community/whistles",
            "/api/community/key-persons",
            "/api/community/notices",
            "/api/community/agencies",
        ]
    ),
    body=st.dictionaries(
        st.sampled_from(
            [
                "name",
                "id_number",
                "community_id",
                "kind",
                "summary",
                "parties",
                "title",
                "agency_id",
                "category",
                "place_text",
                "address_id",
                "resident_id",
                "event",
                "area_desc",
                "lat",
                "lon",
                "extra",
            ]
        ),
        _text,
        max_size=8,
    ),
)
def test_fuzzed_bodies_get_a_clear_4xx_or_success_never_a_500(
    login: Any, path: str, body: dict[str, Any]
) -> None:
    officer = _fuzz_officer(login)
    response = officer.post(path, json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


_FUZZ: dict[int, Any] = {}


def _fuzz_officer(login: Any) -> Any:
    key = id(login)
    if key not in _FUZZ:
        _FUZZ.clear()
        _FUZZ[key] = login("community")
    return _FUZZ[key]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=1, max_size=120))
def test_fuzzed_address_lookups_answer(login: Any, text: str) -> None:
    officer = _fuzz_officer(login)
    response = officer.get("/api/community/address/match", params={"text": text})
    assert response.status_code in (200, 422), response.text


def test_partner_directory_accounts_and_beats(login: Any, officer_id: Any) -> None:
    chief = login("chief")
    agency = chief.post(
        "/api/community/agencies",
        json={
            "name": "望城区应急管理局",
            "kind": "department",
            "phone": "0731-88600001",
            "contacts": [{"name": "郑科长", "title": "科长", "phone": "0731-88600002"}],
            "categories": ["安全生产"],
        },
    )
    assert agency.status_code == 201, agency.text
    assert agency.json()["contacts"][0]["name"] == "郑科长"
    again = chief.post(
        "/api/community/agencies", json={"name": "望城区应急管理局", "kind": "other"}
    )
    assert again.status_code == 409
    not_partner = chief.post(
        f"/api/community/agencies/{agency.json()['id']}/members",
        json={"officer_id": officer_id("dispatcher")},
    )
    assert not_partner.status_code == 422
    moved = chief.post(
        f"/api/community/agencies/{agency.json()['id']}/members",
        json={"officer_id": officer_id("partner")},
    )
    assert moved.status_code == 201
    assert login("partner").get("/api/partner/me").json()["name"] == "望城区应急管理局"
    beats = chief.get("/api/places/beats").json()
    assigned = chief.post(
        f"/api/community/beats/{beats[1]['id']}/officers",
        json={"officer_id": officer_id("community")},
    )
    assert assigned.status_code == 201
    assert (
        chief.post(
            "/api/community/beats/999/officers", json={"officer_id": officer_id("community")}
        ).status_code
        == 404
    )
    today = login("community").get("/api/community/today").json()
    assert beats[1]["id"] in today["beats"]
