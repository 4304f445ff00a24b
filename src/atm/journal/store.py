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

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from atm.errors import InputError
from atm.journal.record import RecordError, Trade, check, from_json, to_json

_lock = threading.Lock()  # one appender at a time within this process
_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise write \r\n


@dataclass(frozen=True, slots=True)
class Problem:
    """A line of the file that was skipped, and why."""

    line: int
    message: str

    def describe(self, path: Path) -> str:
        return f"{path}:{self.line}: {self.message}; line skipped"


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
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Ledger()
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a journal file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    latest: dict[str, Trade] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            trade = from_json(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError):
            problems.append(Problem(number, "not a JSON line"))
            continue
        except RecordError as exc:
            problems.append(Problem(number, str(exc)))
            continue
        latest[trade.id] = trade  # a dict keeps the first position and the newest value
    return Ledger(list(latest.values()), problems)


def append(path: Path, trade: Trade) -> None:
    """Validate and append one record version; durable when this returns."""
    check(trade)
    line = json.dumps(to_json(trade), ensure_ascii=False, separators=(",", ":")) + "\n"
    with _lock:
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _BINARY, 0o644)
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        try:
            if _torn(fd):
                line = "\n" + line
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        finally:
            os.close(fd)


def _torn(fd: int) -> bool:
    """Whether the file ends without a newline (a line cut short by a crash)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return False
    os.lseek(fd, size - 1, os.SEEK_SET)  # O_APPEND writes go to the end whatever the offset
    return os.read(fd, 1) != b"\n"
