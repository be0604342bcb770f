"""Where the next incidents will be: hotspot models on a grid, and their walk-forward test.

Models (each gives every grid cell a score for the coming window; higher is riskier). The three
baselines follow the definitions of the open_cp library (Daws, Davies, Birks et al., QuantCrime
Lab, University of Leeds, "PredictCode", github.com/QuantCrimAtLeeds/PredictCode), written anew
for NumPy 2 — open_cp itself no longer runs on it:

- ``naive``: counts per cell over the training window (open_cp ``naive.CountingGridKernel``).
- ``retro``: retrospective hotspot — a quartic kernel (1 - (d/h)²)² for d ≤ h around each event
  of a recent window (open_cp: "values around two months seem to be common"; here
  ``Settings.retro_window_days``, 56 days by default), evaluated at each cell's midpoint, the
  timestamps otherwise ignored (open_cp ``retrohotspot.RetroHotSpotGrid`` with ``Quartic``,
  whose default bandwidth is 200 m; Ratcliffe 2004, "Crime mapping and the training needs of
  law enforcement", Eur. J. Crim. Policy Res. 10: the quartic kernel of hotspot mapping).
- ``prospective``: Bowers, Johnson & Pease (2004), "Prospective hot-spotting: the future of
  crime mapping?", Brit. J. Criminology 44(5): 641–658, doi:10.1093/bjc/azh036. Each past event
  whose cell is fewer than ``space_cells`` cells away (grid distance with diagonals counted as
  one step: open_cp ``DistanceDiagonalsSame``) and that happened fewer than ``time_weeks`` whole
  weeks before the prediction time weighs 1 / ((1 + cells away)(1 + whole weeks ago))
  (open_cp ``ClassicWeight``). The paper's bandwidths are 400 m and 8 weeks on 50 m cells
  (open_cp's defaults: 400/50 = 8 cells, 8 weeks); :func:`space_cells_for` turns the 400 m into
  cells of another size — the paper couples the distance to the grid.
- ``kde``: a Gaussian kernel density of the training window — the baseline the SEPP extends.
- ``sepp``: Mohler, Short, Brantingham, Schoenberg & Tita (2011), "Self-exciting point process
  modeling of crime", JASA 106(493): intensity = background + triggering,
      λ(t, x) = μ(x) + Σ_{t_i < t} θ ω e^{-ω (t - t_i)} N(x - x_i; σ² I),
  the background a Gaussian kernel density of the events weighted by their probability of
  being background, fitted by expectation-maximisation (stochastic declustering's expected
  form). The triggering kernel is parametric (exponential in time, Gaussian in space), as in
  the field trials of Mohler et al. (2015, JASA 110(512)).

The expected count of a model in a cell over a window is what is ranked; hit rate is the share
of the window's incidents that fall in the top k% of the cells, and the predictive accuracy
index is hit rate / k (Chainey, Tompson & Uhlig 2008, "The utility of hotspot mapping for
predicting spatial patterns of crime", Security Journal 21).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

from jingwu.analytics.frame import BoolArray, FloatArray, IntArray

M_PER_DEG_LAT = 111_320.0
COVERAGES = (0.01, 0.05, 0.10)
MODELS = ("naive", "retro", "prospective", "kde", "sepp")


@dataclass(frozen=True)
class Grid:
    """Square cells of ``cell_m`` metres laid over a local equirectangular projection."""

    south: float
    west: float
    cell_m: float
    rows: int
    cols: int
    m_per_deg_lon: float

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def project(self, lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
        return (lon - self.west) * self.m_per_deg_lon, (lat - self.south) * M_PER_DEG_LAT

    def cell_of(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Flat cell index (row-major, row 0 in the south); -1 off the grid."""
        col = np.floor(x / self.cell_m).astype(np.int64)
        row = np.floor(y / self.cell_m).astype(np.int64)
        inside = (col >= 0) & (col < self.cols) & (row >= 0) & (row < self.rows)
        return np.where(inside, row * self.cols + col, -1)

    def bounds(self, index: int) -> tuple[float, float, float, float]:
        """(south, west, north, east) of a cell, in degrees."""
        row, col = divmod(index, self.cols)
        south = self.south + row * self.cell_m / M_PER_DEG_LAT
        west = self.west + col * self.cell_m / self.m_per_deg_lon
        return (
            south,
            west,
            south + self.cell_m / M_PER_DEG_LAT,
            west + self.cell_m / self.m_per_deg_lon,
        )


def grid_over(lat: FloatArray, lon: FloatArray, *, cell_m: float, margin_m: float = 0.0) -> Grid:
    mid = float(np.nanmean(lat))
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(mid))
    south = float(np.nanmin(lat)) - margin_m / M_PER_DEG_LAT
    west = float(np.nanmin(lon)) - margin_m / m_per_deg_lon
    height = (float(np.nanmax(lat)) - south) * M_PER_DEG_LAT + margin_m
    width = (float(np.nanmax(lon)) - west) * m_per_deg_lon + margin_m
    rows = max(1, math.ceil(height / cell_m) + (1 if height % cell_m == 0 else 0))
    cols = max(1, math.ceil(width / cell_m) + (1 if width % cell_m == 0 else 0))
    return Grid(south, west, cell_m, rows, cols, m_per_deg_lon)


@dataclass(frozen=True)
class Events:
    """Incidents in grid metres, time in days, sorted by time."""

    t: FloatArray
    x: FloatArray
    y: FloatArray

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def before(self, moment: float) -> Events:
        end = int(np.searchsorted(self.t, moment, side="left"))
        return Events(self.t[:end], self.x[:end], self.y[:end])

    def between(self, start: float, end: float) -> Events:
        lo = int(np.searchsorted(self.t, start, side="left"))
        hi = int(np.searchsorted(self.t, end, side="left"))
        return Events(self.t[lo:hi], self.x[lo:hi], self.y[lo:hi])


def events_of(grid: Grid, t_days: FloatArray, lat: FloatArray, lon: FloatArray) -> Events:
    keep = ~(np.isnan(lat) | np.isnan(lon))
    order = np.argsort(t_days[keep], kind="stable")
    x, y = grid.project(lat[keep], lon[keep])
    return Events(t_days[keep][order], x[order], y[order])


# --- kernels on the grid ------------------------------------------------------------------


def gaussian_mass(
    grid: Grid, x: FloatArray, y: FloatArray, sigma: float, weights: FloatArray
) -> FloatArray:
    """Σ_i w_i · (mass of N(x_i, σ²I) inside each cell), exactly: the Gaussian is separable."""
    if x.size == 0:
        return np.zeros((grid.rows, grid.cols))
    col_edges = np.arange(grid.cols + 1) * grid.cell_m
    row_edges = np.arange(grid.rows + 1) * grid.cell_m
    px = np.diff(ndtr((col_edges[None, :] - x[:, None]) / sigma), axis=1)
    py = np.diff(ndtr((row_edges[None, :] - y[:, None]) / sigma), axis=1)
    result: FloatArray = (py * weights[:, None]).T @ px
    return result


def _patch_sum(
    grid: Grid,
    events: Events,
    reach_cells: int,
    weight: Callable[[FloatArray, IntArray, IntArray], FloatArray],
    event_weights: FloatArray,
) -> FloatArray:
    """Add each event's kernel to the cells within ``reach_cells`` of its own cell."""
    scores = np.zeros(grid.size)
    if len(events) == 0:
        return scores.reshape(grid.rows, grid.cols)
    col = np.floor(events.x / grid.cell_m).astype(np.int64)
    row = np.floor(events.y / grid.cell_m).astype(np.int64)
    offsets = np.arange(-reach_cells, reach_cells + 1)
    dr, dc = (a.ravel() for a in np.meshgrid(offsets, offsets, indexing="ij"))
    rows = row[:, None] + dr[None, :]
    cols = col[:, None] + dc[None, :]
    cx = (cols + 0.5) * grid.cell_m
    cy = (rows + 0.5) * grid.cell_m
    distance = np.hypot(cx - events.x[:, None], cy - events.y[:, None])
    chebyshev = np.maximum(np.abs(dr), np.abs(dc))[None, :].repeat(len(events), axis=0)
    w = weight(distance, chebyshev, rows) * event_weights[:, None]
    inside = (rows >= 0) & (rows < grid.rows) & (cols >= 0) & (cols < grid.cols) & (w > 0)
    np.add.at(scores, (rows * grid.cols + cols)[inside], w[inside])
    return scores.reshape(grid.rows, grid.cols)


def naive_counts(grid: Grid, events: Events) -> FloatArray:
    cells = grid.cell_of(events.x, events.y)
    counts = np.bincount(cells[cells >= 0], minlength=grid.size).astype(np.float64)
    return counts.reshape(grid.rows, grid.cols)


def retro_quartic(grid: Grid, events: Events, *, bandwidth_m: float) -> FloatArray:
    reach = math.ceil(bandwidth_m / grid.cell_m) + 1

    def quartic(d: FloatArray, _cheb: IntArray, _rows: IntArray) -> FloatArray:
        u = d / bandwidth_m
        out: FloatArray = np.where(u < 1.0, (1.0 - u**2) ** 2, 0.0)
        return out

    return _patch_sum(grid, events, reach, quartic, np.ones(len(events)))


BOWERS_BANDWIDTH_M = 400.0  # Bowers, Johnson & Pease (2004): 400 m …
BOWERS_WEEKS = 8  # … and 8 weeks
RETRO_WINDOW_DAYS = 56.0  # "around two months" (open_cp retrohotspot)
RETRO_BANDWIDTH_M = 200.0  # open_cp's Quartic default


def space_cells_for(cell_m: float, bandwidth_m: float = BOWERS_BANDWIDTH_M) -> float:
    """The prospective bandwidth in cells: events count while fewer cells away than this."""
    return bandwidth_m / cell_m


def prospective(
    grid: Grid, events: Events, *, now: float, space_cells: float = 8.0, time_weeks: int = 8
) -> FloatArray:
    """Bowers, Johnson & Pease (2004): 1 / ((1 + d cells)(1 + w weeks)) for d < ``space_cells``
    and w < ``time_weeks`` (d: grid distance, diagonals one step; w: whole weeks before now)."""
    weeks = np.floor((now - events.t) / 7.0)
    recent = (weeks >= 0) & (weeks < time_weeks)
    chosen = Events(events.t[recent], events.x[recent], events.y[recent])

    def classic(_d: FloatArray, cheb: IntArray, _rows: IntArray) -> FloatArray:
        out: FloatArray = np.where(cheb < space_cells, 1.0 / (1.0 + cheb), 0.0)
        return out

    reach = max(0, math.ceil(space_cells) - 1)  # the farthest whole cell that still counts
    return _patch_sum(grid, chosen, reach, classic, 1.0 / (1.0 + weeks[recent]))


def kde(grid: Grid, events: Events, *, bandwidth_m: float) -> FloatArray:
    return gaussian_mass(grid, events.x, events.y, bandwidth_m, np.ones(len(events)))


# --- the self-exciting point process -------------------------------------------------------


@dataclass
class SeppFit:
    """A fitted SEPP: background rate per cell per day, and the triggering parameters."""

    background: FloatArray  # expected background events per cell per day
    theta: float  # expected offspring per event
    omega: float  # 1/days: triggering decays as exp(-ω Δt)
    sigma: float  # metres
    bandwidth_m: float
    iterations: int
    events: Events
    log: list[float] = field(default_factory=list)

    @property
    def params(self) -> dict[str, float]:
        return {
            "theta": round(self.theta, 4),
            "omega_per_day": round(self.omega, 4),
            "sigma_m": round(self.sigma, 1),
            "background_bandwidth_m": self.bandwidth_m,
            "iterations": float(self.iterations),
        }


def _pairs(events: Events, max_days: float, max_m: float) -> tuple[IntArray, IntArray]:
    """All (parent j, child i) with 0 < t_i - t_j ≤ max_days and distance ≤ max_m."""
    starts = np.searchsorted(events.t, events.t - max_days, side="left")
    ends = np.searchsorted(events.t, events.t, side="left")  # strictly earlier parents only
    counts = ends - starts
    child = np.repeat(np.arange(len(events)), counts)
    first = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    parent = first + np.arange(child.size)
    near = np.hypot(events.x[child] - events.x[parent], events.y[child] - events.y[parent]) <= max_m
    return parent[near], child[near]


def fit_sepp(
    grid: Grid,
    events: Events,
    *,
    bandwidth_m: float,
    iterations: int = 40,
    max_trigger_days: float = 60.0,
    min_sigma_m: float = 30.0,
    tolerance: float = 1e-4,
    exposure_days: float | None = None,
) -> SeppFit:
    """EM for background + exponential/Gaussian triggering over the training window.

    ``exposure_days`` is the time the events were observed over (the window, by default; the
    number of days a sample of whole days covers, for such a sample).
    """
    n = len(events)
    span = exposure_days or (max(float(events.t[-1] - events.t[0]), 1.0) if n else 1.0)
    cells = grid.cell_of(events.x, events.y)
    cell_area = grid.cell_m**2
    theta, omega, sigma = 0.2, 1.0, max(2.0 * grid.cell_m, min_sigma_m)
    p_background = np.ones(n)
    fit_log: list[float] = []
    done = 0
    max_m = 6.0 * max(bandwidth_m, 4.0 * grid.cell_m)
    parent, child = _pairs(events, max_trigger_days, max_m)
    dt = events.t[child] - events.t[parent]
    d2 = (events.x[child] - events.x[parent]) ** 2 + (events.y[child] - events.y[parent]) ** 2
    background = np.zeros((grid.rows, grid.cols))
    for done in range(1, iterations + 1):  # noqa: B007 - the count is reported
        background = gaussian_mass(grid, events.x, events.y, bandwidth_m, p_background) / span
        mu = np.where(cells >= 0, background.ravel()[np.maximum(cells, 0)], 0.0) / cell_area
        mu = np.maximum(mu, 1e-12)
        trigger = (
            theta
            * omega
            * np.exp(-omega * dt)
            * np.exp(-d2 / (2 * sigma**2))
            / (2 * math.pi * sigma**2)
        )
        total = mu.copy()
        np.add.at(total, child, trigger)
        p_pair = trigger / total[child]
        p_background = mu / total
        mass = float(p_pair.sum())
        # the expected number of offspring that can have happened before the window ended
        exposure = float(np.sum(1.0 - np.exp(-omega * (events.t[-1] - events.t)))) if n else 1.0
        new_theta = min(mass / max(exposure, 1e-9), 0.95)
        new_omega = mass / max(float(np.sum(p_pair * dt)), 1e-9) if mass > 0 else omega
        new_sigma = math.sqrt(float(np.sum(p_pair * d2)) / (2 * mass)) if mass > 0 else sigma
        new_sigma = max(new_sigma, min_sigma_m)
        new_omega = min(max(new_omega, 1.0 / max_trigger_days), 48.0)
        change = (
            abs(new_theta - theta) + abs(new_omega - omega) / omega + abs(new_sigma - sigma) / sigma
        )
        theta, omega, sigma = new_theta, new_omega, new_sigma
        fit_log.append(float(np.sum(np.log(total))))
        if change < tolerance:
            break
    background = gaussian_mass(grid, events.x, events.y, bandwidth_m, p_background) / span
    return SeppFit(background, theta, omega, sigma, bandwidth_m, done, events, fit_log)


def sepp_expected(
    fit: SeppFit, grid: Grid, *, start: float, end: float, history: Events
) -> FloatArray:
    """Expected events per cell in [start, end): background plus what past events trigger."""
    window = end - start
    base: FloatArray = fit.background * window
    past = history.before(start)
    if len(past) == 0 or fit.theta <= 0:
        return base
    weight = fit.theta * (
        np.exp(-fit.omega * (start - past.t)) - np.exp(-fit.omega * (end - past.t))
    )
    live = weight > 1e-9
    triggered = gaussian_mass(grid, past.x[live], past.y[live], fit.sigma, weight[live])
    result: FloatArray = base + triggered
    return result


# --- walk-forward evaluation -------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    bandwidth_m: float
    retro_bandwidth_m: float = RETRO_BANDWIDTH_M
    training_days: float = 365.0
    space_cells: float = 8.0  # prospective: 400 m on 50 m cells; see space_cells_for
    time_weeks: int = BOWERS_WEEKS
    retro_window_days: float = RETRO_WINDOW_DAYS
    sepp_iterations: int = 40
    sampled_days: bool = False  # the history holds whole sampled days, not a continuous record


def predict(
    model: str,
    grid: Grid,
    history: Events,
    *,
    start: float,
    end: float,
    settings: Settings,
    fitted: SeppFit | None = None,
) -> FloatArray:
    train = history.between(start - settings.training_days, start)
    if model == "naive":
        return naive_counts(grid, train)
    if model == "retro":
        recent = train.between(start - settings.retro_window_days, start)
        return retro_quartic(grid, recent, bandwidth_m=settings.retro_bandwidth_m)
    if model == "prospective":
        return prospective(
            grid, train, now=start, space_cells=settings.space_cells, time_weeks=settings.time_weeks
        )
    if model == "kde":
        return kde(grid, train, bandwidth_m=settings.bandwidth_m)
    if model == "sepp":
        exposure = float(np.unique(np.floor(train.t)).size) if settings.sampled_days else None
        fit = fitted or fit_sepp(
            grid,
            train,
            bandwidth_m=settings.bandwidth_m,
            iterations=settings.sepp_iterations,
            exposure_days=exposure,
        )
        return sepp_expected(fit, grid, start=start, end=end, history=train)
    raise ValueError(f"unknown model {model}")


def ranked_cells(scores: FloatArray, mask: BoolArray, *, seed: int = 0) -> IntArray:
    """Cells of the study area, riskiest first; ties broken at random (not by position)."""
    flat = scores.ravel()
    candidates = np.flatnonzero(mask.ravel())
    jitter = np.random.default_rng(seed).random(candidates.size)
    order = np.lexsort((jitter, -flat[candidates]))
    ranked: IntArray = candidates[order]
    return ranked


def hits_at(
    ranked: IntArray, grid: Grid, actual: Events, coverages: tuple[float, ...]
) -> list[int]:
    cells = grid.cell_of(actual.x, actual.y)
    position = np.full(grid.size, ranked.size, dtype=np.int64)
    position[ranked] = np.arange(ranked.size)
    where = np.where(cells >= 0, position[np.maximum(cells, 0)], ranked.size)
    return [int(np.count_nonzero(where < max(1, math.ceil(c * ranked.size)))) for c in coverages]


@dataclass
class Score:
    windows: int = 0
    events: int = 0
    hits: list[int] = field(default_factory=lambda: [0] * len(COVERAGES))
    seconds: float = 0.0

    def hit_rates(self) -> list[float]:
        return [h / self.events if self.events else 0.0 for h in self.hits]

    def pai(self) -> list[float]:
        return [r / c for r, c in zip(self.hit_rates(), COVERAGES, strict=True)]


def study_mask(grid: Grid, events: Events, *, reach_cells: int = 1) -> BoolArray:
    """The cells where incidents can happen: those with an incident, and their neighbours."""
    counts = naive_counts(grid, events) > 0
    padded = np.pad(counts, reach_cells)
    mask = np.zeros_like(counts)
    for dr in range(2 * reach_cells + 1):
        for dc in range(2 * reach_cells + 1):
            mask |= padded[dr : dr + grid.rows, dc : dc + grid.cols]
    return mask
