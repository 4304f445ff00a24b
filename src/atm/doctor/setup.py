"""Doctor checks of the setup on disk: config, secrets, calibration age, free disk space,
today's session on the exchange calendar, the scheduled task."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Final

from atm.autostart import Target, default_target
from atm.autostart.status import state
from atm.autostart.task import drift, task_for
from atm.clock import local
from atm.config import Config
from atm.doctor import Check, Context, fail, ok, skip, warn
from atm.errors import AtmError
from atm.schedule import window_for
from atm.secrets import SECRETS, open_store

CALIBRATION_WARN_DAYS: Final = 30
DISK_WARN: Final = 1 << 30  # 1 GiB: a session of samples and logs is tens of MB
DISK_FAIL: Final = 200 << 20  # 200 MiB: logs may stop being written within a day
_STAMP: Final = re.compile(r"(\d{4}-\d{2}-\d{2}-\d{4})")


def config_row(ctx: Context) -> Check:
    if ctx.config is None:
        return fail("config", ctx.config_error, "fix that key, or `atm config rollback`")
    return ok("config", f"{ctx.config.source}: valid")


def secrets_row(config: Config) -> Check:
    """Where each secret comes from, masked; one line whether the keyring is usable."""
    parts = [
        f"{s.name}: {config.secret_sources.get(s.dotted, 'not set')}" for s in SECRETS.values()
    ]
    store = open_store()[0]
    keyring = f"{store.describe()}" if store else "no OS keyring"
    return ok("secrets", f"{', '.join(parts)} ({keyring})")


def calibration_row(config: Config, now: float) -> Check:
    path = Path(config.source)
    match = _STAMP.search(path.name)
    try:
        when = (
            datetime.strptime(match[1], "%Y-%m-%d-%H%M").timestamp()
            if match
            else path.stat().st_mtime
        )
    except OSError:
        return skip("calibration", "the config file's age is unknown")
    days = (now - when) / 86400
    detail = f"{path.name}, {days:.0f} days old"
    if days > CALIBRATION_WARN_DAYS:
        return warn("calibration", detail, "if the chart layout changed: `atm calibrate --auto`")
    return ok("calibration", detail)


def disk_row(ctx: Context) -> Check:
    try:
        free = shutil.disk_usage(ctx.workspace.home).free
    except OSError as exc:
        return fail("disk", f"cannot read free space of {ctx.workspace.home}: {exc}", "")
    detail = f"{free / (1 << 30):.1f} GB free for logs and samples in {ctx.workspace.home}"
    fix = "free some space: delete old samples/ and logs/"
    if free < DISK_FAIL:
        return fail("disk", detail, fix)
    if free < DISK_WARN:
        return warn("disk", detail, fix)
    return ok("disk", detail)


def session_row(ctx: Context, config: Config) -> Check:
    """Today's session in exchange time: holiday, early close or a normal day."""
    schedule = config.schedule
    try:
        window = window_for(schedule, ctx.workspace.calendar)
    except AtmError as exc:
        return fail("session", str(exc), f"fix {ctx.workspace.calendar}")
    now = ctx.clock.time()
    day = window.day(local(now, schedule.timezone).date())
    zone = schedule.timezone or "local time"
    if not day.open:
        return ok("session", f"no session today ({day.closed})")
    if window.start_at is None:
        return ok("session", "today: open; no [schedule] start_at, `atm run` starts at once")
    plan = window.plan(now)
    detail = f"{plan.describe(now, schedule.timezone)} ({zone}, calendar {schedule.calendar})"
    return ok("session", detail)


def task_row(ctx: Context, target: Target | None = None) -> Check:
    """Installed, and — with a valid config that sets the session's start — the same as
    `atm schedule install` would write now (when it fires, what it starts)."""
    try:
        chosen = target or default_target()
    except AtmError as exc:
        return skip("scheduled task", str(exc))
    found = state(chosen)
    if found != "installed":
        return warn("scheduled task", f"{chosen}: {found}", "`atm schedule install`")
    differs: list[str] = []
    if ctx.config is not None and ctx.config.schedule.start_at:
        try:
            now = ctx.clock.time()
            task = task_for(ctx.config, ctx.workspace, chosen, now)
            differs = drift(task, local(now, ctx.config.schedule.timezone).date())
        except AtmError as exc:
            differs = [f"cannot be compared with the config ({exc})"]
    if differs:
        detail = f"{chosen}: installed, but it {'; '.join(differs)}"
        return warn("scheduled task", detail, "`atm schedule install` again")
    return ok("scheduled task", f"{chosen}: installed for this user")
