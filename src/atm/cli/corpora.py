"""`atm label`, `atm dryrun`, `atm sim`: making and proving labelled corpora."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from atm.cli.common import (
    Sub,
    between,
    chart_opt,
    config_opt,
    corpus_config,
    load_config,
    share,
    whole,
)


def register(sub: Sub) -> None:
    p = sub.add_parser("label", help="Tk labeler writing DIR/labels.json")
    p.add_argument("dir", type=Path)
    config_opt(p)
    chart_opt(p, "label this chart's dots (writes DIR/labels.NAME.json)")
    p.set_defaults(handler=_cmd_label)
    _register_dryrun(sub)
    _register_sim(sub)


def _register_dryrun(sub: Sub) -> None:
    p = sub.add_parser("dryrun", help="replay a labelled corpus: metrics and the gate")
    p.add_argument("dir", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--min-precision",
        type=share,
        default=1.0,
        metavar="P",
        help="gate: FIRE precision needed, 0..1 (default 1.0)",
    )
    p.add_argument(
        "--min-recall",
        type=share,
        default=0.95,
        metavar="R",
        help="gate: FIRE recall needed, 0..1 (default 0.95)",
    )
    config_opt(p)
    chart_opt(p, "score this chart only (default: every chart with labels)")
    p.set_defaults(handler=_cmd_dryrun)


def _register_sim(sub: Sub) -> None:
    p = sub.add_parser("sim", help="write a labelled simulator corpus")
    p.add_argument("dir", type=Path)
    p.add_argument("--bars", type=whole(1, 100_000), default=200)
    p.add_argument("--scale", type=between(0.5, 4.0), default=1.0, help="DPI scale, 1.0 = 100%%")
    p.add_argument("--seed", type=whole(0, 2**32 - 1), default=1)
    p.add_argument("--theme", choices=("dark", "light"), default="dark")
    v = p.add_argument_group("variations (what real screens do; the config keeps clean values)")
    v.add_argument("--dot-radius", type=between(1, 20), metavar="PX", help="dot radius at 100%%")
    v.add_argument("--spacing", type=between(2, 100), metavar="PX", help="bar spacing at 100%%")
    v.add_argument("--jpeg", type=int, metavar="Q", choices=range(1, 101), help="save as JPEG")
    v.add_argument(
        "--noise", type=between(0, 128), default=0.0, metavar="SIGMA", help="pixel noise"
    )
    v.add_argument(
        "--drift",
        type=whole(0, 255),
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


def _cmd_label(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.label import run_label

    config = load_config(args, args.config or corpus_config(args.dir))
    return run_label(args.dir, config, console, chart=args.chart)


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
    from atm.tools.dryrun import run_dryrun

    return run_dryrun(
        args.dir,
        load_config(args, args.config or corpus_config(args.dir)),
        console,
        as_json=args.json,
        min_precision=args.min_precision,
        min_recall=args.min_recall,
        chart=args.chart,
    )
