"""`atm doctor`: is this machine ready to run ATM unattended?"""

from __future__ import annotations

import argparse

from rich.console import Console

from atm.cli.common import Sub, config_opt, workspace


def register(sub: Sub) -> None:
    p = sub.add_parser("doctor", help="check config, screen, services and schedule; one row each")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    config_opt(p)
    p.set_defaults(handler=_cmd_doctor)


def _cmd_doctor(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.doctor import run_doctor

    return run_doctor(workspace(args), console, args.config, args.json)
