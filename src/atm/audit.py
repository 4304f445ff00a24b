"""The audit log (SPEC §8): one JSON object per line, a file per local day.

Lines go through `atm.jsonl` (one write per line, a torn last line repaired before the
next record), so a killed process leaves at most one torn line and readers skip it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from atm.clock import local
from atm.jsonl import JsonlFile, dumps, read_jsonl

__all__ = ["AuditLog", "read_jsonl"]


class AuditLog:
    """Writes records to `logs/YYYY-MM-DD.jsonl`, switching files at local midnight.

    The day is taken from each record's own `ts` (epoch seconds of the run's clock), so a
    replayed session rotates exactly as a live one would. Thread-safe: the notifier's
    workers report deliveries here while the loop writes its cycles. `write` raises
    `OSError` when the disk refuses the line; the caller decides what that means.
    """

    def __init__(self, logs_dir: Path, zone: str = "") -> None:
        self._dir = logs_dir
        self._zone = zone
        self._day = ""
        self._file: JsonlFile | None = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        return self._dir / f"{self._day}.jsonl" if self._day else None

    def path_for(self, ts: float) -> Path:
        return self._dir / f"{local(ts, self._zone):%Y-%m-%d}.jsonl"

    def write(self, ts: float, record: dict[str, Any]) -> None:
        when = local(ts, self._zone)
        line = dumps({"ts": when.isoformat(timespec="milliseconds"), **record})
        with self._lock:
            day = when.strftime("%Y-%m-%d")
            if day != self._day or self._file is None:
                self.close()
                self._day = day
                self._file = JsonlFile(self._dir / f"{day}.jsonl")
            self._file.append_line(line)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
