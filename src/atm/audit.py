"""The audit log (SPEC §8): one JSON object per line, a file per local day.

One writer, a line flushed as it is written, so a killed process leaves at most one torn
last line; `read_jsonl` skips exactly that.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from atm.clock import local


class AuditLog:
    """Writes records to `logs/YYYY-MM-DD.jsonl`, switching files at local midnight.

    The day is taken from each record's own `ts` (epoch seconds of the run's clock), so a
    replayed session rotates exactly as a live one would. Thread-safe: the notifier's
    workers report deliveries here while the loop writes its cycles.
    """

    def __init__(self, logs_dir: Path, zone: str = "") -> None:
        self._dir = logs_dir
        self._zone = zone
        self._day = ""
        self._file: IO[str] | None = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        return self._dir / f"{self._day}.jsonl" if self._day else None

    def write(self, ts: float, record: dict[str, Any]) -> None:
        when = local(ts, self._zone)
        line = json.dumps(
            {"ts": when.isoformat(timespec="milliseconds"), **record},
            ensure_ascii=False,
            default=str,
        )
        with self._lock:
            day = when.strftime("%Y-%m-%d")
            if day != self._day or self._file is None:
                self._open(day)
            assert self._file is not None
            self._file.write(line + "\n")  # line-buffered: one flush per line

    def _open(self, day: str) -> None:
        self.close()
        self._dir.mkdir(parents=True, exist_ok=True)
        self._day = day
        self._file = (self._dir / f"{day}.jsonl").open("a", encoding="utf-8", buffering=1)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Every complete record of a JSONL file; a torn last line (a killed writer) is skipped."""
    with path.open(encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            if i < len(lines) - 1 and any(rest.strip() for rest in lines[i + 1 :]):
                raise ValueError(f"{path}:{i + 1}: not a JSON line") from None
