"""logs/dead_letter.jsonl: every alert a backend could not deliver, with the reason."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import IO, Any

log = logging.getLogger("atm.notify")


class DeadLetter:
    """Appends one JSON object per line, flushed per line; one writer shared by all lanes.

    The file stays open while the fanout runs; after `close()` a late line (an alert
    published after shutdown) opens, appends and closes again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._closed = False

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            try:
                if self._file is None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._file = self.path.open("a", encoding="utf-8")
                self._file.write(line + "\n")
                self._file.flush()
            except OSError as exc:
                # the alert must not vanish: it goes to the log instead
                log.error("cannot write %s (%s); dead letter: %s", self.path, exc, line)
            finally:
                if self._closed:
                    self._close_file()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._close_file()

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
