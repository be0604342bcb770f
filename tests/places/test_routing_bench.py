"""bench/routing.py keeps working: a small run ends with one JSON line whose checks passed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "routing.py"


def test_small_routing_bench_prints_its_figures_last() -> None:
    command = [sys.executable, str(BENCH), "--nodes", "3000", "--units", "60", "--incidents", "8"]
    finished = subprocess.run(
        [*command, "--nx-incidents", "2", "--nx-units", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    assert summary["bench"] == "routing"
    assert summary["agree"] is True
    assert summary["nodes"] > 2500
    assert summary["incidents"] == 8
    assert 0 < summary["p50_ms"] <= summary["p99_ms"]
    assert summary["speedup_vs_networkx"] > 1
    assert summary["shortcuts"] > 0
