"""`atm notify test`: one test message to every configured backend."""

from __future__ import annotations

import argparse

from rich.console import Console

from atm.cli.common import Sub, config_opt, load_config, workspace


def register(sub: Sub) -> None:
    p = sub.add_parser("notify", help="notification tools")
    nsub = p.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    t = nsub.add_parser("test", help="one test message to every configured backend")
    config_opt(t)
    t.set_defaults(handler=_cmd_notify_test)


def _cmd_notify_test(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.notify_test import run_notify_test

    return run_notify_test(load_config(args), workspace(args), console)
