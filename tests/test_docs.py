"""The README documents every CLI command and every setting (a test fails when one is missing)."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from jingwu.cli import app
from jingwu.core.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```", 2)[1].strip().splitlines()
    assert block == ["python3 run.py demo", "python3 run.py test"]


def test_every_cli_command_is_documented() -> None:
    root = get_command(app)
    names = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        names += [f"jingwu {name} {s}" for s in sub] if sub else [f"jingwu {name}"]
    missing = [n for n in names if f"`{n}" not in README]
    assert missing == []


def test_every_setting_is_documented() -> None:
    undocumented = [
        f"JINGWU_{field.upper()}"
        for field in Settings.model_fields
        if f"JINGWU_{field.upper()}" not in README
    ]
    assert undocumented == []
