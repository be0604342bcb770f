#!/usr/bin/env python3
"""The two commands of the README: `python3 run.py demo` and `python3 run.py test`.

Needs only Python 3.11+. On first use it makes `.venv/` from the committed lock file
(`requirements.lock` to run, `requirements-dev.lock` to test; every package pinned with its hash) and installs jingwu into it;
later runs reuse it until the lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"  # what the station runs on
DEV_LOCK = ROOT / "requirements-dev.lock"  # plus what the tests and checks need
STAMP = VENV / ".jingwu-lock-sha256"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")

CHECKS: list[list[str]] = [
    ["ruff", "check", "src", "tests", "bench"],
    ["ruff", "format", "--check", "src", "tests", "bench"],
    ["mypy"],
    ["lint-imports"],
]


def _lock_digest(lock: Path) -> str:
    text = lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes()
    return hashlib.sha256(text).hexdigest()


def ensure_venv(lock: Path) -> None:
    """Install `lock` into .venv unless it (or the dev lock, a superset) is already there."""
    if sys.version_info < (3, 11):
        sys.exit("jingwu needs Python 3.11 or newer (found %s)" % sys.version.split()[0])
    installed = STAMP.read_text() if STAMP.exists() else ""
    if installed in {_lock_digest(lock), _lock_digest(DEV_LOCK)}:
        return
    print(f"· preparing .venv from {lock.name} (the first run takes a few minutes)…", flush=True)
    if not (BIN / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--require-hashes", "-r", str(lock)], check=True)
    subprocess.run([*pip, "install", "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    STAMP.write_text(_lock_digest(lock))


def run_tests(extra: list[str]) -> int:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    for check in CHECKS:
        print("·", " ".join(check), flush=True)
        if subprocess.run(check, cwd=ROOT, env=env).returncode != 0:
            print(f"✗ {check[0]} failed", flush=True)
            return 1
    code = subprocess.run([str(BIN / "python"), "-m", "pytest", *extra], cwd=ROOT, env=env).returncode
    if code == 5:
        print("✗ pytest collected no tests: that is a failure, not a pass", flush=True)
        return 1
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "jingwu"}:
        print("usage: python3 run.py demo [options] | python3 run.py test [pytest args]")
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv(DEV_LOCK if command == "test" else LOCK)
    if command == "test":
        return run_tests(rest)
    args = ["demo", *rest] if command == "demo" else rest
    return subprocess.run([str(BIN / "jingwu"), *args], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
