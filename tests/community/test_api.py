"""The community API: masking and audited unmasking, the partner's walls, on both stores."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from jingwu.core.db import Database
from jingwu.core.idcard import make_id_number
from jingwu.identity.models import AuditEntry

ID_NUMBER = make_id_number(region_code="430122", birth_date=date(1985, 6, 1), sequence=123)


def test_id_numbers_and_phones_are_masked_unless_asked_for_and_the_asking_is_audited(
    login: Any, station: Database
) -> None:
    officer = login("community")
    community_id = officer.get("/api/places/communities").json()[1]["id"]
    made = officer.post(
        "/api/community/residents",
        json={
            "name": "测试居民",
            "id_number": ID_NUMBER.lower(),
            "phone": "13912345678",
            "community_id": community_id,
        },
    )
    assert made.status_code == 201, made.text
    resident = made.json()
    assert resident["id_number"] == f"430122********{ID_NUMBER[-4:]}"
    assert resident["phone"] == "139****5678"
    assert resident["birth_year"] == 1985
    assert resident["masked"] is True
    listed = officer.get("/api/community/residents", params={"q": "测试居民"}).json()
    assert listed["items"][0]["id_number"] == resident["id_number"]

    shown = officer.get(f"/api/community/residents/{resident['id']}", params={"unmask": True})
    assert shown.status_code == 200
    assert shown.json()["id_number"] == ID_NUMBER
    assert shown.json()["phone"] == "13912345678"
    with station.session(write=False) as session:
        reads = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "person.unmask", AuditEntry.entity_id == str(resident["id"])
            )
        ).all()
    assert len(reads) == 1
    assert reads[0].officer_id == officer.me["id"]

    analyst = login("analyst")  # sees the registry, may not unmask
    assert analyst.get(f"/api/community/residents/{resident['id']}").status_code == 200
    refused = analyst.get(f"/api/community/residents/{resident['id']}", params={"unmask": True})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"

    bad = {"name": "错号", "id_number": ID_NUMBER[:-1] + "0", "community_id": community_id}
    if bad["id_number"] == ID_NUMBER:
        bad["id_number"] = ID_NUMBER[:-1] + "1"
    rejected = officer.post("/api/community/residents", json=bad)
    assert rejected.status_code == 422
    assert "校验" in rejected.json()["error"]["message"]
    twice = officer.post(
        "/api/community/residents",
        json={"name": "重复", "id_number": ID_NUMBER, "community_id": community_id},
    )
    assert twice.status_code == 409


def test_a_partner_sees_only_its_own_requests_and_no_personal_data(login: Any) -> None:
    officer = login("community")
    agencies = officer.get("/api/community/agencies").json()
    street_office = next(a for a in agencies if a["name"] == "雷锋街道办事处")
    other = next(a for a in agencies if a["name"] != "雷锋街道办事处")
    mine = officer.post(
        "/api/community/whistles",
        json={
            "agency_id": street_office["id"],
            "category": "矛盾调解",
            "title": "协助调解邻里纠纷",
            "description": "需街道调解员到场",
            "place_text": "雷锋社区雷锋大道88号",
            "ack_minutes": 30,
            "arrive_minutes": 60,
            "resolve_minutes": 600,
        },
    )
    assert mine.status_code == 201, mine.text
    theirs = officer.post(
        "/api/community/whistles",
        json={
            "agency_id": other["id"],
            "category": "治安整治",
            "title": "别家的请求",
            "place_text": "雷锋大道",
        },
    ).json()

    partner = login("partner")
    seen = partner.get("/api/partner/requests").json()
    assert {r["agency_id"] for r in seen} == {street_office["id"]}
    assert mine.json()["id"] in [r["id"] for r in seen]
    assert theirs["id"] not in [r["id"] for r in seen]
    for row in seen:
        assert "created_by_id" not in row
        assert "dispute_id" not in row
    assert partner.get(f"/api/partner/requests/{theirs['id']}").status_code == 404
    assert partner.post(f"/api/partner/requests/{theirs['id']}/acknowledge").status_code == 404
    for path in (
        "/api/community/residents",
        "/api/community/disputes",
        "/api/community/whistles",
        "/api/community/today",
        f"/api/community/whistles/{mine.json()['id']}",
        "/api/incidents",
    ):
        assert partner.get(path).status_code == 403, path

    request_id = mine.json()["id"]
    assert partner.post(f"/api/partner/requests/{request_id}/resolve").status_code == 200
    assert partner.post(f"/api/partner/requests/{request_id}/arrive").status_code == 409
    done = partner.get(f"/api/partner/requests/{request_id}").json()
    assert done["status"] == "resolved"
    assert done["acknowledged_at"]
    assert done["arrived_at"]
    assert done["resolved_at"]
    assert partner.post(f"/api/partner/requests/{request_id}/jump").status_code == 404
