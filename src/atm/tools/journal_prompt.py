"""`atm journal` alone: prompts pre-filled from the newest signal without a trade.

Direction, symbol, signal time and SL/TP (from Phase B) come from the signal, so a taken
trade needs only entry, exit and size typed. A bad value is asked again; Ctrl-C (or end of
input) at any point writes nothing: the record is written once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rich.prompt import Prompt

from atm.errors import InputError
from atm.journal.entry import FLAGS, moment, number
from atm.journal.ids import short
from atm.journal.signals import Signal
from atm.tools.journal import AddRequest, Ctx, Decision, add, pending_signals


def run_prompts(ctx: Ctx) -> int:
    console = ctx.console
    ledger = ctx.ledger()
    waiting = pending_signals(ctx.signals(), ledger)
    try:
        if waiting:
            request = _for_signal(ctx, waiting[-1], ledger.by_signal().get(waiting[-1].id))
        else:
            console.print("No signal is waiting for a trade: recording a trade of your own.")
            request = _own(ctx)
    except EOFError:
        raise KeyboardInterrupt from None
    trade = add(ctx, request)
    console.print(f"recorded {trade.id}")
    return 0


def _for_signal(ctx: Ctx, signal: Signal, record: Any) -> AddRequest:
    console = ctx.console
    when = signal.ts.astimezone(ctx.zone)
    levels = f"; levels {signal.levels.describe()}" if signal.levels else ""
    console.print(
        f"Signal #{short(signal.id)}: {signal.direction} {signal.symbol} at "
        f"{when:%H:%M:%S} on {when:%Y-%m-%d}{levels}",
        markup=False,
    )
    choice = Prompt.ask(
        "Taken, skipped or false signal?",
        choices=["taken", "skipped", "false"],
        default="taken",
        console=console,
    )
    decision: Decision = "taken" if choice == "taken" else "skipped"
    if choice == "false":
        decision = "false"
    sl = signal.levels.sl if signal.levels else (record.sl if record else None)
    day = when.date()
    values = (
        _taken_values(ctx, sl, signal.symbol, day) if decision == "taken" else _skip_values(ctx)
    )
    return AddRequest(decision, values, signal=signal.id)


def _own(ctx: Ctx) -> AddRequest:
    symbol = _ask(ctx, "Instrument", lambda t: t.strip() or _missing("--symbol")).strip()
    direction = Prompt.ask("Direction", choices=["BUY", "SELL"], console=ctx.console)
    values = _taken_values(ctx, None, symbol, ctx.now().date())
    return AddRequest("taken", values, symbol=symbol, direction=direction)


def _taken_values(ctx: Ctx, sl: float | None, symbol: str, day: date) -> dict[str, Any]:
    fee = ctx.settings(symbol).fee

    def clock(name: str) -> Callable[[str], object]:
        return lambda text: moment(FLAGS[name], text, day, ctx.zone) if text.strip() else None

    values = {
        "entry": _ask(ctx, "Entry price", _amount("entry")),
        "exit": _ask(ctx, "Exit price", _amount("exit")),
        "size": _ask(ctx, "Size", _amount("size")),
        "sl": _ask(ctx, "Stop-loss", _amount("sl", optional=True), _text(sl)),
        "fees": _ask(ctx, "Fees", _amount("fees", optional=True, zero=True), f"{fee:g}"),
        "entry_time": _ask(ctx, "Entry time (HH:MM[:SS], empty: unknown)", clock("entry_time"), ""),
        "exit_time": _ask(ctx, "Exit time (HH:MM[:SS], empty: unknown)", clock("exit_time"), ""),
    }
    return values | _notes(ctx)


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _skip_values(ctx: Ctx) -> dict[str, Any]:
    return {"reason": _ask(ctx, "Why skipped (optional)", str, "")} | _notes(ctx)


def _notes(ctx: Ctx) -> dict[str, Any]:
    tags = _ask(ctx, "Tags (comma-separated, optional)", str, "")
    note = _ask(ctx, "Note (optional)", str, "")
    return {"tags": [t for t in tags.split(",") if t.strip()], "note": note}


def _ask(
    ctx: Ctx, question: str, check: Callable[[str], object], default: str | None = None
) -> str:
    """Ask until `check` accepts the answer (it raises `InputError` to refuse)."""
    while True:
        if default is None:
            answer = Prompt.ask(question, console=ctx.console)
        else:
            answer = Prompt.ask(
                question, console=ctx.console, default=default, show_default=bool(default)
            )
        try:
            check(answer)
        except InputError as exc:
            ctx.console.print(f"[red]{exc}[/red]")
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
