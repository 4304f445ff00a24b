"""`atm journal`: prompts alone; `add`, `list`, `edit`, `import`, `signals`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from atm.cli.common import Sub, optional_config, workspace

#: `edit` flags: record field → flag (the values are parsed and checked by atm.journal).
_EDITABLE = {
    "entry": "--entry", "exit": "--exit", "size": "--size", "sl": "--sl", "tp1": "--tp1",
    "tp2": "--tp2", "fees": "--fees", "entry_time": "--entry-time", "exit_time": "--exit-time",
    "alert_price": "--alert-price", "direction": "--direction", "symbol": "--symbol",
    "instrument": "--instrument", "decision": "--decision", "reason": "--reason",
    "note": "--note",
}  # fmt: skip


def register(sub: Sub) -> None:
    p = sub.add_parser("journal", help="the trade journal: prompts, add, list, edit, import")
    _common(p, default=None)
    p.set_defaults(handler=_cmd_prompts)
    actions = p.add_subparsers(dest="journal_command", metavar="ACTION")
    _register_add(actions)
    a = actions.add_parser("list", help="journal records, newest last")
    a.add_argument("--week", metavar="YYYY-WW", help="only this ISO week")
    a.add_argument("--json", action="store_true", help="print JSON")
    _common(a)
    a.set_defaults(handler=_cmd_list)
    a = actions.add_parser("edit", help="change fields of a record (a new version)")
    a.add_argument("id", metavar="ID", help="trade id, or the signal id it belongs to")
    for field, flag in _EDITABLE.items():
        a.add_argument(flag, dest=f"set_{field}", metavar="VALUE")
    a.add_argument("--tag", dest="set_tags", action="append", metavar="T", help="replaces tags")
    _common(a)
    a.set_defaults(handler=_cmd_edit)
    a = actions.add_parser("import", help="trades from a TradeStation order list or a CSV")
    a.add_argument("source", metavar="FILE", type=Path, help="the file to import")
    a.add_argument("--format", required=True, choices=("tradestation", "csv"))
    a.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD")
    _common(a)
    a.set_defaults(handler=_cmd_import)
    a = actions.add_parser("signals", help="signals from the audit log, and their records")
    a.add_argument("--week", metavar="YYYY-WW", help="only this ISO week")
    a.add_argument("--json", action="store_true", help="print JSON")
    _common(a)
    a.set_defaults(handler=_cmd_signals)


def _common(p: argparse.ArgumentParser, default: Any = argparse.SUPPRESS) -> None:
    """--file and --config, accepted before or after the action."""
    p.add_argument(
        "--file", metavar="PATH", type=Path, default=default, help="journal file (trades.jsonl)"
    )
    p.add_argument(
        "--config", metavar="PATH", type=Path, default=default, help="config (default: active)"
    )


def _register_add(actions: Any) -> None:
    a = actions.add_parser("add", help="record a trade or a skip without prompts")
    which = a.add_mutually_exclusive_group(required=True)
    which.add_argument("--signal", metavar="ID", help="the signal's id (or a unique prefix)")
    which.add_argument("--last", action="store_true", help="the newest signal without a trade")
    which.add_argument("--own", action="store_true", help="a trade taken without a signal")
    what = a.add_mutually_exclusive_group(required=True)
    what.add_argument("--taken", dest="decision", action="store_const", const="taken")
    what.add_argument("--skipped", dest="decision", action="store_const", const="skipped")
    what.add_argument("--false-signal", dest="decision", action="store_const", const="false")
    for flag in ("--entry", "--exit", "--size", "--fees", "--sl", "--entry-time", "--exit-time"):
        a.add_argument(flag, metavar="VALUE")
    a.add_argument("--alert-price", metavar="P", help="the instrument's price when the alert came")
    a.add_argument("--reason", metavar="TEXT", help="why it was skipped")
    a.add_argument("--tag", action="append", default=[], metavar="T")
    a.add_argument("--note", metavar="TEXT", default="")
    a.add_argument("--symbol", metavar="S", help="with --own: the instrument")
    a.add_argument("--direction", metavar="BUY|SELL", help="with --own")
    _common(a)
    a.set_defaults(handler=_cmd_add)


def _book(args: argparse.Namespace) -> Any:
    from atm.tools.journal import open_book

    return open_book(workspace(args), args.file, optional_config(args))


def _cmd_prompts(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.journal_prompt import run_prompts

    return run_prompts(_book(args), console)


def _cmd_add(args: argparse.Namespace, console: Console) -> int:
    from atm.journal.book import AddRequest, add
    from atm.tools.journal import summary

    names = ("entry", "exit", "size", "fees", "sl", "entry_time", "exit_time", "alert_price",
             "reason")  # fmt: skip
    values: dict[str, Any] = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    values |= {"tags": args.tag, "note": args.note}
    request = AddRequest(args.decision, values, args.signal, args.last, args.symbol,
                         args.direction)  # fmt: skip
    trade = add(_book(args), request)
    print(trade.id)
    console.print(summary(trade), markup=False, highlight=False)
    return 0


def _cmd_list(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.journal import in_week, print_trades

    book = _book(args)
    period = in_week(book, args.week)
    trades = sorted(book.ledger().trades, key=lambda t: t.when)
    chosen = [t for t in trades if period is None or period.contains(t.when)]
    print_trades(chosen, book, console, args.json)
    return 0


def _cmd_edit(args: argparse.Namespace, console: Console) -> int:
    from atm.journal.book import edit
    from atm.tools.journal import summary

    raw = {f: getattr(args, f"set_{f}") for f in (*_EDITABLE, "tags")}
    trade = edit(_book(args), args.id, {k: v for k, v in raw.items() if v is not None})
    console.print(summary(trade), markup=False, highlight=False)
    return 0


def _cmd_import(args: argparse.Namespace, console: Console) -> int:
    from atm.errors import InputError
    from atm.journal.book import import_file

    mapping = {}
    for item in args.map:
        column, sep, field = item.rpartition("=")
        if not sep or not column.strip() or not field.strip():
            raise InputError(f"--map: expected COLUMN=FIELD, got {item!r}")
        mapping[column.strip()] = field.strip()
    plan = import_file(_book(args), args.source, args.format, mapping)
    console.print(
        f"imported {len(plan.records)} trades ({plan.linked} linked to signals); "
        f"{plan.duplicates} duplicates skipped"
    )
    return 0


def _cmd_signals(args: argparse.Namespace, console: Console) -> int:
    from atm.tools.journal import in_week, print_signals

    book = _book(args)
    period = in_week(book, args.week)
    found = [s for s in book.signals() if period is None or period.contains(s.ts)]
    print_signals(found, book.ledger(), book, console, args.json)
    return 0
