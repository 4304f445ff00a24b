"""`atm secrets set | delete`: webhook URL and bot token in the OS keyring, not in a file."""

from __future__ import annotations

import argparse

from rich.console import Console

from atm.cli.common import Sub

_NAMES = ("discord", "telegram")


def register(sub: Sub) -> None:
    p = sub.add_parser("secrets", help="keep the Discord URL and Telegram token in the OS keyring")
    ssub = p.add_subparsers(dest="secrets_command", metavar="ACTION", required=True)
    s = ssub.add_parser("set", help="prompt for a secret (not echoed) and store it in the keyring")
    s.add_argument("name", choices=_NAMES)
    s.set_defaults(handler=_cmd_set)
    d = ssub.add_parser("delete", help="remove a secret from the keyring")
    d.add_argument("name", choices=_NAMES)
    d.set_defaults(handler=_cmd_delete)


def _cmd_set(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.secrets import run_secrets_set

    return run_secrets_set(args.name, console)


def _cmd_delete(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.secrets import run_secrets_delete

    return run_secrets_delete(args.name, console)
