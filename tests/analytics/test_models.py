"""The pure parts: the SEPP fit recovers a known process; beats are contiguous; providers coerce."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jingwu.analytics import hotspots as hs
from jingwu.analytics.beats import Area, adjacency, design, grid_areas
from jingwu.analytics.figures import coerce
from jingwu.analytics.frame import IncidentFrame
from jingwu.analytics.stats import poisson_rise
from jingwu.sim.leifeng import COMMUNITIES, _ring


def _simulate(seed: int, *, days: float, mu: float, theta: float, omega: float, sigma: float):
    rng = np.random.default_rng(seed)
    n = rng.poisson(mu * days)
    t = list(rng.uniform(0, days, n))
    x, y = list(rng.uniform(0, 4000, n)), list(rng.uniform(0, 4000, n))
    queue = list(range(n))
    while queue:
        parent = queue.pop()
        for _ in range(rng.poisson(theta)):
            t.append(t[parent] + rng.exponential(1 / omega))
            x.append(x[parent] + rng.normal(0, sigma))
            y.append(y[parent] + rng.normal(0, sigma))
            queue.append(len(t) - 1)
    keep = [i for i in range(len(t)) if t[i] < days and 0 <= x[i] < 4000 and 0 <= y[i] < 4000]
    order = sorted(keep, key=lambda i: t[i])
    return (
        np.array([t[i] for i in order]),
        np.array([x[i] for i in order]),
        np.array([y[i] for i in order]),
    )


def test_sepp_recovers_a_known_process() -> None:
    t, x, y = _simulate(5, days=300, mu=3.0, theta=0.5, omega=0.5, sigma=80.0)
    grid = hs.Grid(0.0, 0.0, 100.0, 40, 40, 1.0)
    fit = hs.fit_sepp(grid, hs.Events(t, x, y), bandwidth_m=400.0, iterations=80)
    assert 0.35 < fit.theta < 0.65, fit.params
    assert 0.3 < fit.omega < 0.8, fit.params
    assert 55 < fit.sigma < 110, fit.params


def test_walk_forward_scores_sepp_above_uniform() -> None:
    t, x, y = _simulate(6, days=120, mu=3.0, theta=0.6, omega=1.0, sigma=60.0)
    grid = hs.Grid(0.0, 0.0, 100.0, 40, 40, 1.0)
    events = hs.Events(t, x, y)
    mask = np.ones((40, 40), dtype=np.bool_)
    settings = hs.Settings(bandwidth_m=300.0, retro_bandwidth_m=300.0, sepp_iterations=20)
    fitted = hs.fit_sepp(grid, events.before(100.0), bandwidth_m=300.0, iterations=20)
    score = hs.Score()
    for day in range(100, 120):
        actual = events.between(day, day + 1)
        prediction = hs.predict(
            "sepp", grid, events, start=day, end=day + 1, settings=settings, fitted=fitted
        )
        hits = hs.hits_at(hs.ranked_cells(prediction, mask), grid, actual, hs.COVERAGES)
        score.events += len(actual)
        score.hits = [a + b for a, b in zip(score.hits, hits, strict=True)]
    assert score.pai()[1] > 1.5  # well above a uniform guess at 5 % of the area


def test_seven_communities_into_two_contiguous_beats() -> None:
    rng = np.random.default_rng(1)
    areas = [
        Area(i, c.name, _ring(c.cell), c.beat, float(c.households), rng.integers(0, 9, 24))
        for i, c in enumerate(COMMUNITIES)
    ]
    graph = adjacency(areas)
    assert graph[0] == {1, 4}  # 雷锋村 borders 雷锋社区 and 桐木村; a corner is not a border
    comparison = design(areas, k=2)
    names = [p.name for p in comparison.plans]
    assert names == ["today", "balanced", "compact", "profile"]
    for plan in comparison.plans:
        assert plan.contiguous
        assert sum(len(b.communities) for b in plan.beats) == 7
    balanced = comparison.plans[1]
    assert balanced.balance <= comparison.plans[0].balance


def test_figures_accept_what_other_domains_answer() -> None:
    @dataclass
    class Clearance:
        filed: int
        cleared: int
        rate: float | None

    value = coerce(Clearance(filed=8, cleared=6, rate=0.75))
    assert value is not None
    assert value.value == 75.0
    assert (value.numerator, value.denominator) == (6, 8)
    assert coerce(Clearance(filed=0, cleared=0, rate=None)) is None
    assert coerce((3, 4)).value == 75.0  # type: ignore[union-attr]


def test_poisson_rise_needs_more_than_a_percentage() -> None:
    assert not poisson_rise(3, 1.5).unusual  # +100 %, yet 3 when 1.5 is expected is common
    assert poisson_rise(30, 12.0).unusual


def test_prospective_bandwidth_in_cells_follows_bowers() -> None:
    grid = hs.Grid(south=0.0, west=0.0, cell_m=500.0, rows=5, cols=5, m_per_deg_lon=111_320.0)
    events = hs.Events(
        np.array([10.0, 20.0]), np.array([1250.0, 1250.0]), np.array([1250.0, 1250.0])
    )
    # 400 m on 500 m cells: only the event's own cell counts; 8 whole weeks back at most
    own = hs.prospective(grid, events, now=21.0, space_cells=hs.space_cells_for(500.0))
    assert np.count_nonzero(own) == 1
    assert own[2, 2] == 1.0 / (1 + 1) + 1.0 / (1 + 0)  # 11 days ago: 1 whole week; 1 day: 0
    wide = hs.prospective(grid, events, now=21.0, space_cells=hs.space_cells_for(50.0))
    assert wide[0, 0] == (1.0 / (1 + 2)) * (1.0 / (1 + 1) + 1.0)  # diagonals are one step
    assert not hs.prospective(grid, events, now=20.0 + 7 * 8 + 0.5, space_cells=8).any()


def test_beats_on_a_grid_stay_contiguous() -> None:
    rng = np.random.default_rng(2)
    places = [
        (
            i,
            c.name,
            _ring(c.cell),
            c.beat,
        )
        for i, c in enumerate(COMMUNITIES)
    ]
    west, south = min(c.cell[0] for c in COMMUNITIES), min(c.cell[1] for c in COMMUNITIES)
    n = 3000
    frame = IncidentFrame(
        ids=np.arange(n, dtype=np.int64),
        t=np.sort(rng.uniform(1.7e9, 1.73e9, n)),
        code=np.zeros(n, dtype=np.int64),
        lat=south + rng.gamma(2.0, 0.006, n),
        lon=west + rng.gamma(2.0, 0.01, n),
        beat=np.full(n, -1, dtype=np.int64),
        community=np.full(n, -1, dtype=np.int64),
    )
    cells = grid_areas(places, frame, side=12)
    assert len(cells) == 144
    assert all(c.group for c in cells)
    comparison = design(cells, k=4)
    assert comparison.cells == 144
    for plan in comparison.plans:
        assert plan.contiguous
        assert sum(b.cells or 0 for b in plan.beats) == 144
    balanced = next(p for p in comparison.plans if p.name == "balanced")
    assert balanced.balance < 1.1
