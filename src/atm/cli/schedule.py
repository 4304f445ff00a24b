"""`atm schedule install | show | remove`: start `atm run` before each session."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Console

from atm.cli.common import Sub, config_opt, load_config, workspace

if TYPE_CHECKING:
    from atm.autostart.task import Task

_TARGETS = ("windows", "systemd")


def register(sub: Sub) -> None:
    p = sub.add_parser(
        "schedule", help="start atm run before each session (Task Scheduler, systemd)"
    )
    ssub = p.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    i = ssub.add_parser("install", help="install (or replace) the scheduled task for this user")
    i.add_argument(
        "--print", action="store_true", help="print the task/unit files, install nothing"
    )
    s = ssub.add_parser("show", help="the next three sessions in exchange and local time")
    r = ssub.add_parser("remove", help="remove the scheduled task")
    for q in (i, s, r):
        q.add_argument("--target", choices=_TARGETS, help="default: this system's scheduler")
    for q in (i, s):
        config_opt(q)
    i.set_defaults(handler=_cmd_install)
    s.set_defaults(handler=_cmd_show)
    r.set_defaults(handler=_cmd_remove)


def _cmd_install(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.schedule import run_install

    s, now = _setup(args)
    return run_install(s, console, now.date(), args.print)


def _cmd_show(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.schedule import run_show

    s, now = _setup(args)
    return run_show(s, console, now.timestamp())


def _cmd_remove(args: argparse.Namespace, console: Console) -> int:
    from atm.autostart import default_target
    from atm.tools.schedule import run_remove

    return run_remove(args.target or default_target(), console)


def _setup(args: argparse.Namespace) -> tuple[Task, datetime]:
    from atm.autostart import default_target
    from atm.autostart.task import task_for

    now = datetime.now().astimezone()
    target = args.target or default_target()
    return task_for(load_config(args), workspace(args), target, now.timestamp()), now
