"""The steel-theft story's pieces, shared by the API and browser tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from jingwu.core.clock import utcnow
from jingwu.core.idcard import make_id_number

SITE = {"name": "中铁五局地铁工地", "lat": 28.2089, "lon": 112.8505}


def in_hours(hours: float) -> str:
    return (utcnow() + timedelta(hours=hours)).isoformat()


def suspect_id(n: int) -> str:
    return make_id_number(region_code="430104", birth_date=date(1990, 3, n + 1), sequence=11 + n)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def report_theft(dispatcher: Any) -> int:
    """The 110 call from the metro construction site, dispatched; returns the incident id."""
    call = {
        "category_code": "0101",
        "caller_name": "工地负责人",
        "caller_phone": "13900001111",
        "address_text": SITE["name"],
        "lat": SITE["lat"],
        "lon": SITE["lon"],
        "description": "工地堆放的螺纹钢和钢板昨夜被盗",
    }
    created = dispatcher.post("/api/incidents", json=call)
    assert created.status_code == 201, created.text
    incident_id: int = created.json()["id"]
    recs = dispatcher.get(f"/api/incidents/{incident_id}/recommendations").json()
    sent = dispatcher.post(
        f"/api/incidents/{incident_id}/dispatch", json={"unit_ids": [recs[0]["unit_id"]]}
    )
    assert sent.status_code == 200, sent.text
    return incident_id


def open_case(case_officer: Any, incident_id: int | None = None, **extra: Any) -> dict[str, Any]:
    body = {"title": "中铁五局地铁工地钢材被盗案", "case_type": "theft", **extra}
    if incident_id is not None:
        body["incident_id"] = incident_id
    response = case_officer.post("/api/cases", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data
