"""The station's own hotspot map and beat plans, read from its records."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingwu.analytics import beats as beat_design
from jingwu.analytics import hotspots as hs
from jingwu.analytics.frame import load_frame
from jingwu.analytics.schemas import BeatComparisonOut, HotspotCell, HotspotOut
from jingwu.core.clock import as_utc
from jingwu.core.errors import InvalidInput
from jingwu.places.models import Beat, Community

HORIZON_DAYS = {"shift": 8 / 24, "day": 1.0, "week": 7.0}
CELL_M = 150.0
TRAINING_DAYS = 365.0
SHOWN_SHARE = 0.10  # the riskiest tenth of the area goes on the map
DAY_S = 86400.0


def _communities(session: Session) -> list[tuple[int, str, list[list[float]], str | None]]:
    names = dict(session.execute(select(Beat.id, Beat.name)).all())
    return [
        (c.id, c.name, c.boundary, names.get(c.beat_id) if c.beat_id else None)
        for c in session.scalars(select(Community).order_by(Community.code))
    ]


def hotspots(session: Session, *, model: str, horizon: str, start: datetime) -> HotspotOut:
    """Predicted hotspots for the next shift, day or week from ``start``."""
    start = as_utc(start)
    areas = _communities(session)
    if not areas:
        raise InvalidInput("辖区尚未配置村（社区） / no communities configured", code="no_area")
    lat = np.array([p[1] for _, _, ring, _ in areas for p in ring])
    lon = np.array([p[0] for _, _, ring, _ in areas for p in ring])
    grid = hs.grid_over(lat, lon, cell_m=CELL_M)
    frame = load_frame(session, start=start - timedelta(days=TRAINING_DAYS), end=start)
    events = hs.events_of(grid, frame.t / DAY_S, frame.lat, frame.lon)
    t0 = start.timestamp() / DAY_S
    t1 = t0 + HORIZON_DAYS[horizon]
    settings = hs.Settings(
        bandwidth_m=250.0,
        retro_bandwidth_m=400.0,
        training_days=TRAINING_DAYS,
        space_cells=hs.space_cells_for(CELL_M),
        time_weeks=hs.BOWERS_WEEKS,
    )
    params: dict[str, float] = {}
    fitted = None
    if model == "sepp" and len(events) >= 20:
        fitted = hs.fit_sepp(grid, events, bandwidth_m=settings.bandwidth_m)
        params = fitted.params
    scores = (
        hs.predict(model, grid, events, start=t0, end=t1, settings=settings, fitted=fitted)
        if len(events)
        else np.zeros((grid.rows, grid.cols))
    )
    mask = np.zeros((grid.rows, grid.cols), dtype=np.bool_)
    for index in range(grid.size):
        south, west, north, east = grid.bounds(index)
        mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
        mask.ravel()[index] = any(
            min(p[1] for p in ring) <= mid_lat <= max(p[1] for p in ring)
            and min(p[0] for p in ring) <= mid_lon <= max(p[0] for p in ring)
            for _, _, ring, _ in areas
        )
    ranked = hs.ranked_cells(scores, mask)
    shown = ranked[: max(1, int(len(ranked) * SHOWN_SHARE))]
    cells = []
    for rank, index in enumerate(shown, start=1):
        south, west, north, east = grid.bounds(int(index))
        row, col = divmod(int(index), grid.cols)
        cells.append(
            HotspotCell(
                row=row,
                col=col,
                south=south,
                west=west,
                north=north,
                east=east,
                score=round(float(scores.ravel()[index]), 5),
                rank=rank,
            )
        )
    expected = float(scores[mask].sum()) if model in ("sepp",) else float("nan")
    return HotspotOut(
        model=model,
        horizon=horizon,
        start=start,
        end=start + timedelta(days=HORIZON_DAYS[horizon]),
        cell_m=CELL_M,
        events_used=len(events),
        expected_events=round(expected, 2) if expected == expected else -1.0,
        cells=cells,
        params=params,
    )


def beat_plans(
    session: Session, *, k: int, until: datetime, days: int = 365, grid: int = 0
) -> BeatComparisonOut:
    """Beat plans from the workload of the last ``days`` days, over the communities
    (``grid`` 0) or a ``grid`` × ``grid`` grid of cells laid over them."""
    frame = load_frame(session, start=as_utc(until) - timedelta(days=days), end=as_utc(until))
    communities = _communities(session)
    areas = (
        beat_design.grid_areas(communities, frame, side=grid)
        if grid
        else beat_design.areas_from(communities, frame)
    )
    if not areas:
        raise InvalidInput("辖区尚未配置村（社区） / no communities configured", code="no_area")
    return beat_design.design(areas, k=k)
