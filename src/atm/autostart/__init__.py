"""Starting `atm run` before each session without anyone at the keyboard.

Windows: a Task Scheduler task (`windows.py`), created from generated XML with
`schtasks /Create /XML`; Linux: a systemd user service and timer (`systemd.py`). Both only
*start* ATM a little before the session (`[schedule] lead_minutes`): `atm run --scheduled`
then waits for the exact start in the exchange's zone, skips holidays and stops at the
session's end, early closes included (`atm.schedule`). So the scheduler's own notion of
time zones matters little, which is what makes the Windows side safe (`timing.py`).

Screen capture needs the user's desktop, so both run only while that user is logged in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from atm.errors import UsageError

Target = Literal["windows", "systemd"]
TASK_NAME: Final = "ATM Monitor"  # Task Scheduler task; systemd units are atm.service/.timer

#: Runs a command and returns (exit code, output); tests pass fakes on PATH, not this.
Runner = Callable[[Sequence[str]], tuple[int, str]]


@dataclass(frozen=True, slots=True)
class Launch:
    """What the scheduler starts: `program args…` in `home`, with `env` added."""

    program: str
    args: tuple[str, ...]
    home: Path
    env: tuple[tuple[str, str], ...] = ()


def launch_for(home: Path, target: Target, env: dict[str, str] | None = None) -> Launch:
    """`python -m atm --home HOME run --scheduled`; on Windows `pythonw.exe`, which opens
    no console window; on Linux the X display and its cookie the service needs."""
    program = sys.executable
    if target == "windows":
        windowless = Path(program).with_name("pythonw.exe")
        program = str(windowless) if windowless.exists() else program
    variables = os.environ if env is None else env
    keep = ("DISPLAY", "XAUTHORITY") if target == "systemd" else ()
    passed = tuple((k, variables[k]) for k in keep if variables.get(k))
    return Launch(program, ("-m", "atm", "--home", str(home), "run", "--scheduled"), home, passed)


def default_target() -> Target:
    if sys.platform == "win32":
        return "windows"
    if sys.platform.startswith("linux"):
        return "systemd"
    raise UsageError(f"atm schedule: no scheduler support on {sys.platform}; use cron or launchd")


def run_command(command: Sequence[str]) -> tuple[int, str]:
    """Run a scheduler tool; a missing tool is a `UsageError`, never a traceback."""
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise UsageError(f"{command[0]}: not found on PATH") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"{command[0]}: no answer within 60 s") from None
    return done.returncode, (done.stdout + done.stderr).strip()
