"""No sequence of API calls reaches an illegal state or loses a timeline row (hypothesis)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from jingwu.app import create_app
from jingwu.command.models import Assignment, Incident, TimelineEntry
from jingwu.command.states import ACTIVE_ASSIGNMENT, AssignmentStatus, IncidentStatus
from jingwu.core.db import Database
from jingwu.identity import service as identity_service
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario
from jingwu.units.models import Unit, UnitStatus
from tests.conftest import make_settings

STEPS = ["acknowledged", "en_route", "on_scene", "reported", "cancelled"]
ROUTES = ["patrol", "case_team", "community", "partner", "fire"]


@pytest.fixture(scope="module")
def template_db() -> Any:
    folder = Path(tempfile.mkdtemp(prefix="jingwu-sm-"))
    path = folder / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        build_scenario(session, seed=3)
        tokens = {
            name: identity_service.issue_token(
                session,
                officer_id=officer.id,
                name="property test",
                actor_id=None,
            )
            for name in ("dispatcher", "chief", "crew1")
            for officer in identity_service.list_officers(session)
            if officer.username == name
        }
    database.dispose()
    yield path, tokens
    shutil.rmtree(folder, ignore_errors=True)


class ClosedLoop(RuleBasedStateMachine):
    template: Path
    tokens: dict[str, str]

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="jingwu-run-"))
        path = self.folder / "run.db"
        shutil.copy(self.template, path)
        self.db = Database(f"sqlite:///{path}")
        self.client = TestClient(create_app(make_settings(self.db.url), self.db))
        self.client.__enter__()
        self.incidents: list[int] = []
        self.successes = 0
        with self.db.session(write=False) as session:
            self.unit_ids = list(session.scalars(select(Unit.id)).all())

    def _as(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def _post(self, who: str, path: str, body: dict[str, Any]) -> int:
        response = self.client.post(path, json=body, headers=self._as(who))
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert response.json()["error"]["code"]
        return response.status_code

    @rule(lat=st.floats(28.2, 28.24), category=st.sampled_from(["0101", "0401", "0801", "0601"]))
    def take_call(self, lat: float, category: str) -> None:
        body = {"category_code": category, "address_text": "测试", "lat": lat, "lon": 112.83}
        response = self.client.post("/api/incidents", json=body, headers=self._as("dispatcher"))
        assert response.status_code == 201
        self.incidents.append(response.json()["id"])

    @precondition(lambda self: self.incidents)
    @rule(data=st.data())
    def dispatch(self, data: st.DataObject) -> None:
        incident = data.draw(st.sampled_from(self.incidents))
        units = data.draw(st.lists(st.sampled_from(self.unit_ids), min_size=1, max_size=2))
        self._post("dispatcher", f"/api/incidents/{incident}/dispatch", {"unit_ids": units})

    @precondition(lambda self: self.incidents)
    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        incident = data.draw(st.sampled_from(self.incidents))
        unit = data.draw(st.sampled_from(self.unit_ids))
        status = data.draw(st.sampled_from(STEPS))
        body = {"unit_id": unit, "status": status, "feedback": "处置完毕"}
        self._post("dispatcher", f"/api/incidents/{incident}/progress", body)

    @precondition(lambda self: self.incidents)
    @rule(data=st.data())
    def triage(self, data: st.DataObject) -> None:
        incident = data.draw(st.sampled_from(self.incidents))
        route = data.draw(st.sampled_from(ROUTES))
        self._post(
            "dispatcher", f"/api/incidents/{incident}/triage", {"route": route, "reason": "测试"}
        )

    @precondition(lambda self: self.incidents)
    @rule(data=st.data())
    def close_or_evaluate(self, data: st.DataObject) -> None:
        incident = data.draw(st.sampled_from(self.incidents))
        if data.draw(st.booleans()):
            self._post("dispatcher", f"/api/incidents/{incident}/close", {"note": ""})
        else:
            self._post("chief", f"/api/incidents/{incident}/evaluate", {"score": 4})

    @precondition(lambda self: len(self.incidents) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        one, other = data.draw(st.permutations(self.incidents).map(lambda p: p[:2]))
        self._post("dispatcher", f"/api/incidents/{one}/merge", {"into_incident_id": other})

    @invariant()
    def states_are_consistent(self) -> None:
        with self.db.session(write=False) as session:
            for incident in session.scalars(select(Incident)).all():
                status = IncidentStatus(incident.status)
                assignments = session.scalars(
                    select(Assignment).where(Assignment.incident_id == incident.id)
                ).all()
                timeline = session.scalar(
                    select(func.count()).where(TimelineEntry.incident_id == incident.id)
                )
                assert timeline is not None
                assert timeline >= 1 + len(assignments)
                if status in {IncidentStatus.CLOSED, IncidentStatus.EVALUATED}:
                    assert incident.closed_at is not None
                    assert all(
                        AssignmentStatus(a.status) not in ACTIVE_ASSIGNMENT for a in assignments
                    )
                if status is IncidentStatus.EVALUATED:
                    assert incident.evaluation_score is not None
                if status is IncidentStatus.MERGED:
                    assert incident.merged_into_id is not None
                    assert not assignments
                if status is IncidentStatus.DIVERTED:
                    assert incident.route not in (None, "patrol")
                for assignment in assignments:
                    if assignment.status == AssignmentStatus.REPORTED.value:
                        assert assignment.on_scene_at is not None
                        assert assignment.acknowledged_at is not None
            busy = {
                a.unit_id
                for a in session.scalars(select(Assignment)).all()
                if AssignmentStatus(a.status) in ACTIVE_ASSIGNMENT
            }
            for unit in session.scalars(select(Unit)).all():
                assert (unit.status != UnitStatus.AVAILABLE.value) == (unit.id in busy), (
                    unit.call_sign
                )

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)
        self.db.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


def test_no_call_sequence_breaks_the_loop(template_db: Any) -> None:
    path, tokens = template_db
    ClosedLoop.template = path
    ClosedLoop.tokens = tokens
    runner = ClosedLoop.TestCase
    runner.settings = settings(
        max_examples=25,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    runner().runTest()
