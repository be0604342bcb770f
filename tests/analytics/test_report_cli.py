"""`jingwu report`: a review generated, kept and written as PDF and XLSX; `--due` is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jingwu.cli import app
from jingwu.core.db import Database
from tests.analytics.conftest import utc


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_report_writes_files_and_due_runs_once(
    station: Database, history: Callable[..., int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history(start=utc(2026, 3, 1), days=10, per_day=4, seed=2)
    monkeypatch.setenv("JINGWU_DATABASE_URL", station.url)
    monkeypatch.setenv("JINGWU_DEMO", "1")
    runner = CliRunner()
    made = runner.invoke(app, ["report", "week", "--on", "2026-03-04", "--out", str(tmp_path)])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "review-week-2026-03-02.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "review-week-2026-03-02.xlsx").exists()
    assert "本期共接报有效警情" in made.output
    first = runner.invoke(app, ["report", "--due"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["report", "--due"])
    assert "nothing due" in again.output
    bad = runner.invoke(app, ["report", "year"])
    assert bad.exit_code == 2
