"""Commands whose issue has not landed yet: they say so in one line and exit 2."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from atm.cli.common import Sub
from atm.errors import NotImplementedYet

#: Where each pending command will come from.
_PENDING = {
    "journal": "the trade journal (a later issue)",
    "report": "the weekly report (a later issue)",
}


def register(sub: Sub) -> None:
    p = sub.add_parser("journal", help="record a trade in the journal")
    p.add_argument("--file", metavar="PATH", type=Path)
    p.set_defaults(handler=_pending)
    p = sub.add_parser("report", help="weekly summary with charts")
    p.add_argument("--week", metavar="YYYY-WW")
    p.add_argument("--file", metavar="PATH", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_pending)


def _pending(args: argparse.Namespace, console: Console) -> int:
    raise NotImplementedYet(f"not available yet: {_PENDING[args.command]} has not landed")
