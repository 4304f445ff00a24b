"""logs/dead_letter.jsonl: every alert a backend could not deliver, with the reason."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from atm.jsonl import JsonlFile


class DeadLetter:
    """Appends one JSON object per line (`atm.jsonl`); one writer shared by all lanes.

    The file stays open while the fanout runs; after `close()` a late line (an alert
    published after shutdown) opens, appends and closes again. `write` raises `OSError`
    when the disk refuses the line: the fanout logs the record instead and reports it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = JsonlFile(path)
        self._lock = threading.Lock()
        self._closed = False

    def write(self, record: dict[str, Any]) -> None:
        with self._lock:
            try:
                self._file.append(record)
            finally:
                if self._closed:
                    self._file.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._file.close()
