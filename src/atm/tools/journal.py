"""`atm journal list/signals` tables, one-line summaries and warnings: the journal's output."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from atm.config import Config
from atm.journal.book import Book, is_open
from atm.journal.ids import short
from atm.journal.outcome import pnl, r_multiple
from atm.journal.record import Trade, to_json
from atm.journal.signals import Signal
from atm.journal.store import Ledger
from atm.report import period as period_mod
from atm.workspace import Workspace


def open_book(ws: Workspace, path: Path | None, config: Config) -> Book:
    """The journal of `ws` (or `path`); skipped lines are warned about on stderr."""
    return Book(ws, path or ws.journal, config, warn=_warn)


def _warn(text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


def in_week(book: Book, week: str | None) -> period_mod.Period | None:
    return period_mod.week(week, book.zone) if week else None


def trade_json(trade: Trade) -> dict[str, Any]:
    return {**to_json(trade), "pnl": pnl(trade), "r": r_multiple(trade)}


def print_trades(trades: Sequence[Trade], book: Book, console: Console, as_json: bool) -> None:
    if as_json:
        print(json.dumps([trade_json(t) for t in trades], ensure_ascii=False, indent=1))
        return
    table = Table("id", "when", "instrument", "side", "decision", "entry", "exit", "size",
                  "P&L", "R", "signal", title=f"{len(trades)} records in {book.path}")  # fmt: skip
    for t in trades:
        money, r = pnl(t), r_multiple(t)
        table.add_row(
            t.id, f"{t.when.astimezone(book.zone):%Y-%m-%d %H:%M}", t.instrument or t.symbol,
            t.direction or "", state(t), _num(t.entry), _num(t.exit), _num(t.size),
            "" if money is None else f"{money:+.2f}", "" if r is None else f"{r:+.2f}",
            f"#{short(t.signal)}" if t.signal else "own",
        )  # fmt: skip
    console.print(table)


def summary(trade: Trade) -> str:
    """One line: id, side, instrument, state, prices, P&L and R."""
    money, r = pnl(trade), r_multiple(trade)
    parts = [trade.id, trade.direction or "", trade.instrument or trade.symbol, state(trade)]
    parts += [f"{k} {_num(v)}" for k, v in (("entry", trade.entry), ("exit", trade.exit),
              ("size", trade.size), ("SL", trade.sl)) if v is not None]  # fmt: skip
    parts += [
        f"P&L {money:+.2f}" if money is not None else "",
        f"R {r:+.2f}" if r is not None else "",
    ]
    return "  ".join(p for p in parts if p)


def print_signals(
    found: Sequence[Signal], ledger: Ledger, book: Book, console: Console, as_json: bool
) -> None:
    records = ledger.by_signal()
    if as_json:
        rows = [_signal_json(s, records.get(s.id)) for s in found]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table("signal", "time", "side", "symbol", "colour", "levels", "journal",
                  title=f"{len(found)} signals")  # fmt: skip
    for s in found:
        record = records.get(s.id)
        table.add_row(f"#{short(s.id)}", f"{s.ts.astimezone(book.zone):%Y-%m-%d %H:%M:%S}",
                      s.direction, s.symbol, s.color or "", s.levels.describe() if s.levels else "",
                      _journaled(record))  # fmt: skip
    console.print(table)


def _signal_json(s: Signal, record: Trade | None) -> dict[str, Any]:
    levels = s.levels
    return {
        "id": s.id, "short": short(s.id), "ts": s.ts.isoformat(), "direction": s.direction,
        "symbol": s.symbol, "color": s.color, "screenshot": s.screenshot,
        "levels": None if levels is None else
        {"sl": levels.sl, "tp1": levels.tp1, "tp2": levels.tp2, "partial": levels.partial},
        "trade": None if record is None else record.id,
        "decision": None if record is None else _journaled(record),
    }  # fmt: skip


def _journaled(record: Trade | None) -> str:
    return "—" if record is None else f"{record.id} {state(record)}"


def state(trade: Trade) -> str:
    """taken, taken (open), skipped or false signal."""
    if trade.false_signal:
        return "false signal"
    return trade.decision + (" (open)" if is_open(trade) else "")


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
