"""`atm schedule install | show | remove`: glue between the CLI, the session and the scheduler."""

from __future__ import annotations

from datetime import date, datetime

from rich.console import Console
from rich.table import Table

from atm.autostart import TASK_NAME, Target, systemd, windows
from atm.autostart.status import state
from atm.autostart.task import Task, definition, drift
from atm.autostart.timing import DAY_NAMES, Trigger
from atm.clock import local
from atm.schedule import Plan


def run_install(s: Task, console: Console, today: date, print_only: bool) -> int:
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


def run_show(s: Task, console: Console, now_ts: float) -> int:
    zone = s.config.schedule.timezone
    table = Table("session", f"exchange ({zone or 'local'})", "local", "stops", box=None)
    for n, plan in enumerate(s.window.upcoming(now_ts, 3), 1):
        table.add_row(str(n), *_row(plan, zone))
    console.print(table)
    console.print(f"calendar: {s.config.schedule.calendar}", markup=False)
    found = state(s.target)
    hint = " (atm schedule install)" if found == "not installed" else ""
    console.print(f"{_name(s.target)}: {found}{hint}; fires {_fires(s.trigger, s.target)}")
    if found == "installed" and (differs := drift(s, local(now_ts, zone).date())):
        console.print(f"but the installed one {'; '.join(differs)}: `atm schedule install` again",
                      markup=False)  # fmt: skip
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
