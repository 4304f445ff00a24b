"""`atm run`, `atm debug`, `atm demo`: the monitor, one frame through it, the simulation."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from atm.cli.common import Sub, between, chart_opt, config_opt, load_config, whole, workspace


def register(sub: Sub) -> None:
    p = sub.add_parser("debug", help="one frame through the pipeline, annotated PNG")
    p.add_argument("--delay", metavar="SEC", type=between(0, 3600), default=0.0)
    p.add_argument("--screenshot", metavar="PATH", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    config_opt(p)
    chart_opt(p, "this chart only (default: every chart)")
    p.set_defaults(handler=_cmd_debug)

    p = sub.add_parser("run", help="watch the chart and alert (the main job)")
    p.add_argument("--duration", metavar="H", type=between(0.01, 168), help="stop after H hours")
    p.add_argument("--start-at", metavar="HH:MM", help="wait until this time")
    p.add_argument("--stop-at", metavar="HH:MM", help="stop at this time")
    p.add_argument("--startup-delay", metavar="S", type=between(0, 3600), default=5.0)
    p.add_argument("--replay", metavar="DIR", type=Path, help="frames from a folder")
    p.add_argument(
        "--scheduled",
        action="store_true",
        help="launched by the scheduler: on a day without a session, tell the services too",
    )
    config_opt(p)
    p.set_defaults(handler=_cmd_run)

    p = sub.add_parser("demo", help="the whole pipeline on a simulated two-hour session")
    p.add_argument("--seed", type=whole(0, 2**32 - 1), default=7, help="scenario seed")
    p.set_defaults(handler=_cmd_demo)


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    from atm.schedule import window_for
    from atm.tools.run import run_monitor

    cfg = load_config(args)
    home = workspace(args)
    window = window_for(cfg.schedule, home.calendar, args.start_at, args.stop_at, args.duration)
    return run_monitor(
        cfg,
        home,
        console,
        window=window,
        startup_delay=args.startup_delay,
        replay=args.replay,
        scheduled=args.scheduled,
    )


def _cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.demo import run_demo

    return run_demo(workspace(args), console, seed=args.seed)


def _cmd_debug(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.debug import run_debug

    return run_debug(
        load_config(args),
        workspace(args),
        console,
        args.screenshot,
        args.delay,
        args.json,
        chart=args.chart,
    )
