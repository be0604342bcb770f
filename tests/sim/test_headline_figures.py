"""The demo's two years, read by the chief's board: the seed's headline figures come out.

Nothing in the scenario writes a figure; the board computes them from the generated rows with
the product's own functions (`analytics.figures.board`, `cases.queries.clearance_rate`,
`community.disputes.dispute_resolution_rate`). The seed: criminal incidents −27 %, telecom
fraud −34 %, clearance about 77 %, dispute resolution about 98 %, 26 banners a year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jingwu.analytics.figures import Tile, board
from jingwu.analytics.periods import last_twelve_months
from jingwu.cases.models import Arrest, Case, CaseTimelineEntry
from jingwu.cases.states import MOVES, CaseStatus
from jingwu.command.models import Incident
from jingwu.command.states import Route
from jingwu.community.models import Dispute
from jingwu.core.clock import to_local
from jingwu.core.db import Database
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # a fixed day: the same past on every run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo's station with 730 days of history, built once for this module (SQLite)."""
    path: Path = tmp_path_factory.mktemp("headline") / "leifeng.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        build_scenario(session, seed=7, history_days=730, now=NOW)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def tiles(demo: Database) -> dict[str, Tile]:
    period = last_twelve_months(to_local(NOW).date())
    with demo.session(write=False) as session:
        return {tile.key: tile for tile in board(session, period=period)}


def test_incidents_fall_as_the_seed_says(tiles: dict[str, Tile]) -> None:
    criminal, fraud = tiles["criminal"], tiles["telecom_fraud"]
    assert criminal.change_pct is not None
    assert fraud.change_pct is not None
    assert -33.0 <= criminal.change_pct <= -22.0, criminal
    assert -40.0 <= fraud.change_pct <= -28.0, fraud


def test_clearance_is_about_77_percent_and_rose(tiles: dict[str, Tile]) -> None:
    clearance = tiles["clearance_rate"]
    assert clearance.value is not None, clearance
    assert clearance.year_before is not None, clearance
    assert 70.0 <= clearance.value <= 84.0, clearance
    assert (clearance.denominator or 0) > 300  # a year of filed cases
    assert clearance.value - clearance.year_before >= 8.0  # the squad got better


def test_disputes_are_resolved_about_98_percent(tiles: dict[str, Tile]) -> None:
    resolution = tiles["dispute_resolution_rate"]
    assert resolution.value is not None, resolution
    assert 95.0 <= resolution.value <= 100.0, resolution
    assert (resolution.denominator or 0) > 300


def test_banners_and_satisfaction_come_from_what_the_station_did(
    tiles: dict[str, Tile],
) -> None:
    banners, satisfaction = tiles["commendations"], tiles["satisfaction"]
    assert banners.value is not None, banners
    assert 15 <= banners.value <= 40, banners
    assert banners.year_before is not None, banners
    assert banners.year_before < banners.value  # more in the later year, as the seed has it
    assert satisfaction.value is not None, satisfaction
    assert 85.0 <= satisfaction.value <= 100.0, satisfaction
    assert (satisfaction.denominator or 0) > 200


def test_every_historic_crime_has_a_case_and_every_diverted_quarrel_a_dispute(
    demo: Database,
) -> None:
    with demo.session(write=False) as session:
        crimes = session.scalar(
            select(func.count(Incident.id)).where(
                Incident.is_drill.is_(False),
                Incident.reported_at < NOW,
                Incident.category_code.like("01%") | Incident.category_code.like("08%"),
                Incident.closed_at.is_not(None),
            )
        )
        cases = session.scalar(select(func.count(Case.id)).where(Case.incident_id.is_not(None)))
        quarrels = session.scalar(
            select(func.count(Incident.id)).where(
                Incident.category_code.like("04%"), Incident.route == Route.COMMUNITY.value
            )
        )
        disputes = session.scalar(
            select(func.count(Dispute.id)).where(Dispute.incident_id.is_not(None))
        )
    assert crimes
    assert (cases or 0) >= crimes  # and the live stories' incidents
    assert quarrels
    assert disputes == quarrels


def test_historic_cases_travel_the_status_table(demo: Database) -> None:
    """Each case's status rows are legal moves; each solved case has an arrested suspect."""
    with demo.session(write=False) as session:
        moves: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for case_id, data in session.execute(
            select(CaseTimelineEntry.case_id, CaseTimelineEntry.data)
            .where(CaseTimelineEntry.kind == "status")
            .order_by(CaseTimelineEntry.case_id, CaseTimelineEntry.at, CaseTimelineEntry.id)
        ):
            moves[case_id].append((data["from"], data["to"]))
        solved = set(session.scalars(select(Case.id).where(Case.solved_at.is_not(None))))
        arrested = set(session.scalars(select(Arrest.case_id)))
        statuses = dict(session.execute(select(Case.id, Case.status)).all())
    assert solved
    assert solved <= arrested
    for case_id, path in moves.items():
        current = CaseStatus.ACCEPTED.value
        for before, after in path:
            assert before == current, (case_id, path)
            assert CaseStatus(after) in MOVES[CaseStatus(before)], (case_id, path)
            current = after
        assert statuses[case_id] == current, (case_id, path)
