"""The Windows Task Scheduler task: generated XML, registered with `schtasks /Create /XML`.

Choices, each for a reason:
- `InteractiveToken`: runs only while the user is logged on, in their desktop session; a
  task "run whether logged on or not" gets a session with no screen to capture.
- Weekly calendar trigger on the local weekdays at the local time from `timing.py`.
- `StartWhenAvailable`: a PC that was asleep at trigger time starts ATM when it wakes;
  `atm run` then decides whether the session is still on.
- `IgnoreNew`: a second start while ATM runs does nothing.
- `RestartOnFailure` (every 5 min, 3 times): Task Scheduler retries a start that failed;
  a run that crashes later is what the dead-man's switch (`[healthcheck]`) is for.
- `ExecutionTimeLimit` 20 h: never killed mid-session, yet never running for days.
- `pythonw.exe`: no console window appears on the trader's screen.
- Not on battery-saving terms: a laptop on battery still watches the chart.
schtasks wants the file in UTF-16, so it is written that way.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Final

from atm.autostart import TASK_NAME, Launch, Runner, run_command
from atm.autostart.timing import DAY_NAMES, Trigger
from atm.errors import UsageError

NS: Final = "http://schemas.microsoft.com/windows/2004/02/mit/task"
_SETTINGS: Final = (
    ("MultipleInstancesPolicy", "IgnoreNew"),
    ("DisallowStartIfOnBatteries", "false"),
    ("StopIfGoingOnBatteries", "false"),
    ("AllowHardTerminate", "true"),
    ("StartWhenAvailable", "true"),
    ("RunOnlyIfNetworkAvailable", "false"),
    ("AllowStartOnDemand", "true"),
    ("Enabled", "true"),
    ("Hidden", "false"),
    ("RunOnlyIfIdle", "false"),
    ("WakeToRun", "false"),
    ("ExecutionTimeLimit", "PT20H"),
    ("Priority", "7"),
)


def task_xml(launch: Launch, trigger: Trigger, start: date, user: str | None = None) -> str:
    """The task definition (Task Scheduler schema 1.2) as text."""
    ET.register_namespace("", NS)
    task = ET.Element(_q("Task"), {"version": "1.2"})
    info = _sub(task, "RegistrationInfo")
    _sub(info, "Description", "ATM: starts `atm run` before each trading session")
    _sub(info, "URI", "\\" + TASK_NAME)
    calendar = _sub(_sub(task, "Triggers"), "CalendarTrigger")
    _sub(calendar, "StartBoundary", f"{start:%Y-%m-%d}T{trigger.local_at:%H:%M:%S}")
    _sub(calendar, "Enabled", "true")
    weekly = _sub(calendar, "ScheduleByWeek")
    days = _sub(weekly, "DaysOfWeek")
    for day in trigger.local_days:
        _sub(days, DAY_NAMES[day])
    _sub(weekly, "WeeksInterval", "1")
    principal = _sub(_sub(task, "Principals"), "Principal", attrs={"id": "Author"})
    _sub(principal, "UserId", user or _user())
    _sub(principal, "LogonType", "InteractiveToken")
    _sub(principal, "RunLevel", "LeastPrivilege")
    settings = _sub(task, "Settings")
    for name, value in _SETTINGS:
        _sub(settings, name, value)
    restart = _sub(settings, "RestartOnFailure")
    _sub(restart, "Interval", "PT5M")
    _sub(restart, "Count", "3")
    exec_ = _sub(_sub(task, "Actions", attrs={"Context": "Author"}), "Exec")
    _sub(exec_, "Command", launch.program)
    _sub(exec_, "Arguments", subprocess.list2cmdline(launch.args))
    _sub(exec_, "WorkingDirectory", str(launch.home))
    ET.indent(task)
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + ET.tostring(task, encoding="unicode")


def install(xml: str, run: Runner = run_command) -> str:
    """Register (or replace) the task; returns schtasks' answer. `UsageError` if refused."""
    with tempfile.TemporaryDirectory(prefix="atm-task-") as folder:
        path = Path(folder) / "atm-task.xml"
        path.write_text(xml, encoding="utf-16")  # with BOM, as schtasks expects
        code, out = run(["schtasks", "/Create", "/TN", TASK_NAME, "/XML", str(path), "/F"])
    if code != 0:
        raise UsageError(f"schtasks /Create refused the task: {out or f'exit {code}'}")
    return out


def remove(run: Runner = run_command) -> bool:
    """Delete the task; False when there was none."""
    if not installed(run):
        return False
    code, out = run(["schtasks", "/Delete", "/TN", TASK_NAME, "/F"])
    if code != 0:
        raise UsageError(f"schtasks /Delete failed: {out or f'exit {code}'}")
    return True


def installed(run: Runner = run_command) -> bool:
    code, _ = run(["schtasks", "/Query", "/TN", TASK_NAME])
    return code == 0


def _user() -> str:
    domain = os.environ.get("USERDOMAIN")
    name = getpass.getuser()
    return f"{domain}\\{name}" if domain else name


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(
    parent: ET.Element, tag: str, text: str | None = None, attrs: dict[str, str] | None = None
) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), attrs or {})
    if text is not None:
        element.text = text
    return element
