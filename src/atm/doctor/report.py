"""Run every doctor check in its place and print them: a table, or JSON for scripts."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from atm.doctor import SYMBOL, Check, Context, run_families, screen, services, setup, skip

_STYLE = {"ok": "green", "warn": "yellow", "fail": "red", "skip": "dim"}


def diagnose(ctx: Context) -> list[Check]:
    """Every row, in reading order; the slow families run in parallel meanwhile."""
    config = ctx.config
    families = [screen.family(), *services.families()]
    found = {c.name: c for c in run_families(ctx, families)}
    first = [setup.config_row(ctx)]
    if config is not None:
        first += [setup.secrets_row(config), setup.calibration_row(config, ctx.clock.time())]
    else:
        first += [skip("secrets", "no valid config"), skip("calibration", "no valid config")]
    middle = [found[row] for row in (*screen.ROWS, "discord", *services.TELEGRAM_ROWS)]
    last = [services.clock_skew(ctx), setup.disk_row(ctx)]
    last.append(setup.session_row(ctx, config) if config else skip("session", "no valid config"))
    last += [setup.task_row(ctx), found["dead-man's switch"]]
    return first + middle + last


def exit_code(rows: list[Check]) -> int:
    """0 when nothing failed, 1 otherwise."""
    return 1 if any(r.status == "fail" for r in rows) else 0


def print_table(rows: list[Check], console: Console, elapsed_s: float) -> None:
    table = Table("", "check", "result", "fix", box=None, show_edge=False)
    for row in rows:
        style = _STYLE[row.status]
        cells = (escape(row.name), escape(row.detail), escape(row.fix))
        table.add_row(f"[{style}]{SYMBOL[row.status]}[/]", *cells)
    console.print(table)
    failed = sum(r.status == "fail" for r in rows)
    warned = sum(r.status == "warn" for r in rows)
    console.print(f"{failed} failed, {warned} warnings ({elapsed_s:.1f} s)", markup=False)


def to_json(rows: list[Check], elapsed_s: float) -> str:
    return json.dumps(
        {
            "ok": exit_code(rows) == 0,
            "elapsed_s": round(elapsed_s, 2),
            "checks": [r.as_dict() for r in rows],
        },
        ensure_ascii=False,
    )
