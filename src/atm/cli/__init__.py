"""The `atm` command line: a parser, and one small module per command group.

`main()` is the one place that turns errors into exit codes: 0 success, 1 a gate or a run
failed, 2 bad usage, config or input — one line naming what and where, no traceback.
Each module in this package registers its commands (`register(sub)`) with a handler that
imports the tool it calls only when it runs, so `atm --help` loads no heavy library.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from rich.console import Console

from atm import __version__
from atm.cli import (
    calibrate,
    configs,
    corpora,
    doctor,
    journal,
    notify,
    report,
    run,
    schedule,
    secrets,
)
from atm.cli.common import Handler
from atm.errors import AtmError, os_reason

#: Command groups in the order `atm --help` lists them.
COMMANDS = (calibrate, run, schedule, doctor, corpora, notify, configs, secrets, journal, report)


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
    except OSError as exc:  # a file a command had to read or write: a read-only folder...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"atm {args.command}: {where}{os_reason(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("atm: interrupted", file=sys.stderr)
        return 130


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (argparse prints the whole usage first); the subcommands'
    parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="atm",
        description="Watches the M2D MAPS strip of a TradeStation chart and alerts on "
        "Discord/Telegram. It never places a trade.",
    )
    parser.add_argument("--version", action="version", version=f"atm {__version__}")
    parser.add_argument("--home", metavar="DIR", help="workspace folder (default: $ATM_HOME or .)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMANDS:
        group.register(sub)
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
