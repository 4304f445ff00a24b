"""`atm run`, `atm debug`, `atm demo`: the monitor, one frame through it, the simulation."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from atm import config as config_mod
from atm.cli.common import Sub, config_opt, load_config, workspace
from atm.errors import CaptureError
from atm.types import Image


def register(sub: Sub) -> None:
    p = sub.add_parser("debug", help="one frame through the pipeline, annotated PNG")
    p.add_argument("--delay", metavar="SEC", type=float, default=0.0)
    p.add_argument("--screenshot", metavar="PATH", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    config_opt(p)
    p.set_defaults(handler=_cmd_debug)

    p = sub.add_parser("run", help="watch the chart and alert (the main job)")
    p.add_argument("--duration", metavar="H", type=float, help="stop after H hours")
    p.add_argument("--start-at", metavar="HH:MM", help="wait until this time")
    p.add_argument("--stop-at", metavar="HH:MM", help="stop at this time")
    p.add_argument("--startup-delay", metavar="S", type=float, default=5.0)
    p.add_argument("--replay", metavar="DIR", type=Path, help="frames from a folder")
    config_opt(p)
    p.set_defaults(handler=_cmd_run)

    p = sub.add_parser("demo", help="the whole pipeline on a simulated two-hour session")
    p.add_argument("--seed", type=int, default=7, help="scenario seed")
    p.set_defaults(handler=_cmd_demo)


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    from atm.schedule import Window
    from atm.tools.run import run_monitor

    cfg = load_config(args)
    window = Window.parse(args.start_at, args.stop_at, args.duration, cfg.schedule.timezone)
    return run_monitor(
        cfg,
        workspace(args),
        console,
        window=window,
        startup_delay=args.startup_delay,
        replay=args.replay,
    )


def _cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.demo import run_demo

    return run_demo(workspace(args), console, seed=args.seed)


def _cmd_debug(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.debug import debug_frame, print_debug
    from atm.vision.image_io import read_image

    cfg = load_config(args)
    if args.screenshot is not None:
        image, source = read_image(args.screenshot), str(args.screenshot)
    else:
        image, source = _grab_screen(cfg, args.delay, console, quiet=args.json), "the screen"
    result = debug_frame(image, cfg, workspace(args))
    print_debug(result, source, console, args.json)
    return 0


def _grab_screen(cfg: config_mod.Config, delay: float, console: Console, quiet: bool) -> Image:
    from atm.capture.dpi import set_dpi_awareness
    from atm.capture.factory import open_capture
    from atm.clock import WallClock

    set_dpi_awareness()
    clock = WallClock()
    if delay > 0 and not quiet:
        console.print(f"capturing in {delay:g} s: bring the chart to the front")
    clock.sleep(delay)
    capture = open_capture(cfg, clock)
    try:
        frame = capture.grab()
    finally:
        capture.close()
    if frame is None:
        raise CaptureError("the capture returned no frame")
    return frame.image
