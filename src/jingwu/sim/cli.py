"""`jingwu simulate`: the living station, or a bounded load, against a running server."""

from __future__ import annotations

import json
import threading
from typing import Annotated

import typer

from jingwu.sim.leifeng import DEMO_PASSWORD
from jingwu.sim.live import LiveSimulator, SimConfig, wait_for_server
from jingwu.sim.load import LoadConfig, run_load


def simulate(
    base_url: Annotated[str, typer.Option(help="the station's address (loopback)")] = (
        "http://127.0.0.1:8000"
    ),
    speed: Annotated[float, typer.Option(help="simulation speed, 1–60×")] = 10.0,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
    duration: Annotated[float, typer.Option(help="stop after this many seconds")] = 60.0,
    load: Annotated[
        bool, typer.Option("--load", help="drive N units and M calls a minute")
    ] = False,
    units: Annotated[int, typer.Option(help="load: units to drive (≤500)")] = 20,
    calls_per_minute: Annotated[float, typer.Option(help="load: calls a minute")] = 30.0,
    password: Annotated[str, typer.Option(help="password of the demo accounts")] = DEMO_PASSWORD,
) -> None:
    """Play callers, dispatcher and crews through the public API; --load for the benchmarks."""
    if not wait_for_server(base_url, timeout_s=15.0):
        typer.secho(f"✗ no station answers at {base_url}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    if load:
        result = run_load(
            LoadConfig(
                base_url=base_url,
                units=units,
                calls_per_minute=calls_per_minute,
                duration_s=duration,
                seed=seed,
                password=password,
            )
        )
        figures = result.figures()
        for kind, stats in figures["latency_ms"].items():
            typer.echo(
                f"  {kind:<10} n={int(stats['n']):>6}  p50 {stats['p50']:>8.1f} ms"
                f"  p95 {stats['p95']:>8.1f} ms  max {stats['max']:>8.1f} ms"
            )
        typer.echo(
            f"  calls {figures['calls']} ({figures['calls_per_minute']}/min) · "
            f"fixes {figures['positions_per_s']}/s · closed {figures['closed']} · "
            f"errors {sum(figures['errors'].values())}"
        )
        typer.echo(json.dumps(figures, ensure_ascii=False))
        return
    simulator = LiveSimulator(
        SimConfig(base_url=base_url, speed=speed, seed=seed, duration_s=duration, password=password)
    )
    simulator.connect()
    typer.echo(
        f"simulating {len(simulator.crews)} crews at {simulator.config.speed}× for {duration} s"
    )
    try:
        stats = simulator.run(threading.Event())
    finally:
        simulator.close()
    typer.echo(json.dumps(dict(stats), ensure_ascii=False))
