"""Writes the loop must survive: a failing disk becomes one health episode, not a crash.

The sink, the audit, the dead letter and the outbox report each refused write here (from
any thread). The loop polls: the first failure opens the episode (one alert naming the
reason, e.g. disk full), later failures join it, and every `probe_every_s` each folder
that failed is tried with a probe write; when all take it again, the episode closes with
one recovery alert. Alerts never wait for any of this: they are queued before any file
is written.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from atm import messages
from atm.errors import os_reason

#: Big enough that a folder that takes it will take a screenshot too (100–500 KB).
PROBE_BYTES = 512 * 1024


class WriteFaults:
    def __init__(self, home: Path, probe_every_s: float = 30.0) -> None:
        self._home = home
        self._every = probe_every_s
        self._failing: dict[Path, str] = {}  # folder → why its last write failed
        self._open = False
        self._probed = 0.0
        self._lock = threading.Lock()

    @property
    def failing(self) -> dict[Path, str]:
        with self._lock:
            return dict(self._failing)

    def failed(self, path: Path, error: OSError | str) -> None:
        """A write of `path` was refused; `error` is the exception or its `os_reason`."""
        why = error if isinstance(error, str) else os_reason(error)
        with self._lock:
            self._failing.setdefault(path.parent, why)

    def poll(self, ts: float) -> str | None:
        """The alert to send now, if any: the episode opening, or its recovery."""
        with self._lock:
            if self._failing and not self._open:
                self._open, self._probed = True, ts
                folder, why = next(iter(self._failing.items()))
                return messages.workspace_unwritable(why, self._where(folder))
            if not self._open or ts - self._probed < self._every:
                return None
            self._probed = ts
            folders = list(self._failing)
        healed = [f for f in folders if probe(f) is None]
        with self._lock:
            for folder in healed:
                self._failing.pop(folder, None)
            if self._failing:
                return None
            self._open = False
        return messages.workspace_writable(", ".join(self._where(f) for f in healed))

    def _where(self, folder: Path) -> str:
        try:
            return str(folder.relative_to(self._home)) or "."
        except ValueError:
            return str(folder)


def probe(folder: Path) -> OSError | None:
    """None when `folder` takes a write (it is created if missing); else why it does not."""
    path = folder / ".atm-write-probe"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            f.write(b"\0" * PROBE_BYTES)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        return exc
    finally:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    return None
