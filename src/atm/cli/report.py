"""`atm report`: the week (or dates) in figures — terminal, `--json`, or `--html PATH`."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from atm.cli.common import Sub, config_opt, optional_config, workspace


def register(sub: Sub) -> None:
    p = sub.add_parser("report", help="weekly summary with charts: statistics, funnel, go/no-go")
    p.add_argument("--week", metavar="YYYY-WW", help="ISO week in [schedule] timezone")
    p.add_argument("--from", dest="since", metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="until", metavar="DATE", help="last day, YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--html", metavar="PATH", type=Path, help="write a self-contained page")
    p.add_argument("--file", metavar="PATH", type=Path, help="journal file (default: trades.jsonl)")
    config_opt(p)
    p.set_defaults(handler=_cmd_report)


def _cmd_report(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.report import run_report

    return run_report(
        workspace(args),
        optional_config(args),
        console,
        week=args.week,
        since=args.since,
        until=args.until,
        as_json=args.json,
        html=args.html,
        journal=args.file,
    )
