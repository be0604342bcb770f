"""Bad input to the fire API gets a clear 4xx with an error body — never a 500, nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "incident",
    "alarm_level",
    "dispatch",
    "member_ids",
    "leader_member_id",
    "started_at",
    "people_rescued",
    "property_protected_yuan",
    "kind",
    "title",
    "minutes",
    "category_code",
    "apparatus_kinds",
    "code",
    "lat",
    "lon",
    "readiness",
    "key_site_id",
]
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values
WRITES = [
    ("post", "/api/fire/incidents"),
    ("post", "/api/fire/incidents/1/dispatch"),
    ("post", "/api/fire/operations/1/shifts"),
    ("post", "/api/fire/operations/1/report"),
    ("post", "/api/fire/training"),
    ("put", "/api/fire/run-cards"),
    ("post", "/api/fire/water-sources"),
    ("put", "/api/fire/hazard-plans"),
    ("post", "/api/fire/apparatus"),
    ("post", "/api/fire/apparatus/1/readiness"),
    ("post", "/api/fire/members/1/qualifications"),
]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Input handling is the same on either store: fuzz on SQLite only."""
    return sqlite_url


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=st.sampled_from(WRITES), body=bodies)
def test_fuzzed_writes_never_fail_with_a_500(
    login: Any, target: tuple[str, str], body: Any
) -> None:
    officer = login("fire")
    method, path = target
    response = officer.client.request(
        method.upper(),
        path,
        content=json.dumps(body),  # NaN and Infinity too: what a careless client sends
        headers={"X-CSRF-Token": officer.csrf, "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"]
        assert error["message"]


def test_roles_and_clear_errors(login: Any) -> None:
    crew = login("crew1")
    assert crew.get("/api/fire/apparatus").status_code == 403
    dispatcher = login("dispatcher")
    assert dispatcher.get("/api/fire/record").status_code == 200
    refused = dispatcher.post("/api/fire/water-sources", json={})
    assert refused.status_code == 403
    watch = login("fire")
    missing = watch.get("/api/fire/operations/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "operation_not_found"
    bad_range = watch.get("/api/fire/summary?start=2020-01-01T00:00:00Z&end=2019-01-01T00:00:00Z")
    assert bad_range.status_code == 422
    markup = watch.post(
        "/api/fire/training",
        json={"member_ids": [1], "kind": "drill", "title": "<script>x</script>", "minutes": 10},
    )
    assert markup.status_code == 422
    taken = watch.post(
        "/api/fire/water-sources",
        json={"code": "XHS-001", "kind": "hydrant", "name": "重复", "lat": 28.2, "lon": 112.8},
    )
    assert taken.status_code == 409
    members = {m["name"]: m["id"] for m in watch.get("/api/fire/members").json()}
    logged = watch.post(
        "/api/fire/training",
        json={
            "member_ids": [members["杨副班长"], members["彭消防员"]],
            "kind": "drill",
            "title": "冲锋舟编队",
            "minutes": 90,
            "score": 95,
        },
    )
    assert logged.status_code == 201, logged.text
    assert len(logged.json()) == 2
    own = watch.get(f"/api/fire/training?member_id={members['彭消防员']}").json()
    assert own["total"] == 1
    assert own["items"][0]["kind_label"] == "实战演练"
    routine = watch.get("/api/fire/routine").json()
    assert routine[0]["starts"] == "06:00"
    assert routine[0]["title"] == "出早操"
    geo = watch.get("/api/fire/map.geojson").json()
    layers = {f["properties"]["layer"] for f in geo["features"]}
    assert layers == {"water_source", "hazard_plan", "apparatus"}
