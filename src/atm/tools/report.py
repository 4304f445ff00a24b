"""`atm report`: gather, build, then JSON, an HTML page, or the terminal summary."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from atm.clock import WallClock, local, zone_of
from atm.config import Config
from atm.errors import InputError, UsageError
from atm.fileio import write_atomic
from atm.report import period as period_mod
from atm.report.build import build, to_json
from atm.report.data import gather
from atm.report.terminal import print_report
from atm.workspace import Workspace


def run_report(
    ws: Workspace,
    config: Config,
    console: Console,
    *,
    week: str | None = None,
    since: str | None = None,
    until: str | None = None,
    as_json: bool = False,
    html: Path | None = None,
    journal: Path | None = None,
) -> int:
    zone = zone_of(config.schedule.timezone)
    now = local(WallClock().time(), config.schedule.timezone)
    if week and (since or until):
        raise UsageError("--week: give either --week or --from/--to, not both")
    if week:
        span = period_mod.week(week, zone)
    elif since or until:
        span = period_mod.dates(since, until, zone, now)
    else:
        span = period_mod.current_week(now.astimezone(zone))
    data = gather(ws, span, zone, config.schedule.timezone, journal=journal)
    report = build(data)
    if html is not None:
        from atm.report.html import render

        page = render(report, zone, html)
        try:
            write_atomic(html, page)
        except OSError as exc:
            raise InputError(f"--html: cannot write {html}: {exc.strerror or exc}") from None
        console.print(f"wrote {html}")
    if as_json:
        print(json.dumps(to_json(report), ensure_ascii=False, indent=1))
    elif html is None:
        print_report(report, console)
    return 0
