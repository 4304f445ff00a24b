"""Telegram's Taken / Skipped / False signal presses while `atm run` runs.

The poller works on its own thread (long polls wait for a press, not for a frame); what it
and the journal report is queued here and handed to the sink on the next tick, so the
audit and the health alerts keep their one way out. At the end the notifications are
drained first — the last triggers reach the phone — and then the poller's last poll
collects the presses made until then.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from typing import Any

from atm.notify.telegram_poll import PressPoller
from atm.stages.base import Alert, Audit, Event, Tick

Emit = Callable[[dict[str, Any]], None]
Health = Callable[[str], None]
#: Seconds the end of a run waits for the last alerts to reach Telegram before the last poll.
DRAIN_S = 10.0


class PressStage:
    def __init__(
        self,
        make_poller: Callable[[Emit, Health], PressPoller],
        flush: Callable[[float], bool],
    ) -> None:
        """`make_poller(on_event, on_health)` builds the poller; `flush(timeout)` waits for
        the queued alerts to be delivered."""
        self._queue: queue.SimpleQueue[dict[str, Any] | str] = queue.SimpleQueue()
        self._poller = make_poller(self._queue.put, self._queue.put)
        self._flush = flush
        self._started = False

    def observe(self, tick: Tick) -> Iterator[Event]:
        if not self._started:
            self._poller.start()
            self._started = True
        yield from self._drain(tick.ts)

    def close(self, ts: float) -> Iterator[Event]:
        if self._started:
            self._flush(DRAIN_S)
            self._poller.stop()
        yield from self._drain(ts)

    def _drain(self, ts: float) -> Iterator[Event]:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, str):
                yield Alert("health", item, ts)
            else:
                yield Audit(ts, item)
