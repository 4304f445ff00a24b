"""What every command module shares: the workspace, the config, argument types."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from rich.console import Console

from atm import config as config_mod
from atm.workspace import Workspace

Handler = Callable[[argparse.Namespace, Console], int]
Sub: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def config_opt(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        help="config file (default: the one configs/current.txt names)",
    )


def chart_opt(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--chart", metavar="NAME", help=f"with [[charts]]: {help}")


def workspace(args: argparse.Namespace) -> Workspace:
    return Workspace.resolve(args.home)


def load_config(args: argparse.Namespace, path: Path | None = None) -> config_mod.Config:
    chosen = path or getattr(args, "config", None) or workspace(args).active_config()
    return config_mod.load(chosen)


def corpus_config(folder: Path) -> Path | None:
    """A corpus may carry its own config.toml (the simulator writes one); --config wins."""
    path = folder / "config.toml"
    return path if path.is_file() else None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}")
    return value


def positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


def share(text: str) -> float:
    value = _number(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text}")
    return value


def between(low: float, high: float) -> Callable[[str], float]:
    """An argument type: a finite number from `low` to `high`."""

    def parse(text: str) -> float:
        value = _number(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a number from {low:g} to {high:g}, got {text}"
            )
        return value

    return parse


def whole(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from `low` to `high`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {text[:40]!r}"
            )
        return value

    return parse


def optional_config(args: argparse.Namespace) -> config_mod.Config:
    """`--config`, else the active config, else the defaults: the journal and the report
    work before anything is calibrated."""
    path = getattr(args, "config", None)
    if path is None and (workspace(args).configs / "current.txt").exists():
        path = workspace(args).active_config()
    return config_mod.load(path) if path is not None else config_mod.from_dict({})
