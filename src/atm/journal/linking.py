"""Imported trades into journal records: duplicates skipped, signals found.

A trade is a duplicate when the journal already has its id (the hash of its broker key),
a record with its broker key, or a closed trade with the same instrument, direction,
entry time, prices and size (the same trade typed by hand earlier).

A trade belongs to a signal when the file says so (`signal` column), or when exactly one
signal of the same direction on a chart whose instrument is the trade's fired up to
`LINK_WINDOW` before the entry, and that signal has no closed trade yet: a Taken stub is
completed by the import instead of being left beside a twin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from atm.config.journal import Journal
from atm.errors import InputError
from atm.journal import entry as entry_mod
from atm.journal.ids import resolve, trade_id_for_key
from atm.journal.importers import Imported
from atm.journal.record import Trade
from atm.journal.signals import Signal

LINK_WINDOW: Final = timedelta(minutes=15)


@dataclass(slots=True)
class Plan:
    """What an import will write, and what it leaves out."""

    records: list[Trade] = field(default_factory=list)
    duplicates: int = 0
    linked: int = 0


def plan(
    imported: Sequence[Imported],
    existing: Sequence[Trade],
    signals: Sequence[Signal],
    journal: Journal,
    now: datetime,
) -> Plan:
    out = Plan()
    by_signal = {t.signal: t for t in existing if t.signal}
    known = {t.id for t in existing} | {t.external_id for t in existing if t.external_id}
    shapes = {_shape(t) for t in existing if t.closed}
    for item in imported:
        tid = trade_id_for_key(item.key)
        if tid in known or item.key in known:
            out.duplicates += 1
            continue
        record = _record(item, tid, signals, by_signal, journal, now)
        if _shape(record) in shapes:
            out.duplicates += 1
            continue
        if record.signal is not None:
            out.linked += 1
            by_signal[record.signal] = record
        known |= {tid, item.key}
        shapes.add(_shape(record))
        out.records.append(record)
    return out


def _record(
    item: Imported,
    tid: str,
    signals: Sequence[Signal],
    by_signal: dict[str, Trade],
    journal: Journal,
    now: datetime,
) -> Trade:
    signal = _signal_of(item, signals, by_signal, journal)
    if signal is not None:
        settings = journal.settings(signal.symbol)
        base = by_signal.get(signal.id) or entry_mod.for_signal(signal, settings, now, "import")
    else:
        settings = journal.settings(item.symbol)
        base = Trade(id=tid, decision="taken", symbol=item.symbol, recorded=now,
                     instrument=settings.instrument or item.symbol,
                     point_value=settings.point_value, tick_size=settings.tick_size)  # fmt: skip
    changes = {
        "decision": "taken", "reason": "", "direction": item.direction, "entry": item.entry,
        "exit": item.exit, "size": item.size, "entry_time": item.entry_time,
        "exit_time": item.exit_time, "fees": item.fees if item.fees is not None else settings.fee,
        "sl": item.sl if item.sl is not None else base.sl, "external_id": item.key,
        "note": item.note or base.note,
    }  # fmt: skip
    try:
        return entry_mod.changed(base, changes, now, "import")
    except InputError as exc:
        raise InputError(f"trade {item.key}: {exc}") from None


def _signal_of(
    item: Imported, signals: Sequence[Signal], by_signal: dict[str, Trade], journal: Journal
) -> Signal | None:
    if item.signal:
        sid = resolve(item.signal, [s.id for s in signals], "signal", f"trade {item.key}: signal")
        return next(s for s in signals if s.id == sid)
    if item.entry_time is None:
        return None
    candidates = [
        s
        for s in signals
        if s.direction == item.direction
        and _instrument(s, journal) == item.symbol.upper()
        and timedelta(0) <= item.entry_time - s.ts <= LINK_WINDOW
        and not (s.id in by_signal and by_signal[s.id].closed)
    ]
    return candidates[0] if len(candidates) == 1 else None


def _instrument(signal: Signal, journal: Journal) -> str:
    return (journal.settings(signal.symbol).instrument or signal.symbol).upper()


def _shape(t: Trade) -> tuple[object, ...]:
    return (t.instrument.upper(), t.direction, t.entry_time, t.entry, t.exit, t.size)
