"""`atm schedule install | show | remove`: glue between the CLI, the session and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich.console import Console
from rich.table import Table

from atm.autostart import TASK_NAME, Launch, Target, launch_for, systemd, windows
from atm.autostart.status import state
from atm.autostart.timing import DAY_NAMES, Trigger, trigger_for
from atm.clock import local
from atm.config import Config
from atm.errors import ConfigError
from atm.schedule import Plan, Window, window_for
from atm.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Setup:
    """Everything the commands need, worked out once from the active config."""

    config: Config
    window: Window
    trigger: Trigger
    launch: Launch
    target: Target


def setup(config: Config, workspace: Workspace, target: Target, now_ts: float) -> Setup:
    schedule = config.schedule
    window = window_for(schedule, workspace.calendar)
    if window.start_at is None:
        raise ConfigError(
            f'{config.source}: schedule.start_at: not set; add start_at = "09:30" (and '
            "stop_at) under [schedule] so the scheduler knows when the session starts"
        )
    today = local(now_ts, schedule.timezone).date()
    trigger = trigger_for(window.start_at, schedule.lead_minutes, schedule.timezone, today)
    return Setup(config, window, trigger, launch_for(workspace.home, target), target)


def definition(s: Setup, today: date) -> dict[str, str]:
    """File name → text of what would be installed."""
    if s.target == "windows":
        return {"atm-task.xml": windows.task_xml(s.launch, s.trigger, today)}
    return systemd.units(s.launch, s.trigger)


def run_install(s: Setup, console: Console, today: date, print_only: bool) -> int:
    files = definition(s, today)
    if print_only:
        for name, text in files.items():
            console.print(f"# {name}", markup=False)
            console.print(text, markup=False, highlight=False, soft_wrap=True)
        return 0
    if s.target == "windows":
        windows.install(files["atm-task.xml"])
        where = f"Task Scheduler task {TASK_NAME!r}"
    else:
        folder = systemd.unit_dir()
        systemd.install(files, folder)
        where = f"{folder / systemd.TIMER} (enabled)"
    console.print(f"installed {where}", markup=False)
    console.print(f"fires {_fires(s.trigger, s.target)}; `atm run` waits for the session")
    return 0


def run_show(s: Setup, console: Console, now_ts: float) -> int:
    zone = s.config.schedule.timezone
    table = Table("session", f"exchange ({zone or 'local'})", "local", "stops", box=None)
    for n, plan in enumerate(s.window.upcoming(now_ts, 3), 1):
        table.add_row(str(n), *_row(plan, zone))
    console.print(table)
    console.print(f"calendar: {s.config.schedule.calendar}", markup=False)
    found = state(s.target)
    hint = " (atm schedule install)" if found == "not installed" else ""
    console.print(f"{_name(s.target)}: {found}{hint}; fires {_fires(s.trigger, s.target)}")
    return 0


def run_remove(target: Target, console: Console) -> int:
    removed = windows.remove() if target == "windows" else systemd.remove(systemd.unit_dir())
    console.print(f"{_name(target)}: {'removed' if removed else 'was not installed'}")
    return 0


def _row(plan: Plan, zone: str) -> tuple[str, str, str]:
    start, here = local(plan.start_ts, zone), datetime.fromtimestamp(plan.start_ts).astimezone()
    stop = "open-ended"
    if plan.stop_ts is not None:
        stop = f"{local(plan.stop_ts, zone):%H:%M}" + (
            f" early: {plan.early}" if plan.early else ""
        )
    return f"{start:%a %Y-%m-%d %H:%M}", f"{here:%a %H:%M %Z}", stop


def _fires(trigger: Trigger, target: Target) -> str:
    if target == "windows":
        return f"{_days(trigger.local_days)} {trigger.local_at:%H:%M} local time"
    return f"{_days(trigger.days)} {trigger.at:%H:%M} {trigger.zone or 'local time'}"


def _days(days: tuple[int, ...]) -> str:
    if days == (0, 1, 2, 3, 4):
        return "Mon–Fri"
    return ",".join(DAY_NAMES[d][:3] for d in days)


def _name(target: Target) -> str:
    return "scheduled task" if target == "windows" else "systemd timer"
