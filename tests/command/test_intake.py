"""Intake: bad input is refused with a reason and stores nothing; retries and duplicates."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select

from jingwu.command.models import Incident, IncidentCaller, TimelineEntry
from jingwu.core.db import Database

GOOD = {
    "category_code": "0101",
    "caller_phone": "13800000000",
    "caller_name": "李先生",
    "address_text": "雷锋大道1号",
    "lat": 28.23,
    "lon": 112.82,
    "description": "电动车被盗",
}


def _count(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count(Incident.id))) or 0)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"lat": 91.0}, "invalid_input"),
        ({"lon": -181.0}, "invalid_input"),
        ({"lat": "north"}, "invalid_input"),
        ({"category_code": "9999"}, "unknown_category"),
        ({"caller_name": "<script>alert(1)</script>"}, "invalid_input"),
        ({"description": "<img src=x onerror=alert(1)>"}, "invalid_input"),
        ({"caller_phone": "call me maybe"}, "invalid_input"),
        ({"priority": 7}, "invalid_input"),
        ({"lat": None}, "invalid_input"),
        ({"address_text": "", "lat": None, "lon": None}, "invalid_input"),
        ({"description": "x" * 4001}, "invalid_input"),
        ({"extra_field": 1}, "invalid_input"),
        ({"reported_at": "2099-01-01T00:00:00Z"}, "call_in_future"),
    ],
)
def test_bad_input_is_refused_with_a_reason(
    login: Any, station: Database, change: dict[str, Any], code: str
) -> None:
    dispatcher = login("dispatcher")
    response = dispatcher.post("/api/incidents", json={**GOOD, **change})
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert _count(station) == 0


def test_malformed_json_and_huge_bodies(login: Any, station: Database) -> None:
    dispatcher = login("dispatcher")
    broken = dispatcher.client.post(
        "/api/incidents",
        content=b'{"category_code": "0101",',
        headers={"X-CSRF-Token": dispatcher.csrf, "Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    huge = dispatcher.post(
        "/api/incidents", json={**GOOD, "description": "盗" * (10 * 1024 * 1024 // 3)}
    )
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "too_large"
    assert _count(station) == 0


def test_sql_in_text_is_stored_verbatim_and_harms_nothing(login: Any, station: Database) -> None:
    dispatcher = login("dispatcher")
    words = "'; DROP TABLE incidents; -- 1' OR '1'='1"
    created = dispatcher.post("/api/incidents", json={**GOOD, "description": words})
    assert created.status_code == 201
    assert dispatcher.get(f"/api/incidents/{created.json()['id']}").json()["description"] == words
    assert _count(station) == 1


def test_a_201_is_durable_with_its_timeline_and_caller(login: Any, station: Database) -> None:
    dispatcher = login("dispatcher")
    created = dispatcher.post("/api/incidents", json=GOOD)
    assert created.status_code == 201
    incident_id = created.json()["id"]
    other = create_engine(station.url)
    with other.connect() as connection:
        assert connection.scalar(select(Incident.number).where(Incident.id == incident_id))
        timeline = connection.scalar(
            select(func.count()).where(TimelineEntry.incident_id == incident_id)
        )
        callers = connection.scalar(
            select(func.count()).where(IncidentCaller.incident_id == incident_id)
        )
    other.dispose()
    assert timeline == 1
    assert callers == 1


def test_concurrent_retries_make_one_incident(login: Any, station: Database) -> None:
    dispatcher = login("dispatcher")
    statuses: list[int] = []
    ids: set[int] = set()

    def send() -> None:
        response = dispatcher.post("/api/incidents", json=GOOD, headers={"Idempotency-Key": "same"})
        statuses.append(response.status_code)
        ids.add(response.json()["id"])

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert len(ids) == 1
    assert _count(station) == 1


def test_a_key_reused_for_another_call_is_refused(login: Any) -> None:
    dispatcher = login("dispatcher")
    dispatcher.post("/api/incidents", json=GOOD, headers={"Idempotency-Key": "k"})
    other = dispatcher.post(
        "/api/incidents", json={**GOOD, "description": "另一起"}, headers={"Idempotency-Key": "k"}
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_duplicates_are_offered_and_merging_keeps_every_caller(login: Any) -> None:
    dispatcher = login("dispatcher")
    first = dispatcher.post("/api/incidents", json=GOOD).json()
    second = dispatcher.post(
        "/api/incidents",
        json={**GOOD, "caller_phone": "13900000000", "lat": 28.2305, "description": "看到有人偷车"},
    ).json()
    assert [d["id"] for d in second["possible_duplicates"]] == [first["id"]]
    similar = dispatcher.get(
        "/api/incidents/similar", params={"category_code": "0101", "lat": 28.2301, "lon": 112.8201}
    ).json()
    assert {s["id"] for s in similar} == {first["id"], second["id"]}
    merged = dispatcher.post(
        f"/api/incidents/{second['id']}/merge", json={"into_incident_id": first["id"]}
    )
    assert merged.status_code == 200
    assert sorted(c["phone"] for c in merged.json()["callers"]) == ["13800000000", "13900000000"]
    gone = dispatcher.get(f"/api/incidents/{second['id']}").json()
    assert gone["status"] == "merged"
    again = dispatcher.post(
        f"/api/incidents/{second['id']}/merge", json={"into_incident_id": first["id"]}
    )
    assert again.status_code == 409


def test_caller_history_and_queue_filters(login: Any) -> None:
    dispatcher = login("dispatcher")
    dispatcher.post("/api/incidents", json=GOOD)
    dispatcher.post(
        "/api/incidents", json={**GOOD, "category_code": "0401", "priority": 4, "lat": 28.21}
    )
    history = dispatcher.get("/api/callers/13800000000/history").json()
    assert len(history) == 2
    queue = dispatcher.get("/api/incidents", params={"open_only": True, "priority": 4}).json()
    assert queue["total"] == 1
    assert queue["items"][0]["category_label"] == "纠纷·邻里纠纷"
    searched = dispatcher.get("/api/incidents", params={"q": "雷锋大道"}).json()
    assert searched["total"] == 2
    paged = dispatcher.get("/api/incidents", params={"per_page": 1, "page": 2}).json()
    assert len(paged["items"]) == 1
    assert paged["total"] == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
intake_bodies = st.fixed_dictionaries(
    {},
    optional={
        "category_code": st.sampled_from(["0101", "08", "9", "", "0101x"]) | st.text(max_size=9),
        "caller_phone": st.text(max_size=25),
        "caller_name": st.text(max_size=70),
        "address_text": st.text(max_size=210),
        "lat": st.floats(allow_nan=True, allow_infinity=True) | json_values,
        "lon": st.floats(allow_nan=True, allow_infinity=True) | json_values,
        "priority": st.integers(-5, 10) | json_values,
        "address_id": st.integers(-3, 10**12),
        "description": st.text(max_size=300),
        "is_drill": json_values,
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=intake_bodies)
def test_fuzzed_intake_never_errors_on_the_server(login: Any, body: dict[str, Any]) -> None:
    dispatcher = login.cached if hasattr(login, "cached") else login("dispatcher")
    login.cached = dispatcher  # type: ignore[attr-defined]
    raw = json.dumps(body)  # NaN and Infinity included, as a careless client would send them
    response = dispatcher.post(
        "/api/incidents", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["message"]
