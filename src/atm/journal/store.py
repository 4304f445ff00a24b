"""`trades.jsonl`: an append-only file of record versions; the newest version of an id wins.

Why append-only: the Telegram poller (a thread of `atm run`) and `atm journal` (another
process) may write at the same moment. Appending one whole line with a single `write` to a
file opened `O_APPEND`, then `fsync`, never rewrites what is there, so nothing already
recorded can be lost — not by an edit, a crash or a second writer. An edit is a new
version of the record appended under the same id.

A line cut short by a crash is repaired on the next append (a newline first, so the new
record never merges with it). Reading never stops at a bad line: each malformed or
invalid line is reported with its number and skipped; the other records stand.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from atm.errors import InputError, os_reason
from atm.journal.record import RecordError, Trade, check, from_json, to_json
from atm.jsonl import Problem, append_once, read_numbered

__all__ = ["Ledger", "Problem", "append", "read"]

_lock = threading.Lock()  # one appender at a time within this process


@dataclass(slots=True)
class Ledger:
    """The records of a journal (newest version of each id, in order of first appearance)."""

    trades: list[Trade] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def by_id(self) -> dict[str, Trade]:
        return {t.id: t for t in self.trades}

    def by_signal(self) -> dict[str, Trade]:
        return {t.signal: t for t in self.trades if t.signal is not None}


def read(path: Path) -> Ledger:
    """Every valid record of `path` ({} if it does not exist yet)."""
    if not path.exists() and not path.is_symlink():
        return Ledger()
    latest: dict[str, Trade] = {}
    problems: list[Problem] = []
    for number, record in read_numbered(path, problems.append, "journal file"):
        try:
            trade = from_json(record)
        except RecordError as exc:
            problems.append(Problem(number, str(exc)))
            continue
        latest[trade.id] = trade  # a dict keeps the first position and the newest value
    problems.sort(key=lambda p: p.line)
    return Ledger(list(latest.values()), problems)


def append(path: Path, trade: Trade) -> None:
    """Validate and append one record version; durable when this returns."""
    check(trade)
    with _lock:
        try:
            append_once(path, to_json(trade))
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {os_reason(exc)}") from None
