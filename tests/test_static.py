"""The code stays lint-clean (ruff) and type-clean (mypy), with the settings in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check_is_clean():
    proc = _run("ruff", "check", "zoning", "tests")
    assert proc.returncode == 0, f"ruff check failed:\n{proc.stdout}{proc.stderr}"


def test_mypy_is_clean():
    proc = _run("mypy", "zoning")
    assert proc.returncode == 0, f"mypy failed:\n{proc.stdout}{proc.stderr}"
