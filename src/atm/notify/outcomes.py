"""Where each alert outcome of the fanout goes: an event, the dead letter, the outbox.

One object owns the three, so the order that makes a crash harmless is written once: the
audit event or the dead-letter line first, the outbox's `done` after (a crash in between
leaves an outcome recorded twice, never one recorded nowhere). A disk that refuses a line
is reported as a `write_failed` event and never stops a lane.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from atm.errors import os_reason
from atm.notify.base import Message
from atm.notify.dead_letter import DeadLetter
from atm.notify.outbox import Outbox
from atm.notify.policy import Delivery

log = logging.getLogger("atm.notify")

Event = dict[str, Any]

#: A file that keeps refusing writes is reported again after this many seconds.
REPORT_EVERY_S = 60.0


class Outcomes:
    """Thread-safe; `on_event` is called from one thread at a time."""

    def __init__(
        self,
        dead_letter: Path,
        outbox: Outbox | None,
        on_event: Callable[[Event], None] | None,
        now: Callable[[], float],
    ) -> None:
        self._dead = DeadLetter(dead_letter)
        self.outbox = outbox
        self._on_event = on_event
        self._emit_lock = threading.Lock()
        self._now = now
        self._reported: dict[Path, float] = {}  # file → when its refusal was last reported

    # -- the outbox ------------------------------------------------------------------------

    def queued(self, message: Message, backends: Sequence[str]) -> None:
        if self.outbox is not None:
            self._journal(self.outbox.add, message, backends)

    def picture(self, message: Message) -> None:
        if self.outbox is not None:
            self._journal(self.outbox.keep_image, message)

    def sending(self, message: Message, backend: str) -> None:
        if self.outbox is not None:
            self._journal(self.outbox.sending, message.id, backend)

    def retrying(self, message: Message, backend: str) -> None:
        if self.outbox is not None:
            self._journal(self.outbox.retrying, message.id, backend)

    # -- outcomes --------------------------------------------------------------------------

    def record(
        self,
        backend: str,
        message: Message,
        outcome: Delivery,
        *,
        attempts: int,
        age: float,
        error: str = "",
    ) -> None:
        """The one outcome of `message` in `backend`'s lane; `age` in seconds since queued."""
        ids = {"backend": backend, "id": message.id, "kind": message.kind}
        if outcome == "sent":
            log.debug("%s: alert %s sent in %.3f s", backend, message.id, age)
            self.emit({"event": "alert_sent", **ids, "attempts": attempts, "latency_s": age})
        else:
            self._dead_letter(
                {**ids, "text": message.text, "ts": message.ts,
                 "has_image": message.image_png is not None, "reason": outcome,
                 "attempts": attempts, "error": error, "age_s": age}
            )  # fmt: skip
            event = "alert_dropped" if outcome == "dropped" else "alert_failed"
            log.warning("%s: alert %s %s (%s): %s", backend, message.id, event, outcome, error)
            self.emit(
                {"event": event, **ids, "attempts": attempts, "reason": outcome, "error": error}
            )
        if self.outbox is not None:
            self._journal(self.outbox.done, message.id, backend, outcome)

    def _dead_letter(self, record: dict[str, Any]) -> None:
        try:
            self._dead.write(record)
        except OSError as exc:
            # the alert must not vanish: the record goes to the log instead
            log.error("dead letter not written (%s): %s", os_reason(exc), record)
            self.write_failed(self._dead.path, exc)

    def emit(self, event: Event) -> None:
        if self._on_event is None:
            return
        with self._emit_lock:
            try:
                self._on_event(event)
            except Exception as exc:  # an audit hiccup must not stop delivery
                log.error("on_event handler failed on %s: %s", event["event"], type(exc).__name__)

    def write_failed(self, path: Path, exc: OSError) -> None:
        """Report a refused write, once a minute per file at most: a full disk refuses
        every record, and one report opens the sink's episode."""
        last = self._reported.get(path)
        if last is not None and self._now() - last < REPORT_EVERY_S:
            log.debug("still cannot write %s: %s", path, os_reason(exc))
            return
        self._reported[path] = self._now()
        log.error("cannot write %s: %s", path, os_reason(exc))
        self.emit({"event": "write_failed", "file": str(path), "error": os_reason(exc)})

    def _journal(self, write: Callable[..., None], *args: Any) -> None:
        """An outbox write; a refusing disk is reported, and the alert goes on regardless."""
        assert self.outbox is not None
        try:
            write(*args)
        except OSError as exc:
            self.write_failed(self.outbox.path, exc)

    def close(self) -> None:
        self._dead.close()
        if self.outbox is not None:
            self.outbox.close()
