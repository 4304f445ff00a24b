"""`atm journal` alone: prompts pre-filled from the newest signal without a trade.

Direction, symbol, signal time and SL/TP (from Phase B) come from the signal, so a taken
trade needs only entry, exit and size typed. A bad value is asked again; Ctrl-C (or end of
input) at any point writes nothing: the record is written once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Console
from rich.prompt import Prompt

from atm.errors import InputError
from atm.journal.book import AddRequest, Book, Decision, add, pending_signals
from atm.journal.entry import FLAGS, moment, number
from atm.journal.ids import short
from atm.journal.signals import Signal


@dataclass(frozen=True, slots=True)
class _Session:
    book: Book
    console: Console


def run_prompts(book: Book, console: Console) -> int:
    s = _Session(book, console)
    ledger = book.ledger()
    waiting = pending_signals(book.signals(), ledger)
    try:
        if waiting:
            request = _for_signal(s, waiting[-1], ledger.by_signal().get(waiting[-1].id))
        else:
            console.print("No signal is waiting for a trade: recording a trade of your own.")
            request = _own(s)
    except EOFError:
        raise KeyboardInterrupt from None
    trade = add(book, request)
    console.print(f"recorded {trade.id}")
    return 0


def _for_signal(s: _Session, signal: Signal, record: Any) -> AddRequest:
    when = signal.ts.astimezone(s.book.zone)
    levels = f"; levels {signal.levels.describe()}" if signal.levels else ""
    s.console.print(
        f"Signal #{short(signal.id)}: {signal.direction} {signal.symbol} at "
        f"{when:%H:%M:%S} on {when:%Y-%m-%d}{levels}",
        markup=False,
    )
    choice = Prompt.ask(
        "Taken, skipped or false signal?",
        choices=["taken", "skipped", "false"],
        default="taken",
        console=s.console,
    )
    decision: Decision = "taken" if choice == "taken" else "skipped"
    if choice == "false":
        decision = "false"
    sl = signal.levels.sl if signal.levels else (record.sl if record else None)
    day = when.date()
    values = _taken_values(s, sl, signal.symbol, day) if decision == "taken" else _skip_values(s)
    return AddRequest(decision, values, signal=signal.id)


def _own(s: _Session) -> AddRequest:
    symbol = _ask(s, "Instrument", lambda t: t.strip() or _missing("--symbol")).strip()
    direction = Prompt.ask("Direction", choices=["BUY", "SELL"], console=s.console)
    values = _taken_values(s, None, symbol, s.book.now().date())
    return AddRequest("taken", values, symbol=symbol, direction=direction)


def _taken_values(s: _Session, sl: float | None, symbol: str, day: date) -> dict[str, Any]:
    fee = s.book.settings(symbol).fee

    def clock(name: str) -> Callable[[str], object]:
        return lambda text: moment(FLAGS[name], text, day, s.book.zone) if text.strip() else None

    values = {
        "entry": _ask(s, "Entry price", _amount("entry")),
        "exit": _ask(s, "Exit price", _amount("exit")),
        "size": _ask(s, "Size", _amount("size")),
        "sl": _ask(s, "Stop-loss", _amount("sl", optional=True), _text(sl)),
        "fees": _ask(s, "Fees", _amount("fees", optional=True, zero=True), f"{fee:g}"),
        "entry_time": _ask(s, "Entry time (HH:MM[:SS], empty: unknown)", clock("entry_time"), ""),
        "exit_time": _ask(s, "Exit time (HH:MM[:SS], empty: unknown)", clock("exit_time"), ""),
    }
    return values | _notes(s)


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _skip_values(s: _Session) -> dict[str, Any]:
    return {"reason": _ask(s, "Why skipped (optional)", str, "")} | _notes(s)


def _notes(s: _Session) -> dict[str, Any]:
    tags = _ask(s, "Tags (comma-separated, optional)", str, "")
    note = _ask(s, "Note (optional)", str, "")
    return {"tags": [t for t in tags.split(",") if t.strip()], "note": note}


def _ask(
    s: _Session, question: str, check: Callable[[str], object], default: str | None = None
) -> str:
    """Ask until `check` accepts the answer (it raises `InputError` to refuse)."""
    while True:
        if default is None:
            answer = Prompt.ask(question, console=s.console)
        else:
            answer = Prompt.ask(
                question, console=s.console, default=default, show_default=bool(default)
            )
        try:
            check(answer)
        except InputError as exc:
            s.console.print(f"[red]{exc}[/red]")
            continue
        return answer


def _amount(name: str, optional: bool = False, zero: bool = False) -> Callable[[str], object]:
    """A check for a price, size or fee: a number above 0 (or 0 itself, for fees)."""

    def check(text: str) -> object:
        if not text.strip():
            return None if optional else _missing(FLAGS[name])
        value = number(FLAGS[name], text)
        if value < 0 or (value == 0 and not zero):
            raise InputError(f"{FLAGS[name]}: must be above 0, got {text}")
        return value

    return check


def _missing(flag: str) -> str:
    raise InputError(f"{flag}: an answer is needed")
