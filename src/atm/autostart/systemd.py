"""The Linux side: a systemd user service and timer in ~/.config/systemd/user/.

The timer's `OnCalendar=` carries the exchange's zone, so it fires at the same exchange
time all year. A user unit runs in the user's manager, so only while they are logged in
(unless lingering is enabled), which screen capture needs anyway; `DISPLAY` and
`XAUTHORITY` are copied from the shell that ran `atm schedule install`, since the user
manager does not always have them. `Restart=on-failure` restarts a run that crashed or
exited with an error; a clean end of session (exit 0) is left alone. `Persistent=true`
starts a run missed while the machine was off, and `atm run` decides if it is still on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from atm.autostart import Launch, Runner, run_command
from atm.autostart.timing import Trigger
from atm.errors import UsageError

SERVICE: Final = "atm.service"
TIMER: Final = "atm.timer"


def unit_dir(env: dict[str, str] | None = None) -> Path:
    variables = os.environ if env is None else env
    base = variables.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def units(launch: Launch, trigger: Trigger) -> dict[str, str]:
    """File name → contents of the service and the timer."""
    command = " ".join(_quote(part) for part in (launch.program, *launch.args))
    environment = "".join(f"Environment={_quote(f'{k}={v}')}\n" for k, v in launch.env)
    service = (
        "[Unit]\n"
        "Description=ATM: watches the chart during the trading session\n"
        "After=graphical-session.target\n\n"
        "[Service]\n"
        "Type=simple\n"
        f"WorkingDirectory={_quote(str(launch.home))}\n"
        f"{environment}"
        f"ExecStart={command}\n"
        "Restart=on-failure\n"
        "RestartSec=60\n"
        "KillSignal=SIGTERM\n"
        "TimeoutStopSec=30\n"
    )
    timer = (
        "[Unit]\n"
        "Description=Start ATM before each trading session\n\n"
        "[Timer]\n"
        f"OnCalendar={trigger.on_calendar()}\n"
        "Persistent=true\n"
        f"Unit={SERVICE}\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {SERVICE: service, TIMER: timer}


def install(files: dict[str, str], folder: Path, run: Runner = run_command) -> str:
    """Write the units, reload the user manager, enable and start the timer."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    _systemctl(run, "daemon-reload")
    return _systemctl(run, "enable", "--now", TIMER)


def remove(folder: Path, run: Runner = run_command) -> bool:
    """Stop and disable the timer and delete both units; False when none was installed."""
    if not (folder / TIMER).exists() and not (folder / SERVICE).exists():
        return False
    run(["systemctl", "--user", "disable", "--now", TIMER])  # may already be disabled
    for name in (TIMER, SERVICE):
        (folder / name).unlink(missing_ok=True)
    _systemctl(run, "daemon-reload")
    return True


def installed(folder: Path, run: Runner = run_command) -> bool:
    if not (folder / TIMER).exists():
        return False
    code, _ = run(["systemctl", "--user", "is-enabled", "--quiet", TIMER])
    return code == 0


def _systemctl(run: Runner, *args: str) -> str:
    code, out = run(["systemctl", "--user", *args])
    if code != 0:
        raise UsageError(f"systemctl --user {' '.join(args)} failed: {out or f'exit {code}'}")
    return out


def _quote(text: str) -> str:
    """A systemd command-line word: quoted when it has spaces, `%` and `\\` escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "%%").replace('"', '\\"')
    return f'"{escaped}"' if any(c.isspace() for c in text) or escaped != text else escaped
