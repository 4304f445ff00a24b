"""`atm calibrate`: the wizard (or `--auto`) that writes a versioned config."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from atm.cli.common import Sub, between, workspace


def register(sub: Sub) -> None:
    p = sub.add_parser("calibrate", help="Tk wizard that writes a versioned config")
    p.add_argument("--screenshot", metavar="PATH", type=Path, help="calibrate from an image")
    p.add_argument("--delay", metavar="SEC", type=between(0, 3600), default=3.0, help="countdown")
    p.add_argument("--auto", action="store_true", help="propose ROIs and colours")
    p.add_argument("--yes", action="store_true", help="with --auto: accept without a window")
    p.add_argument(
        "--chart", metavar="NAME", help="add or replace this chart of a [[charts]] config"
    )
    p.set_defaults(handler=_cmd_calibrate)


def _cmd_calibrate(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.calibrate import run_calibrate

    return run_calibrate(
        workspace(args),
        console,
        screenshot=args.screenshot,
        delay=args.delay,
        auto=args.auto,
        yes=args.yes,
        chart=args.chart,
    )
