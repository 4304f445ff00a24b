"""From what the trader typed to a valid record: parsing, defaults from the signal, rules.

Every error names the flag the value came from (`--exit-time: ... is before the entry`),
so the CLI and the prompts report it in one line. Times are typed in the exchange's zone
(`[schedule] timezone`): `HH:MM[:SS]` on the signal's day, `YYYY-MM-DD HH:MM[:SS]`, or
ISO 8601 with an offset.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date, datetime, time, tzinfo
from typing import Any, Final

from atm.config.journal import SymbolJournal
from atm.errors import InputError
from atm.journal.ids import new_trade_id, trade_id_for_signal
from atm.journal.record import RecordError, Source, Trade, check
from atm.journal.signals import Signal

#: Record field → the flag that sets it (for messages).
FLAGS: Final[dict[str, str]] = {
    "entry": "--entry", "exit": "--exit", "size": "--size", "sl": "--sl", "tp1": "--tp1",
    "tp2": "--tp2", "fees": "--fees", "entry_time": "--entry-time", "exit_time": "--exit-time",
    "alert_price": "--alert-price", "direction": "--direction", "symbol": "--symbol",
    "decision": "--decision", "reason": "--reason", "note": "--note", "tags": "--tag",
    "signal": "--signal", "instrument": "--instrument",
}  # fmt: skip
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


def number(flag: str, text: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise InputError(f"{flag}: expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{flag}: expected a finite number, got {text!r}")
    return value


def moment(flag: str, text: str, day: date, zone: tzinfo) -> datetime:
    """A typed time, aware; a bare clock time is on `day`."""
    text = text.strip()
    try:
        if _CLOCK.match(text):
            return datetime.combine(day, time.fromisoformat(text.zfill(5)), zone)
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{flag}: expected HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS], got {text!r}"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=zone)


def validated(trade: Trade) -> Trade:
    """`trade` if it obeys the record rules, else `InputError` naming the flag."""
    try:
        check(trade)
    except RecordError as exc:
        flag = FLAGS.get(exc.field, exc.field)
        raise InputError(f"{flag}: {str(exc).split(': ', 1)[1]}") from None
    return trade


def for_signal(signal: Signal, settings: SymbolJournal, now: datetime, source: Source) -> Trade:
    """A fresh taken record for `signal`: direction, times, SL/TP and money settings known."""
    levels = signal.levels
    return Trade(
        id=trade_id_for_signal(signal.id),
        decision="taken",
        symbol=signal.symbol or "?",
        instrument=settings.instrument or signal.symbol,
        recorded=now,
        direction=signal.direction,
        signal=signal.id,
        signal_time=signal.ts,
        sl=levels.sl if levels else None,
        tp1=levels.tp1 if levels else None,
        tp2=levels.tp2 if levels else None,
        fees=settings.fee,
        point_value=settings.point_value,
        tick_size=settings.tick_size,
        alert_price=signal.price,
        source=source,
    )


def own(symbol: str, direction: str, settings: SymbolJournal, now: datetime) -> Trade:
    """A trade taken without a signal."""
    if direction.upper() not in ("BUY", "SELL"):
        raise InputError(f"--direction: expected BUY or SELL, got {direction!r}")
    return Trade(
        id=new_trade_id(),
        decision="taken",
        symbol=symbol,
        instrument=settings.instrument or symbol,
        recorded=now,
        direction="BUY" if direction.upper() == "BUY" else "SELL",
        fees=settings.fee,
        point_value=settings.point_value,
        tick_size=settings.tick_size,
    )


def changed(trade: Trade, changes: dict[str, Any], now: datetime, source: Source) -> Trade:
    """`trade` with `changes` applied, as a new version written now by `source`."""
    unknown = set(changes) - set(Trade.__dataclass_fields__)
    if unknown:
        raise InputError(f"{sorted(unknown)[0]}: not a journal field")
    return validated(replace(trade, **changes, recorded=now, source=source))


def skipping(reason: str) -> dict[str, Any]:
    """The changes that turn a record into a skipped one (prices and size cleared)."""
    return {"decision": "skipped", "reason": reason, "entry": None, "exit": None, "size": None,
            "entry_time": None, "exit_time": None}  # fmt: skip


_NUMBERS: Final = ("entry", "exit", "size", "sl", "tp1", "tp2", "fees", "alert_price")
_MOMENTS: Final = ("entry_time", "exit_time")
_WORDS: Final = ("note", "reason", "symbol", "instrument")


def parse_changes(raw: dict[str, Any], day: date, zone: tzinfo) -> dict[str, Any]:
    """Typed record changes from typed text, by record field: numbers, times, words, tags.

    An empty text clears an optional field (`--sl ""`).
    """
    out: dict[str, Any] = {}
    for name, text in raw.items():
        flag = FLAGS.get(name, name)
        if name == "tags":
            out[name] = tuple(t.strip() for t in text if t.strip())
        elif name in _NUMBERS:
            out[name] = number(flag, text) if text.strip() else (0.0 if name == "fees" else None)
        elif name in _MOMENTS:
            out[name] = moment(flag, text, day, zone) if text.strip() else None
        elif name in _WORDS:
            out[name] = text.strip()
        elif name == "direction":
            out[name] = _one_of(flag, text.upper(), ("BUY", "SELL"))
        elif name == "decision":
            out[name] = _one_of(flag, text.lower(), ("taken", "skipped"))
        else:
            raise InputError(f"{flag}: cannot be changed")
    return out


def _one_of(flag: str, text: str, allowed: tuple[str, ...]) -> str:
    if text not in allowed:
        raise InputError(f"{flag}: expected {' or '.join(allowed)}, got {text!r}")
    return text
