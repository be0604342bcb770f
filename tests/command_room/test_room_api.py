"""Seats and handover, watch any time and video patrol, key-site watch, report photos."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingwu.command.video import angle_off_axis, sees
from jingwu.core.geo import haversine_m
from jingwu.places.models import Camera

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
CALL = {"category_code": "0101", "address_text": "雷锋大道1号", "lat": 28.2318, "lon": 112.8262}


def test_roster_and_handover_lists_what_is_open(login: Any) -> None:
    chief = login("chief")
    dispatcher = login("dispatcher")
    seats = dispatcher.get("/api/seats").json()
    assert len(seats) == 6
    assert "指挥调度岗" in {s["name"] for s in seats}
    now = datetime.now(UTC)
    shift = {
        "seat_code": "dispatch",
        "officer_id": dispatcher.me["id"],
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=7)).isoformat(),
    }
    created = chief.post("/api/seats/shifts", json=shift)
    assert created.status_code == 201, created.text
    assert chief.post("/api/seats/shifts", json=shift).json()["error"]["code"] == "shift_overlap"
    assert dispatcher.post("/api/seats/shifts", json=shift).status_code == 403
    on_duty = {s["code"]: s["on_duty"] for s in dispatcher.get("/api/seats").json()}
    assert [s["officer_name"] for s in on_duty["dispatch"]] == ["王调度"]

    incident = dispatcher.post("/api/incidents", json=CALL).json()
    handover = dispatcher.post(
        "/api/seats/handovers",
        json={
            "seat_code": "dispatch",
            "to_officer_id": chief.me["id"],
            "note": "夜班无异常",
        },
    )
    assert handover.status_code == 201, handover.text
    items = handover.json()["open_items"]
    assert incident["number"] in {i["number"] for i in items["incidents"]}
    accepted = chief.post(f"/api/seats/handovers/{handover.json()['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["accepted_at"] is not None
    assert dispatcher.post("/api/seats/handovers", json={"seat_code": "nowhere"}).status_code == 422


def test_field_of_view_geometry() -> None:
    camera = Camera(
        code="C", name="c", lat=28.2, lon=112.8, direction_deg=90.0, fov_deg=60.0, range_m=200.0
    )
    east = sees(camera, lat=28.2, lon=112.8015)  # ~147 m east, on the axis
    north = sees(camera, lat=28.2012, lon=112.8)  # ~133 m north, off the axis
    far_east = sees(camera, lat=28.2, lon=112.81)  # ~980 m: out of range
    assert east[0]
    assert not north[0]
    assert not far_east[0]
    assert east[1] == pytest.approx(haversine_m(28.2, 112.8, 28.2, 112.8015))
    assert angle_off_axis(350.0, 10.0) == pytest.approx(20.0)


def test_cameras_near_an_incident_and_a_round_with_a_finding(login: Any) -> None:
    dispatcher = login("dispatcher")
    video = login("video")
    incident = dispatcher.post("/api/incidents", json=CALL).json()
    near = video.get(f"/api/video/cameras/near?incident_id={incident['id']}").json()
    assert near, "the memorial has cameras"
    seeing = [c for c in near if c["in_view"]]
    assert near[: len(seeing)] == seeing, "cameras that see the place come first"
    distances = [c["distance_m"] for c in seeing]
    assert distances == sorted(distances)
    by_point = video.get("/api/video/cameras/near?lat=28.2318&lon=112.8262&radius_m=300").json()
    assert all(c["distance_m"] <= 300 for c in by_point)

    patrol = video.post(
        "/api/video/rounds",
        json={
            "seat_code": "video",
            "name": "纪念馆巡查",
            "camera_ids": [c["id"] for c in near[:3]],
            "every_minutes": 30,
        },
    )
    assert patrol.status_code == 201, patrol.text
    assert patrol.json()["due"] is True
    quiet = video.post(
        "/api/video/views", json={"camera_id": near[0]["id"], "round_id": patrol.json()["id"]}
    )
    assert quiet.status_code == 201
    assert video.get("/api/video/rounds?seat=video").json()[0]["due"] is False
    seen = video.post(
        "/api/video/views",
        json={
            "camera_id": near[1]["id"],
            "round_id": patrol.json()["id"],
            "finding": "前坪有人员聚集争吵",
        },
    ).json()
    assert seen["has_finding"] is True
    made = video.post(f"/api/video/views/{seen['id']}/incident", json={"category_code": "0101"})
    assert made.status_code == 200, made.text
    incident_id = made.json()["incident_id"]
    assert incident_id is not None
    again = video.post(f"/api/video/views/{seen['id']}/incident", json={"category_code": "0101"})
    assert again.status_code == 409
    created = dispatcher.get(f"/api/incidents/{incident_id}").json()
    assert "前坪有人员聚集争吵" in created["description"]
    assert (
        video.post(
            f"/api/video/views/{quiet.json()['id']}/incident", json={"category_code": "0101"}
        ).status_code
        == 422
    )


def test_key_site_reports_and_holiday_plan(login: Any) -> None:
    dispatcher = login("dispatcher")
    crew = login("crew1")
    board = dispatcher.get("/api/sites/board").json()
    memorial = next(s for s in board if s["name"] == "雷锋纪念馆前坪")
    mine = crew.get("/api/units/mine").json()[0]
    now = datetime.now(UTC)
    plan = dispatcher.post(
        "/api/sites/plans",
        json={
            "name": "端午节雷锋纪念馆安保",
            "key_site_id": memorial["id"],
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=3)).isoformat(),
            "unit_ids": [mine["id"]],
            "report_every_minutes": 30,
        },
    )
    assert plan.status_code == 201, plan.text
    report = crew.post(
        f"/api/sites/{memorial['id']}/reports",
        json={"crowd_level": "平稳", "note": "人流平稳，报告完毕", "unit_id": mine["id"]},
    )
    assert report.status_code == 201, report.text
    board = {s["id"]: s for s in dispatcher.get("/api/sites/board").json()}
    assert board[memorial["id"]]["crowd_level"] == "平稳"
    assert board[memorial["id"]]["plans"][0]["name"] == "端午节雷锋纪念馆安保"
    assert board[memorial["id"]]["report_due"] is False
    crowded = dispatcher.post(f"/api/sites/{memorial['id']}/reports", json={"crowd_level": "拥挤"})
    assert crowded.json()["status"] == "alert"
    assert (
        dispatcher.post(
            f"/api/sites/{memorial['id']}/reports", json={"crowd_level": "很多"}
        ).status_code
        == 422
    )
    assert (
        dispatcher.post("/api/sites/99999/reports", json={"crowd_level": "平稳"}).status_code == 404
    )


def test_report_photos_are_checked_stored_and_guarded(login: Any, app: Any, tmp_path: Any) -> None:
    app.state.settings.upload_dir = str(tmp_path / "uploads")
    dispatcher = login("dispatcher")
    crew = login("crew1")
    community = login("community")
    mine = crew.get("/api/units/mine").json()[0]
    incident = dispatcher.post("/api/incidents", json=CALL).json()
    outsider = crew.client.post(
        "/api/attachments",
        data={"incident_id": str(incident["id"])},
        files={"file": ("a.jpg", io.BytesIO(JPEG), "image/jpeg")},
        headers={"X-CSRF-Token": crew.csrf},
    )
    assert outsider.status_code == 403
    dispatcher.post(f"/api/incidents/{incident['id']}/dispatch", json={"unit_ids": [mine["id"]]})

    def upload(content: bytes, name: str = "photo.jpg") -> Any:
        return crew.client.post(
            "/api/attachments",
            data={"incident_id": str(incident["id"]), "unit_id": str(mine["id"])},
            files={"file": (name, io.BytesIO(content), "image/jpeg")},
            headers={"X-CSRF-Token": crew.csrf},
        )

    stored = upload(JPEG, "../../etc/passwd.jpg")
    assert stored.status_code == 201, stored.text
    assert stored.json()["content_type"] == "image/jpeg"
    assert upload(b"<script>alert(1)</script>").json()["error"]["code"] == "bad_file_type"
    assert upload(b"").status_code == 422
    too_big = upload(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024))
    assert too_big.status_code in (400, 413)
    url = stored.json()["url"]
    fetched = crew.get(url)
    assert fetched.status_code == 200
    assert fetched.content == JPEG
    assert fetched.headers["content-type"] == "image/jpeg"
    assert dispatcher.get(url).status_code == 200
    listed = dispatcher.get(f"/api/incidents/{incident['id']}/attachments").json()
    assert [a["id"] for a in listed] == [stored.json()["id"]]
    crew2 = login("crew2")
    assert crew2.get(url).status_code == 403
    assert community.get(url).status_code == 200  # community officers may see incidents
    stored_files = list((tmp_path / "uploads").iterdir())
    assert len(stored_files) == 1
    assert stored_files[0].name != "passwd.jpg"
    assert stored_files[0].read_bytes() == JPEG


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(
        [
            "/api/seats/shifts",
            "/api/seats/handovers",
            "/api/video/rounds",
            "/api/video/views",
            "/api/sites/plans",
            "/api/sites/1/reports",
        ]
    ),
    body=st.dictionaries(
        st.sampled_from(
            [
                "seat_code",
                "officer_id",
                "starts_at",
                "ends_at",
                "camera_ids",
                "camera_id",
                "name",
                "finding",
                "crowd_level",
                "key_site_id",
                "unit_ids",
                "note",
                "every_minutes",
            ]
        ),
        st.one_of(
            st.none(),
            st.integers(),
            st.text(max_size=50),
            st.lists(st.integers(), max_size=3),
            st.floats(allow_nan=False),
        ),
        max_size=6,
    ),
)
def test_room_endpoints_fuzz_never_500(sqlite_login: Any, path: str, body: dict[str, Any]) -> None:
    response = sqlite_login.post(
        path, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}
