"""The pure parts: the SEPP fit recovers a known process; beats are contiguous; providers coerce."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jingwu.analytics import hotspots as hs
from jingwu.analytics.beats import Area, adjacency, design
from jingwu.analytics.figures import coerce
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
