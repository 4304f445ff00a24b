"""The `atm` command line: a parser and one small `_cmd_<name>` per command.

`main()` is the one place that turns errors into exit codes: 0 success, 1 a gate or a run
failed, 2 bad usage, config or input — one line naming what and where, no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from rich.console import Console

from atm import __version__
from atm import config as config_mod
from atm.capture.base import Image
from atm.errors import AtmError, CaptureError, NotImplementedYet
from atm.workspace import Workspace

Handler = Callable[[argparse.Namespace, Console], int]

#: Commands whose issue has not landed yet, and where to follow them.
_PENDING = {
    "journal": "the trade journal (a later issue)",
    "report": "the weekly report (a later issue)",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
        return exc.code if isinstance(exc.code, int) else 2
    console = Console(highlight=False)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args, console)
    except AtmError as exc:
        # plain stderr, not rich: one unwrapped line, whatever the terminal width
        print(f"atm {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("atm: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atm",
        description="Watches the M2D MAPS strip of a TradeStation chart and alerts on "
        "Discord/Telegram. It never places a trade.",
    )
    parser.add_argument("--version", action="version", version=f"atm {__version__}")
    parser.add_argument("--home", metavar="DIR", help="workspace folder (default: $ATM_HOME or .)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (
        _add_calibrate,
        _add_debug,
        _add_label,
        _add_dryrun,
        _add_run,
        _add_demo,
        _add_sim,
        _add_notify,
        _add_config,
        _add_journal,
        _add_report,
    ):
        add(sub)
    return parser


Sub: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _config_opt(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        help="config file (default: the one configs/current.txt names)",
    )


def _add_calibrate(sub: Sub) -> None:
    p = sub.add_parser("calibrate", help="Tk wizard that writes a versioned config")
    p.add_argument("--screenshot", metavar="PATH", type=Path, help="calibrate from an image")
    p.add_argument("--delay", metavar="SEC", type=float, default=3.0, help="countdown")
    p.add_argument("--auto", action="store_true", help="propose ROIs and colours")
    p.add_argument("--yes", action="store_true", help="with --auto: accept without a window")
    p.set_defaults(handler=_cmd_calibrate)


def _add_debug(sub: Sub) -> None:
    p = sub.add_parser("debug", help="one frame through the pipeline, annotated PNG")
    p.add_argument("--delay", metavar="SEC", type=float, default=0.0)
    p.add_argument("--screenshot", metavar="PATH", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    _config_opt(p)
    p.set_defaults(handler=_cmd_debug)


def _add_label(sub: Sub) -> None:
    p = sub.add_parser("label", help="Tk labeler writing DIR/labels.json")
    p.add_argument("dir", type=Path)
    _config_opt(p)
    p.set_defaults(handler=_cmd_label)


def _add_dryrun(sub: Sub) -> None:
    p = sub.add_parser("dryrun", help="replay a labelled corpus: metrics and the gate")
    p.add_argument("dir", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--min-precision",
        type=_share,
        default=1.0,
        metavar="P",
        help="gate: FIRE precision needed, 0..1 (default 1.0)",
    )
    p.add_argument(
        "--min-recall",
        type=_share,
        default=0.95,
        metavar="R",
        help="gate: FIRE recall needed, 0..1 (default 0.95)",
    )
    _config_opt(p)
    p.set_defaults(handler=_cmd_dryrun)


def _add_run(sub: Sub) -> None:
    p = sub.add_parser("run", help="watch the chart and alert (the main job)")
    p.add_argument("--duration", metavar="H", type=float, help="stop after H hours")
    p.add_argument("--start-at", metavar="HH:MM", help="wait until this time")
    p.add_argument("--stop-at", metavar="HH:MM", help="stop at this time")
    p.add_argument("--startup-delay", metavar="S", type=float, default=5.0)
    p.add_argument("--replay", metavar="DIR", type=Path, help="frames from a folder")
    _config_opt(p)
    p.set_defaults(handler=_cmd_run)


def _add_demo(sub: Sub) -> None:
    p = sub.add_parser("demo", help="the whole pipeline on a simulated two-hour session")
    p.add_argument("--seed", type=int, default=7, help="scenario seed")
    p.set_defaults(handler=_cmd_demo)


def _add_sim(sub: Sub) -> None:
    p = sub.add_parser("sim", help="write a labelled simulator corpus")
    p.add_argument("dir", type=Path)
    p.add_argument("--bars", type=int, default=200)
    p.add_argument("--scale", type=float, default=1.0, help="DPI scale, 1.0 = 100%%")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--theme", choices=("dark", "light"), default="dark")
    v = p.add_argument_group("variations (what real screens do; the config keeps clean values)")
    v.add_argument("--dot-radius", type=_positive, metavar="PX", help="dot radius at 100%%")
    v.add_argument("--spacing", type=_positive, metavar="PX", help="bar spacing at 100%%")
    v.add_argument("--jpeg", type=int, metavar="Q", choices=range(1, 101), help="save as JPEG")
    v.add_argument("--noise", type=_positive, default=0.0, metavar="SIGMA", help="pixel noise")
    v.add_argument(
        "--drift",
        type=int,
        default=0,
        metavar="N",
        help="move dot colours up to ±N per channel from the calibrated ones",
    )
    v.add_argument(
        "--clip-edge",
        action="store_true",
        help="cut the strip ROI through the current dot (half visible)",
    )
    p.set_defaults(handler=_cmd_sim)


def _add_notify(sub: Sub) -> None:
    p = sub.add_parser("notify", help="notification tools")
    nsub = p.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    t = nsub.add_parser("test", help="one test message to every configured backend")
    _config_opt(t)
    t.set_defaults(handler=_cmd_notify_test)


def _add_config(sub: Sub) -> None:
    p = sub.add_parser("config", help="config tools")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    c = csub.add_parser("check", help="validate and print the effective config, secrets masked")
    c.add_argument("path", nargs="?", type=Path)
    c.set_defaults(handler=_cmd_config_check)
    csub.add_parser("list", help="configs, oldest first; * marks the active one").set_defaults(
        handler=_cmd_config_list
    )
    u = csub.add_parser("use", help="make configs/NAME the active config")
    u.add_argument("name", metavar="NAME")
    u.set_defaults(handler=_cmd_config_use)
    r = csub.add_parser("rollback", help="make the config before the active one active again")
    r.set_defaults(handler=_cmd_config_rollback)


def _add_journal(sub: Sub) -> None:
    p = sub.add_parser("journal", help="record a trade in the journal")
    p.add_argument("--file", metavar="PATH", type=Path)
    p.set_defaults(handler=_pending)


def _add_report(sub: Sub) -> None:
    p = sub.add_parser("report", help="weekly summary with charts")
    p.add_argument("--week", metavar="YYYY-WW")
    p.add_argument("--file", metavar="PATH", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_pending)


# -- handlers ------------------------------------------------------------------------------


def _pending(args: argparse.Namespace, console: Console) -> int:
    raise NotImplementedYet(f"not available yet: {_PENDING[args.command]} has not landed")


def _workspace(args: argparse.Namespace) -> Workspace:
    return Workspace.resolve(args.home)


def _load_config(args: argparse.Namespace, path: Path | None = None) -> config_mod.Config:
    chosen = path or getattr(args, "config", None) or _workspace(args).active_config()
    return config_mod.load(chosen)


def _cmd_config_check(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.config_check import print_config

    cfg = _load_config(args, args.path)
    print_config(cfg, console)
    return 0


def _cmd_config_list(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.calibrate import run_config_list

    return run_config_list(_workspace(args), console)


def _cmd_config_use(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.calibrate import run_config_use

    return run_config_use(_workspace(args), args.name, console)


def _cmd_config_rollback(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.calibrate import run_config_rollback

    return run_config_rollback(_workspace(args), console)


def _cmd_calibrate(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.calibrate import run_calibrate

    return run_calibrate(
        _workspace(args),
        console,
        screenshot=args.screenshot,
        delay=args.delay,
        auto=args.auto,
        yes=args.yes,
    )


def _cmd_label(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.label import run_label

    return run_label(args.dir, _load_config(args, args.config or _corpus_config(args.dir)), console)


def _cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.demo import run_demo

    return run_demo(_workspace(args), console, seed=args.seed)


def _cmd_sim(args: argparse.Namespace, console: Console) -> int:
    from atm.sim.effects import Variation
    from atm.tools.sim_corpus import write_sim_corpus

    variation = Variation(
        dot_radius=args.dot_radius,
        bar_spacing=args.spacing,
        jpeg=args.jpeg,
        noise=args.noise,
        drift=args.drift,
        clip_edge=args.clip_edge,
    )
    return write_sim_corpus(
        args.dir, args.bars, args.scale, args.seed, args.theme, variation, console
    )


def _cmd_dryrun(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.dryrun import evaluate, to_json
    from atm.tools.dryrun_view import print_report
    from atm.tools.progress import bar

    cfg = _load_config(args, args.config or _corpus_config(args.dir))
    with bar(console, "replaying", enabled=not args.json) as progress:
        result = evaluate(
            args.dir,
            cfg,
            min_precision=args.min_precision,
            min_recall=args.min_recall,
            progress=progress,
        )
    if args.json:
        console.print_json(data=to_json(result))
    else:
        print_report(result, str(args.dir), console)
    return 0 if result.passed else 1


def _corpus_config(folder: Path) -> Path | None:
    """A corpus may carry its own config.toml (the simulator writes one); --config wins."""
    path = folder / "config.toml"
    return path if path.is_file() else None


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text}")
    return value


def _cmd_debug(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.debug import debug_frame, print_debug
    from atm.vision.image_io import read_image

    cfg = _load_config(args)
    if args.screenshot is not None:
        image, source = read_image(args.screenshot), str(args.screenshot)
    else:
        image, source = _grab_screen(cfg, args.delay, console, quiet=args.json), "the screen"
    result = debug_frame(image, cfg, _workspace(args))
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


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    from atm.schedule import Window
    from atm.tools.run import run_monitor

    cfg = _load_config(args)
    window = Window.parse(args.start_at, args.stop_at, args.duration, cfg.schedule.timezone)
    return run_monitor(
        cfg,
        _workspace(args),
        console,
        window=window,
        startup_delay=args.startup_delay,
        replay=args.replay,
    )


def _cmd_notify_test(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.notify_test import run_notify_test

    return run_notify_test(_load_config(args), _workspace(args), console)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
