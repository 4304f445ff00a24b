"""The journal's commands as a service: add, edit, find, import. The CLI and the prompts
call these; the printing is theirs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

from atm.clock import Clock, WallClock, local, zone_of
from atm.config import Config
from atm.config.journal import SymbolJournal
from atm.errors import InputError
from atm.journal import entry, importers, linking, signals, store
from atm.journal.ids import resolve, short
from atm.journal.presses import label_not_fire
from atm.journal.record import FALSE_SIGNAL, Trade
from atm.journal.signals import Signal
from atm.workspace import Workspace

Decision = Literal["taken", "skipped", "false"]


@dataclass(frozen=True, slots=True)
class Book:
    """What every journal command works with: where, which settings, what time it is, and
    where to report the journal lines that were skipped."""

    ws: Workspace
    path: Path
    config: Config
    warn: Callable[[str], None] = lambda text: None
    clock: Clock = field(default_factory=WallClock)

    @property
    def zone(self) -> tzinfo:
        return zone_of(self.config.schedule.timezone)

    def now(self) -> datetime:
        return local(self.clock.time(), self.config.schedule.timezone)

    def ledger(self) -> store.Ledger:
        """The journal; each skipped line is reported through `warn`."""
        found = store.read(self.path)
        for problem in found.problems:
            self.warn(problem.describe(self.path))
        return found

    def signals(self) -> list[Signal]:
        return signals.load(self.ws.logs)

    def settings(self, symbol: str) -> SymbolJournal:
        return self.config.journal.settings(symbol)


@dataclass(frozen=True, slots=True)
class AddRequest:
    """`atm journal add`, as typed: which signal (or none), the decision, the values."""

    decision: Decision
    values: dict[str, Any]
    signal: str | None = None
    last: bool = False
    symbol: str | None = None
    direction: str | None = None


def add(book: Book, req: AddRequest) -> Trade:
    """Write the record `req` asks for; returns it. Bad input raises `InputError`."""
    ledger = book.ledger()
    now = book.now()
    if req.signal is None and not req.last:
        base, day, signal = _own(book, req, now), now.date(), None
    else:
        signal = pick_signal(book.signals(), ledger, req.signal, req.last)
        base = _base_for(signal, ledger.by_signal().get(signal.id), book, now)
        day = signal.ts.astimezone(book.zone).date()
    trade = entry.changed(base, _changes(req, day, book.zone), now, "cli")
    store.append(book.path, trade)
    if signal is not None and (req.decision == "false" or base.false_signal):
        label_not_fire(book.ws.samples, signal, on=req.decision == "false")
    return trade


def _own(book: Book, req: AddRequest, now: datetime) -> Trade:
    if not req.symbol or not req.direction:
        raise InputError("--own: needs --symbol and --direction (BUY or SELL)")
    if req.decision != "taken":
        raise InputError("--own: a trade of your own is --taken (skipping needs a signal)")
    return entry.own(req.symbol, req.direction, book.settings(req.symbol), now)


def _changes(req: AddRequest, day: date, zone: tzinfo) -> dict[str, Any]:
    values = dict(req.values)
    reason = values.pop("reason", "")
    changes = entry.parse_changes(values, day, zone)
    if req.decision == "taken":
        for name in ("entry", "exit", "size"):
            if changes.get(name) is None:
                raise InputError(f"{entry.FLAGS[name]}: required with --taken")
        return changes
    why = FALSE_SIGNAL if req.decision == "false" else reason
    return {k: v for k, v in changes.items() if k in ("tags", "note")} | entry.skipping(why)


def pick_signal(
    found: Sequence[Signal], ledger: store.Ledger, wanted: str | None, last: bool
) -> Signal:
    """`--signal ID` (a unique prefix), or `--last`: the newest signal without a trade."""
    if wanted is not None:
        sid = resolve(wanted, [s.id for s in found], "signal", "--signal")
        return next(s for s in found if s.id == sid)
    pending = pending_signals(found, ledger)
    if not pending:
        raise InputError("--last: every signal in the audit log has a closed trade or a skip")
    return pending[-1]


def pending_signals(found: Sequence[Signal], ledger: store.Ledger) -> list[Signal]:
    """Signals with no record, or with an open Taken stub, oldest first."""
    records = ledger.by_signal()
    return [s for s in found if s.id not in records or is_open(records[s.id])]


def is_open(trade: Trade) -> bool:
    """A taken record without its exit yet (a Telegram stub, say)."""
    return trade.decision == "taken" and not trade.closed


def _base_for(signal: Signal, existing: Trade | None, book: Book, now: datetime) -> Trade:
    """The record to complete: the signal's open stub or press, else a fresh one."""
    if existing is not None and not (is_open(existing) or existing.source == "telegram"):
        raise InputError(
            f"--signal: {short(signal.id)} already has record {existing.id} "
            f"({existing.decision}); change it with `atm journal edit {existing.id}`"
        )
    return existing or entry.for_signal(signal, book.settings(signal.symbol), now, "cli")


def edit(book: Book, ident: str, raw: dict[str, Any]) -> Trade:
    """A new version of one record; `ident` is a trade id or a signal id (prefixes too)."""
    if not raw:
        raise InputError("edit: nothing to change; give at least one --FIELD VALUE")
    ledger = book.ledger()
    trade = find_trade(ledger, ident)
    day = (trade.signal_time or trade.entry_time or book.now()).astimezone(book.zone).date()
    changes = entry.parse_changes(raw, day, book.zone)
    if changes.get("decision") == "skipped":
        changes |= entry.skipping(changes.get("reason", trade.reason))
    updated = entry.changed(trade, changes, book.now(), "cli")
    store.append(book.path, updated)
    return updated


def find_trade(ledger: store.Ledger, ident: str) -> Trade:
    by_id = ledger.by_id()
    text = ident.strip().lstrip("#").lower()
    if any(k.startswith(text) for k in by_id):
        return by_id[resolve(text, by_id, "trade", "ID")]
    by_signal = ledger.by_signal()
    return by_signal[resolve(text, by_signal, "trade (by signal id)", "ID")]


def import_file(book: Book, path: Path, fmt: str, mapping: dict[str, str]) -> linking.Plan:
    if fmt == "tradestation":
        found = importers.read_tradestation(path, book.zone)
    else:
        found = importers.read_csv(path, mapping, book.zone)
    plan = linking.plan(
        found, book.ledger().trades, book.signals(), book.config.journal, book.now()
    )
    for record in plan.records:
        store.append(book.path, record)
    return plan
