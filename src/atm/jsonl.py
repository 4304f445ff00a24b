"""JSON Lines that survive torn writes: the one appender and reader of every *.jsonl file.

The audit (`logs/YYYY-MM-DD.jsonl`), the dead letter and the outbox are written through
`JsonlFile`, so they share one set of rules:

- A record is one line written with a single `write` to a file opened `O_APPEND`: a
  killed process leaves at most one torn last line, and nothing already written is ever
  rewritten. `sync=True` adds an `fsync` per record (the outbox: a record must outlive a
  power cut, not just a crash).
- A torn last line is repaired before the next record: a newline goes first, so a new
  record can never merge with the fragment — whether the fragment was left by a crash
  before this process opened the file or by a write that failed half-way (disk full).
- A failed write raises `OSError` and loses nothing already recorded; the caller decides
  what a failure means (the sink turns it into one health alert, never a stopped loop).
- Readers never stop at a bad line: each one is skipped and reported with its number.

The journal (`trades.jsonl`) has two writers, `atm run`'s button poller and `atm journal`:
it opens a `JsonlFile` per record (`append_once`), so each record checks the file's end
itself, whoever wrote last.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atm import inputs

log = logging.getLogger("atm.jsonl")

_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise write \r\n
#: A day of audit is a few MB; anything past this is not one of our files.
MAX_BYTES = 1 << 30


def dumps(record: Mapping[str, Any]) -> str:
    """One record as one line (no newline): UTF-8 text as is, anything odd as its str()."""
    return json.dumps(record, ensure_ascii=False, default=str)


class JsonlFile:
    """Appends records to one file; thread-safe. The file is opened on the first append."""

    def __init__(self, path: Path, *, sync: bool = False) -> None:
        self.path = path
        self._sync = sync
        self._fd: int | None = None
        self._torn = False  # the file ends inside a line: write a newline first
        self._lock = threading.Lock()

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one record (and fsync it when `sync`); `OSError` when the disk refuses."""
        self.append_line(dumps(record))

    def append_line(self, line: str) -> None:
        data = (line + "\n").encode("utf-8")
        with self._lock:
            fd = self._open()
            if self._torn:
                data = b"\n" + data
            written = 0
            try:
                while written < len(data):
                    written += os.write(fd, data[written:])
                if self._sync:
                    os.fsync(fd)
            finally:
                if written:
                    self._torn = not data[:written].endswith(b"\n")

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _BINARY, 0o644)
            try:
                self._torn = _ends_inside_a_line(fd)
            except OSError:
                os.close(fd)
                raise
            self._fd = fd
        return self._fd

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _ends_inside_a_line(fd: int) -> bool:
    size = os.fstat(fd).st_size
    if size == 0:
        return False
    os.lseek(fd, size - 1, os.SEEK_SET)  # O_APPEND writes go to the end whatever the offset
    return os.read(fd, 1) != b"\n"


def append_once(path: Path, record: Mapping[str, Any], *, sync: bool = True) -> None:
    """Open, append one record (fsynced), close: for a file other processes append to."""
    log = JsonlFile(path, sync=sync)
    try:
        log.append(record)
    finally:
        log.close()


@dataclass(frozen=True, slots=True)
class Problem:
    """A line of a JSONL file that was skipped, and why."""

    line: int
    message: str

    def describe(self, path: Path) -> str:
        return f"{path}:{self.line}: {self.message}; line skipped"


def _warn(path: Path) -> Callable[[Problem], None]:
    def report(problem: Problem) -> None:
        log.warning("%s", problem.describe(path))

    return report


def read_numbered(
    path: Path, on_problem: Callable[[Problem], None] | None = None, what: str = "JSONL file"
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for every JSON object of `path`, in order; each torn or bad
    line is skipped and reported to `on_problem` (default: a warning in the `atm.jsonl`
    log). The file is read as `atm.inputs` reads any file: a regular file only (a FIFO or
    a device is an `InputError`, never a hang)."""
    report = on_problem or _warn(path)
    data = inputs.read_bytes(path, what, MAX_BYTES)
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            report(Problem(number, "not a JSON line"))
            continue
        if not isinstance(record, dict):
            report(Problem(number, "not a JSON object"))
            continue
        yield number, record


def read_jsonl(
    path: Path, on_problem: Callable[[Problem], None] | None = None
) -> Iterator[dict[str, Any]]:
    """Every record of `path` (`read_numbered` without the numbers)."""
    for _, record in read_numbered(path, on_problem):
        yield record


def read_records(path: Path) -> tuple[list[dict[str, Any]], list[Problem]]:
    """`read_jsonl` as lists: the records and the lines skipped."""
    problems: list[Problem] = []
    return list(read_jsonl(path, problems.append)), problems
