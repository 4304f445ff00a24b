"""The task `atm schedule install` writes for a config, and how an installed one differs.

A task installed before `[schedule] start_at`, its time zone, the workspace or the Python
environment changed still starts the old way: ATM would start late, or not at all, and
nothing would say so. `drift` compares what matters — when the task fires and what it
starts — with what `atm schedule install` would write now; `atm doctor` and
`atm schedule show` print the difference.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

from atm.autostart import (
    TASK_NAME,
    Launch,
    Runner,
    Target,
    launch_for,
    run_command,
    systemd,
    windows,
)
from atm.autostart.timing import DAY_NAMES, Trigger, trigger_for
from atm.clock import local
from atm.config import Config
from atm.errors import ConfigError
from atm.schedule import Window, window_for
from atm.workspace import Workspace

_XML = "atm-task.xml"  # the Windows definition's file name, as `--print` shows it


@dataclass(frozen=True, slots=True)
class Task:
    """Everything the schedule commands need, worked out once from the active config."""

    config: Config
    window: Window
    trigger: Trigger
    launch: Launch
    target: Target


def task_for(config: Config, workspace: Workspace, target: Target, now_ts: float) -> Task:
    """The task for `config`; a `ConfigError` when it sets no session start."""
    schedule = config.schedule
    window = window_for(schedule, workspace.calendar)
    if window.start_at is None:
        raise ConfigError(
            f'{config.source}: schedule.start_at: not set; add start_at = "09:30" (and '
            "stop_at) under [schedule] so the scheduler knows when the session starts"
        )
    today = local(now_ts, schedule.timezone).date()
    trigger = trigger_for(window.start_at, schedule.lead_minutes, schedule.timezone, today)
    return Task(config, window, trigger, launch_for(workspace.home, target), target)


def definition(task: Task, today: date) -> dict[str, str]:
    """File name → text of what would be installed."""
    if task.target == "windows":
        return {_XML: windows.task_xml(task.launch, task.trigger, today)}
    return systemd.units(task.launch, task.trigger)


def drift(task: Task, today: date, run: Runner = run_command) -> list[str]:
    """How the installed task differs from `definition(task, today)`, one phrase each
    ("fires …, the config wants …"); empty when it matches or none is installed."""
    try:
        installed = _installed(task.target, run)
        if installed is None:
            return []
        have = _essentials(task.target, installed)
    except (OSError, ET.ParseError, ValueError) as exc:
        return [f"cannot be read ({exc})"]
    want = _essentials(task.target, definition(task, today))
    return [
        f"{what} {have[what]}, the config wants {want[what]}"
        for what in want
        if have[what] != want[what]
    ]


def _installed(target: Target, run: Runner) -> dict[str, str] | None:
    if target == "windows":
        code, out = run(["schtasks", "/Query", "/TN", TASK_NAME, "/XML"])
        return {_XML: out} if code == 0 else None
    folder = systemd.unit_dir()
    paths = [folder / systemd.SERVICE, folder / systemd.TIMER]
    if not all(p.is_file() for p in paths):
        return None
    return {p.name: p.read_text(encoding="utf-8", errors="replace") for p in paths}


def _essentials(target: Target, files: dict[str, str]) -> dict[str, str]:
    """When it fires and what it starts, in the scheduler's own terms."""
    if target == "windows":
        return _task_essentials(files[_XML])
    return {
        "fires": _unit_value(files[systemd.TIMER], "OnCalendar"),
        "starts": _unit_value(files[systemd.SERVICE], "ExecStart"),
    }


def _unit_value(text: str, key: str) -> str:
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() == key:
            return value.strip()
    raise ValueError(f"no {key}= line")


def _task_essentials(xml: str) -> dict[str, str]:
    # schtasks prints a UTF-16 declaration over text already decoded: parse without it
    body = xml.split("?>", 1)[1] if xml.lstrip().startswith("<?xml") else xml
    task = ET.fromstring(body.strip())
    ns = {"t": windows.NS}
    trigger = "t:Triggers/t:CalendarTrigger"
    boundary = task.findtext(f"{trigger}/t:StartBoundary", namespaces=ns)
    days = task.find(f"{trigger}/t:ScheduleByWeek/t:DaysOfWeek", ns)
    if boundary is None or days is None or "T" not in boundary:
        raise ValueError("no weekly calendar trigger")
    names = [d.tag.rsplit("}", 1)[-1] for d in days]
    order = [n for n in DAY_NAMES if n in names]
    command = task.findtext("t:Actions/t:Exec/t:Command", default="", namespaces=ns)
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", default="", namespaces=ns)
    return {
        "fires": f"{','.join(n[:3] for n in order)} {boundary.split('T', 1)[1]} local time",
        "starts": f"{command} {arguments}".strip(),
    }
