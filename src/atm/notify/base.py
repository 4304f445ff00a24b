"""What a notification is, and the one interface every backend implements."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Literal, Protocol

from atm.config import AlertKind

Thread = Literal["alerts", "heartbeat"]

_ids = itertools.count(1)


def new_id() -> str:
    """A run-unique alert id (`a000001`, …): the audit, the outbox and signals use it."""
    return f"a{next(_ids):06d}"


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
