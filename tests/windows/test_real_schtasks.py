"""Windows CI only: `atm schedule install | show | remove` against the real Task Scheduler.
Skipped on a developer's machine (it would replace their task) and off Windows."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from atm.cli import main

pytestmark = pytest.mark.skipif(
    sys.platform != "win32" or not os.environ.get("CI"),
    reason="creates a real scheduled task: Windows CI runners only",
)


def test_the_real_task_scheduler_takes_the_task(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    (home / "configs").mkdir(parents=True)
    (home / "configs" / "a.toml").write_text(
        '[schedule]\ntimezone = "America/New_York"\ncalendar = "NYSE"\n'
        'start_at = "09:30"\nstop_at = "16:00"\n',
        encoding="utf-8",
    )
    (home / "configs" / "current.txt").write_text("a.toml\n", encoding="utf-8")
    atm = ["--home", str(home), "schedule"]
    try:
        assert main([*atm, "install"]) == 0, capsys.readouterr().err
        assert main([*atm, "show"]) == 0
        assert "scheduled task: installed" in capsys.readouterr().out
    finally:
        assert main([*atm, "remove"]) == 0
    assert "scheduled task: removed" in capsys.readouterr().out
