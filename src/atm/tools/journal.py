"""`atm journal add/list/edit/import/signals`: glue between the command line and atm.journal."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from atm.clock import Clock, WallClock, local
from atm.config import Config, SymbolJournal
from atm.errors import InputError
from atm.journal import entry, importers, linking, signals, store
from atm.journal.ids import resolve, short
from atm.journal.outcome import pnl, r_multiple
from atm.journal.presses import label_not_fire
from atm.journal.record import FALSE_SIGNAL, Trade, to_json
from atm.journal.signals import Signal
from atm.report import period as period_mod
from atm.workspace import Workspace

Decision = Literal["taken", "skipped", "false"]


@dataclass(frozen=True, slots=True)
class Ctx:
    """What every journal command works with."""

    ws: Workspace
    path: Path
    config: Config
    console: Console
    clock: Clock = field(default_factory=WallClock)

    @property
    def zone(self) -> tzinfo:
        return zone_of(self.config)

    def now(self) -> datetime:
        return local(self.clock.time(), self.config.schedule.timezone)

    def ledger(self) -> store.Ledger:
        """The journal; each skipped line is reported on stderr (one line each)."""
        found = store.read(self.path)
        for problem in found.problems:
            print(f"warning: {problem.describe(self.path)}", file=sys.stderr)
        return found

    def signals(self) -> list[Signal]:
        return signals.load(self.ws.logs)

    def settings(self, symbol: str) -> SymbolJournal:
        return self.config.journal.settings(symbol)


def zone_of(config: Config) -> tzinfo:
    name = config.schedule.timezone
    zone = ZoneInfo(name) if name else datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


@dataclass(frozen=True, slots=True)
class AddRequest:
    """`atm journal add`, as typed: which signal (or none), the decision, the values."""

    decision: Decision
    values: dict[str, Any]
    signal: str | None = None
    last: bool = False
    symbol: str | None = None
    direction: str | None = None


def add(ctx: Ctx, req: AddRequest) -> Trade:
    """Write the record `req` asks for; returns it. Bad input raises `InputError`."""
    ledger = ctx.ledger()
    now = ctx.now()
    if req.signal is None and not req.last:
        base, day, signal = _own(ctx, req, now), now.date(), None
    else:
        signal = pick_signal(ctx.signals(), ledger, req.signal, req.last)
        base = _base_for(signal, ledger.by_signal().get(signal.id), ctx, now)
        day = signal.ts.astimezone(ctx.zone).date()
    trade = entry.changed(base, _changes(req, day, ctx.zone), now, "cli")
    store.append(ctx.path, trade)
    if signal is not None and (req.decision == "false" or base.false_signal):
        label_not_fire(ctx.ws.samples, signal, on=req.decision == "false")
    return trade


def _own(ctx: Ctx, req: AddRequest, now: datetime) -> Trade:
    if not req.symbol or not req.direction:
        raise InputError("--own: needs --symbol and --direction (BUY or SELL)")
    if req.decision != "taken":
        raise InputError("--own: a trade of your own is --taken (skipping needs a signal)")
    return entry.own(req.symbol, req.direction, ctx.settings(req.symbol), now)


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
    return [s for s in found if s.id not in records or _open(records[s.id])]


def _open(trade: Trade) -> bool:
    return trade.decision == "taken" and not trade.closed


def _base_for(signal: Signal, existing: Trade | None, ctx: Ctx, now: datetime) -> Trade:
    """The record to complete: the signal's open stub or press, else a fresh one."""
    if existing is not None and not (_open(existing) or existing.source == "telegram"):
        raise InputError(
            f"--signal: {short(signal.id)} already has record {existing.id} "
            f"({existing.decision}); change it with `atm journal edit {existing.id}`"
        )
    return existing or entry.for_signal(signal, ctx.settings(signal.symbol), now, "cli")


def edit(ctx: Ctx, ident: str, raw: dict[str, Any]) -> Trade:
    """A new version of one record; `ident` is a trade id or a signal id (prefixes too)."""
    if not raw:
        raise InputError("edit: nothing to change; give at least one --FIELD VALUE")
    ledger = ctx.ledger()
    trade = find_trade(ledger, ident)
    day = (trade.signal_time or trade.entry_time or ctx.now()).astimezone(ctx.zone).date()
    changes = entry.parse_changes(raw, day, ctx.zone)
    if changes.get("decision") == "skipped":
        changes |= entry.skipping(changes.get("reason", trade.reason))
    updated = entry.changed(trade, changes, ctx.now(), "cli")
    store.append(ctx.path, updated)
    return updated


def find_trade(ledger: store.Ledger, ident: str) -> Trade:
    by_id = ledger.by_id()
    text = ident.strip().lstrip("#").lower()
    if any(k.startswith(text) for k in by_id):
        return by_id[resolve(text, by_id, "trade", "ID")]
    by_signal = ledger.by_signal()
    return by_signal[resolve(text, by_signal, "trade (by signal id)", "ID")]


def import_file(ctx: Ctx, path: Path, fmt: str, mapping: dict[str, str]) -> linking.Plan:
    if fmt == "tradestation":
        found = importers.read_tradestation(path, ctx.zone)
    else:
        found = importers.read_csv(path, mapping, ctx.zone)
    plan = linking.plan(found, ctx.ledger().trades, ctx.signals(), ctx.config.journal, ctx.now())
    for record in plan.records:
        store.append(ctx.path, record)
    return plan


def in_week(ctx: Ctx, week: str | None) -> period_mod.Period | None:
    return period_mod.week(week, ctx.zone) if week else None


def trade_json(trade: Trade) -> dict[str, Any]:
    return {**to_json(trade), "pnl": pnl(trade), "r": r_multiple(trade)}


def print_trades(trades: Sequence[Trade], ctx: Ctx, as_json: bool) -> None:
    if as_json:
        print(json.dumps([trade_json(t) for t in trades], ensure_ascii=False, indent=1))
        return
    table = Table("id", "when", "instrument", "side", "decision", "entry", "exit", "size",
                  "P&L", "R", "signal", title=f"{len(trades)} records in {ctx.path}")  # fmt: skip
    for t in trades:
        money, r = pnl(t), r_multiple(t)
        table.add_row(
            t.id, f"{t.when.astimezone(ctx.zone):%Y-%m-%d %H:%M}", t.instrument or t.symbol,
            t.direction or "", state(t), _num(t.entry), _num(t.exit), _num(t.size),
            "" if money is None else f"{money:+.2f}", "" if r is None else f"{r:+.2f}",
            f"#{short(t.signal)}" if t.signal else "own",
        )  # fmt: skip
    ctx.console.print(table)


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


def print_signals(found: Sequence[Signal], ledger: store.Ledger, ctx: Ctx, as_json: bool) -> None:
    records = ledger.by_signal()
    if as_json:
        rows = [_signal_json(s, records.get(s.id)) for s in found]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table("signal", "time", "side", "symbol", "colour", "levels", "journal",
                  title=f"{len(found)} signals")  # fmt: skip
    for s in found:
        record = records.get(s.id)
        table.add_row(f"#{short(s.id)}", f"{s.ts.astimezone(ctx.zone):%Y-%m-%d %H:%M:%S}",
                      s.direction, s.symbol, s.color or "", s.levels.describe() if s.levels else "",
                      _journaled(record))  # fmt: skip
    ctx.console.print(table)


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
    return trade.decision + (" (open)" if _open(trade) else "")


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
