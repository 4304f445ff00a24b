"""Writes the loop must survive: a failing disk becomes one health episode, not a crash.

The sink, the audit, the dead letter and the outbox report each refused write here (from
any thread). The loop polls: the first failure opens the episode (one alert naming the
reason, e.g. disk full), later failures join it, and every `probe_every_s` each folder
that failed is tried with a probe write. The episode closes, with one recovery alert,
at the first probe round where every folder takes the probe and no write failed since
the round before: a disk with a few free pages (a log rotated away) is not yet healed.
Alerts never wait for any of this: they are queued before any file is written.
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
    """Thread-safe: `failed` from any thread, `poll` from the loop."""

    def __init__(self, home: Path, probe_every_s: float = 30.0) -> None:
        self._home = home
        self._every = probe_every_s
        self._failing: dict[Path, str] = {}  # folder → why its last write failed
        self._episode: list[Path] = []  # every folder that failed in this episode
        self._open = False
        self._probed = 0.0
        self._failures = 0  # refused writes so far
        self._seen = 0  # ...as counted at the last probe round
        self._lock = threading.Lock()

    def failed(self, path: Path, error: OSError | str) -> None:
        """A write of `path` was refused; `error` is the exception or its `os_reason`."""
        why = error if isinstance(error, str) else os_reason(error)
        with self._lock:
            self._failing.setdefault(path.parent, why)
            if path.parent not in self._episode:
                self._episode.append(path.parent)
            self._failures += 1

    def poll(self, ts: float) -> str | None:
        """The alert to send now, if any: the episode opening, or its recovery."""
        with self._lock:
            if self._failing and not self._open:
                self._open, self._probed, self._seen = True, ts, self._failures
                folder, why = next(iter(self._failing.items()))
                return messages.workspace_unwritable(why, self._where(folder))
            if not self._open or ts - self._probed < self._every:
                return None
            self._probed = ts
            folders = list(self._failing)
            quiet, self._seen = self._failures == self._seen, self._failures
        healed = [f for f in folders if probe(f) is None]
        with self._lock:
            for folder in healed:
                self._failing.pop(folder, None)
            if self._failing or not quiet:
                return None
            self._open, episode, self._episode = False, self._episode, []
        return messages.workspace_writable(", ".join(self._where(f) for f in episode))

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
