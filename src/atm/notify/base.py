"""What a notification is, and the one interface every backend implements."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Literal, Protocol

from atm.config import AlertKind

Thread = Literal["alerts", "heartbeat"]

_ids_lock = threading.Lock()
_next_id = 1
_ID = re.compile(r"a(\d+)")


def new_id() -> str:
    """A unique alert id (`a000001`, …): the audit, the outbox and signals use it.

    Ids continue across restarts of a workspace: the outbox remembers the last one it saw
    and `ids_after` moves the counter past it, so an id never names two alerts.
    """
    global _next_id
    with _ids_lock:
        number, _next_id = _next_id, _next_id + 1
    return f"a{number:06d}"


def ids_after(last: str) -> None:
    """Make every later `new_id()` greater than `last` (an id this process did not make)."""
    global _next_id
    match = _ID.fullmatch(last)
    if match is not None:
        with _ids_lock:
            _next_id = max(_next_id, int(match.group(1)) + 1)


def id_number(alert_id: str) -> int:
    """The counter in an id (`a000012` → 12); 0 for an id `new_id` did not make."""
    match = _ID.fullmatch(alert_id)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True, slots=True)
class Message:
    """One notification. `image_png` is an encoded PNG (the annotated screenshot) or None.

    `ts` is the time of the event it reports (the frame's time, epoch seconds of the run's
    clock). Staleness is judged by the fanout from when it queued the message, in real time.
    """

    kind: AlertKind
    text: str
    ts: float
    image_png: bytes | None = None
    id: str = field(default_factory=new_id)

    @property
    def thread(self) -> Thread:
        return "heartbeat" if self.kind == "heartbeat" else "alerts"


class Notifier(Protocol):
    """A backend delivers one message or raises `atm.errors.NotifyError`; never returns False."""

    name: str

    def send(self, message: Message) -> None: ...

    def close(self) -> None: ...
