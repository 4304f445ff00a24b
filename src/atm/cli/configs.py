"""`atm config check | list | use | rollback`: the versioned configs."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from atm.cli.common import Sub, load_config, workspace


def register(sub: Sub) -> None:
    p = sub.add_parser("config", help="config tools")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    c = csub.add_parser("check", help="validate and print the effective config, secrets masked")
    c.add_argument("path", nargs="?", type=Path)
    c.set_defaults(handler=_cmd_check)
    csub.add_parser("list", help="configs, oldest first; * marks the active one").set_defaults(
        handler=_cmd_list
    )
    u = csub.add_parser("use", help="make configs/NAME the active config")
    u.add_argument("name", metavar="NAME")
    u.set_defaults(handler=_cmd_use)
    r = csub.add_parser("rollback", help="make the config before the active one active again")
    r.set_defaults(handler=_cmd_rollback)
    m = csub.add_parser("migrate", help="rewrite a single-chart config in the [[charts]] form")
    m.add_argument("path", nargs="?", type=Path, help="default: the active config")
    m.add_argument("--name", metavar="NAME", help="the chart's name (default: from its symbol)")
    m.set_defaults(handler=_cmd_migrate)


def _cmd_check(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.config_check import print_config

    print_config(load_config(args, args.path), console)
    return 0


def _cmd_list(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.calibrate import run_config_list

    return run_config_list(workspace(args), console)


def _cmd_use(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.calibrate import run_config_use

    return run_config_use(workspace(args), args.name, console)


def _cmd_rollback(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.calibrate import run_config_rollback

    return run_config_rollback(workspace(args), console)


def _cmd_migrate(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.config_migrate import migrate_config

    ws = workspace(args)
    return migrate_config(ws, args.path or ws.active_config(), args.name, console)
