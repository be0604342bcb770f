"""Load through the public API: N units posting fixes and working orders, M calls a minute.

    python bench/load_sim.py            # 40 units, 120 calls/min, 30 s per phase
    python bench/load_sim.py --quick    # 20 units, 60 calls/min, 10 s per phase

A real uvicorn server on a loopback port over a fresh SQLite file with the Leifeng scenario
and its roads. The baseline phase takes the same calls with no units driving; the ratio is
the intake p95 under load over the baseline's. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import secrets
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

from jingwu.app import create_app
from jingwu.core.config import Settings
from jingwu.core.db import Database
from jingwu.identity import service as identity_service
from jingwu.migrations import upgrade
from jingwu.sim.leifeng import build_scenario
from jingwu.sim.load import LoadConfig, run_load
from jingwu.sim.roads import build_leifeng_roads


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="finish within a minute")
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--calls-per-minute", type=float, default=None)
    parser.add_argument("--duration", type=float, default=None, help="seconds per phase")
    return parser.parse_args()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    args = parse_arguments()
    units = args.units or (20 if args.quick else 40)
    calls = args.calls_per_minute or (60.0 if args.quick else 120.0)
    duration = args.duration or (10.0 if args.quick else 30.0)
    identity_service.use_fast_hashing()  # account setup is not what is measured
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'load.db'}"
        upgrade(url)
        database = Database(url)
        with database.session() as session:
            build_scenario(session, seed=7)
            build_leifeng_roads(session, seed=7)
        port = _free_port()
        settings = Settings(database_url=url, secret_key=secrets.token_hex(16))
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, database), host="127.0.0.1", port=port, log_level="warning"
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        baseline = run_load(
            LoadConfig(base_url=base, units=0, calls_per_minute=calls, duration_s=duration)
        )
        loaded = run_load(
            LoadConfig(
                base_url=base, units=units, calls_per_minute=calls, duration_s=duration, seed=8
            )
        )
        server.should_exit = True
        thread.join(timeout=10)
        database.dispose()
    base_p95 = baseline.latency_ms.get("intake", {}).get("p95", float("nan"))
    load_p95 = loaded.latency_ms.get("intake", {}).get("p95", float("nan"))
    for name, result in (("baseline (calls only)", baseline), (f"{units} units + calls", loaded)):
        figures = result.figures()
        print(
            f"{name}: {figures['calls']} calls ({figures['calls_per_minute']}/min), "
            f"{figures['positions_per_s']} fixes/s, closed {figures['closed']}, "
            f"errors {sum(figures['errors'].values())}"
        )
        for kind, stats in figures["latency_ms"].items():
            print(
                f"  {kind:<10} n={int(stats['n']):>6} p50 {stats['p50']:>7.1f} ms p95 {stats['p95']:>7.1f} ms"
            )
    ratio = load_p95 / base_p95 if base_p95 else float("nan")
    print(f"intake p95 under load / baseline: {ratio:.2f}×")
    json.dump(
        {
            "bench": "load_sim",
            "units": units,
            "calls_per_minute": calls,
            "duration_s": duration,
            "baseline_intake_p95_ms": base_p95,
            "load_intake_p95_ms": load_p95,
            "ratio_p95_load_vs_baseline": round(ratio, 3),
            "positions_per_s": loaded.figures()["positions_per_s"],
            "calls_made": loaded.calls,
            "closed": loaded.closed,
            "errors": sum(loaded.errors.values()),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
