"""Fan each alert out to every backend without ever blocking the caller; lose none silently.

Each backend gets a lane: a bounded queue (50, drop-oldest) and one named worker thread
(`atm-notify-<name>`). `publish()` only appends to the queues, so a hung backend delays
nothing but its own lane. Every alert ends in exactly one recorded outcome per backend:
delivered (`alert_sent`) or written to `logs/dead_letter.jsonl` with the reason
(`alert_failed`, `alert_dropped`).

Policy, and why:

- Retries. A transient error (5xx, timeout, refused connection, 429) is retried; a
  permanent one (bad token, unknown webhook, chat not found) is not. Attempt n is followed
  by a wait of `base_delay * 2**(n-1)`, capped at `max_delay`, times a random factor in
  `[1 - jitter, 1]`. A rate-limit reply carries the service's own wait: that is honoured
  as given (plus up to 10 % jitter) instead of the backoff. At most `max_attempts` tries.
- Staleness: an alert not delivered within `max_age` (3 minutes) of `publish()` is
  dead-lettered as `stale`, never delivered late. A trading signal minutes old invites a
  trade at a price that is gone, and a burst of old alerts after an outage misleads; the
  record stays in the dead-letter file, the failed counter shows in the next heartbeat,
  and the other backend has usually delivered it on time. A retry whose wait would cross
  `max_age` gives up at once rather than sleeping first.
- At least once. A request that timed out may still have been accepted by the service; it
  is retried, so a rare duplicate is possible (neither Discord webhooks nor the Bot API
  take an idempotency key). A duplicate alert is better than a lost one.
- Queue full: the oldest queued alert of that lane is dropped, dead-lettered (`dropped`)
  and reported; the newest alert is the one the trader needs.
- `close(timeout)`: no new alerts; workers drain until the deadline (a retry that would
  wait past it gives up); then whatever is left, including an alert whose request is
  still in flight, is dead-lettered (`shutdown`). Such an in-flight alert may end up both
  delivered and dead-lettered, never neither.

Events passed to `on_event` (serialised: called from one thread at a time):
  {"event": "alert_sent", "backend", "id", "kind", "attempts", "latency_s"}
  {"event": "alert_retry", "backend", "id", "kind", "attempt", "delay_s", "error"}
  {"event": "alert_failed", "backend", "id", "kind", "attempts", "reason", "error"}
  {"event": "alert_dropped", "backend", "id", "kind", "attempts", "reason", "error"}
`reason` is one of permanent, attempts, stale, shutdown, closed (published after close)
and dropped. Error texts come from the backends, which never put a secret in them.

Time for backoff and staleness is `now()`/`sleep()` (monotonic real time unless injected);
the `timeout` of `flush()` and `close()` is real seconds.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from atm.errors import NotifyError, PermanentNotifyError, RateLimited
from atm.notify.base import Message, Notifier
from atm.notify.dead_letter import DeadLetter

log = logging.getLogger("atm.notify")

Event = dict[str, Any]
Delivery = Literal["sent", "permanent", "attempts", "stale", "shutdown", "closed", "dropped"]


@dataclass(frozen=True, slots=True)
class Counters:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0

    def __str__(self) -> str:
        return f"{self.sent}/{self.retried}/{self.failed}/{self.dropped}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.5
    max_age: float = 180.0

    def delay(self, attempt: int, hint: float | None, rand: float) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based); `rand` is in [0, 1)."""
        if hint is not None:
            return hint * (1 + 0.1 * rand)
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return backoff * (1 - self.jitter * rand)


@dataclass(slots=True, eq=False)
class _Item:
    """One alert on its way through one lane (mutable, guarded by the fanout's lock)."""

    message: Message
    enqueued: float
    attempts: int = 0
    error: str = ""
    settled: bool = False


class _Lane:
    def __init__(self, backend: Notifier, lock: threading.Lock) -> None:
        self.backend = backend
        self.name = backend.name
        self.queue: deque[_Item] = deque()
        self.ready = threading.Condition(lock)
        self.current: _Item | None = None
        self.pending = 0  # items without an outcome yet: queued or in flight
        self.counts = {"sent": 0, "retried": 0, "failed": 0, "dropped": 0}
        self.thread: threading.Thread | None = None


class FanoutNotifier:
    """Publishes each message to every backend through its own lane."""

    def __init__(
        self,
        backends: Sequence[Notifier],
        dead_letter: Path,
        *,
        on_event: Callable[[Event], None] | None = None,
        queue_size: int = 50,
        policy: RetryPolicy | None = None,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        names = [b.name for b in backends]
        if len(set(names)) != len(names):
            raise ValueError(f"backend names must be unique, got {names}")
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.policy = policy or RetryPolicy()
        self._queue_size = queue_size
        self._on_event = on_event
        self._now = now
        self._sleep = sleep or self._pause
        self._rand = rand
        self._dead = DeadLetter(dead_letter)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._emit_lock = threading.Lock()
        self._closing = threading.Event()
        self._closed = False
        self._deadline = float("inf")  # in now() time, set by close()
        self._lanes = [_Lane(b, self._lock) for b in backends]
        for lane in self._lanes:
            lane.thread = threading.Thread(
                target=self._work, args=(lane,), name=f"atm-notify-{lane.name}", daemon=True
            )
            lane.thread.start()

    # -- the caller's side -----------------------------------------------------------------

    def publish(self, message: Message) -> None:
        """Queue `message` for every backend; returns at once, whatever the backends do."""
        now = self._now()
        dropped: list[tuple[_Lane, _Item]] = []
        refused: list[tuple[_Lane, _Item]] = []
        with self._lock:
            for lane in self._lanes:
                item = _Item(message, now)
                lane.pending += 1
                if self._closed:
                    refused.append((lane, item))
                    continue
                if len(lane.queue) >= self._queue_size:
                    dropped.append((lane, lane.queue.popleft()))
                lane.queue.append(item)
                lane.ready.notify()
        for lane, item in dropped:
            self._settle(lane, item, "dropped", f"queue full ({self._queue_size} alerts waiting)")
        for lane, item in refused:
            self._settle(lane, item, "closed", "published after the notifier was closed")

    def flush(self, timeout: float) -> bool:
        """Wait until every published alert has an outcome; False if `timeout` ran out."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while any(lane.pending for lane in self._lanes):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Drain for at most `timeout` seconds, then dead-letter whatever is left.

        Returns within `timeout` plus a fraction of a second, even if a backend hangs.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._deadline = self._now() + timeout
            self._closing.set()
            for lane in self._lanes:
                lane.ready.notify_all()
        if not self.flush(timeout):
            self._abandon(timeout)
        for lane in self._lanes:
            if lane.thread is not None:
                lane.thread.join(timeout=0.1)  # a hung worker is a daemon: left behind
        self._dead.close()

    def counters(self) -> dict[str, Counters]:
        with self._lock:
            return {lane.name: Counters(**lane.counts) for lane in self._lanes}

    def summary(self) -> str:
        """`discord 3/0/0/0 telegram 3/1/0/0`: sent/retried/failed/dropped per backend.

        For heartbeats: the console is left out unless it is the only backend.
        """
        counters = self.counters()
        remote = {k: v for k, v in counters.items() if k != "console"} or counters
        return " ".join(f"{name} {c}" for name, c in remote.items())

    @property
    def backends(self) -> list[str]:
        return [lane.name for lane in self._lanes]

    def __repr__(self) -> str:
        return f"FanoutNotifier({self.backends})"

    def _abandon(self, timeout: float) -> None:
        leftovers: list[tuple[_Lane, _Item]] = []
        with self._lock:
            for lane in self._lanes:
                leftovers += [(lane, item) for item in lane.queue]
                lane.queue.clear()
                if lane.current is not None:
                    leftovers.append((lane, lane.current))
        for lane, item in leftovers:
            last = f"; last error: {item.error}" if item.error else ""
            self._settle(lane, item, "shutdown", f"undelivered {timeout:g} s after stop{last}")

    # -- the worker's side -----------------------------------------------------------------

    def _work(self, lane: _Lane) -> None:
        try:
            while (item := self._next(lane)) is not None:
                self._deliver(lane, item)
        finally:
            lane.backend.close()

    def _next(self, lane: _Lane) -> _Item | None:
        with self._lock:
            lane.current = None
            while not lane.queue:
                if self._closing.is_set():
                    return None
                lane.ready.wait()
            lane.current = lane.queue.popleft()
            return lane.current

    def _deliver(self, lane: _Lane, item: _Item) -> None:
        outcome, error = self._try(lane, item)
        self._settle(lane, item, outcome, error)

    def _try(self, lane: _Lane, item: _Item) -> tuple[Delivery, str]:
        """Attempt, wait, attempt again, until an outcome is reached."""
        policy = self.policy
        while True:
            if self._now() - item.enqueued > policy.max_age:
                return "stale", self._stale_text(item)
            item.attempts += 1
            hint: float | None = None
            try:
                lane.backend.send(item.message)
            except PermanentNotifyError as exc:
                return "permanent", str(exc)
            except NotifyError as exc:
                item.error = str(exc)
                hint = exc.retry_after if isinstance(exc, RateLimited) else None
            except Exception as exc:  # the worker's catch-all: a backend bug must not kill it
                # only the type: third-party text may carry a URL with a token in it
                item.error = f"{lane.name}: unexpected {type(exc).__name__}"
            else:
                return "sent", ""
            if item.attempts >= policy.max_attempts:
                return "attempts", item.error
            delay = policy.delay(item.attempts, hint, self._rand())
            wake = self._now() + delay
            if wake - item.enqueued > policy.max_age:
                return "stale", self._stale_text(item, delay)
            if not self._retry_wait(lane, item, delay, wake):
                return "shutdown", f"stopped before the next retry; last error: {item.error}"

    def _retry_wait(self, lane: _Lane, item: _Item, delay: float, wake: float) -> bool:
        """Report the retry and wait for it; False if the close deadline comes first."""
        if wake > self._deadline or item.settled:
            return False
        with self._lock:
            lane.counts["retried"] += 1
        self._emit(
            {
                "event": "alert_retry",
                **self._ids(lane, item),
                "attempt": item.attempts,
                "delay_s": round(delay, 3),
                "error": item.error,
            }
        )
        log.info("%s: alert %s retry in %.2f s: %s", lane.name, item.message.id, delay, item.error)
        while (remaining := wake - self._now()) > 0:
            if wake > self._deadline or item.settled:
                return False
            self._sleep(remaining)
        return True

    def _pause(self, seconds: float) -> None:
        # before close, a backoff wait ends early so the deadline can be re-checked
        if self._closing.is_set():
            time.sleep(seconds)
        else:
            self._closing.wait(seconds)

    def _stale_text(self, item: _Item, delay: float | None = None) -> str:
        limit = f"{self.policy.max_age:g} s"
        head = (
            f"not delivered within {limit}"
            if delay is None
            else f"the next retry (in {delay:.1f} s) would pass the {limit} limit"
        )
        return head + (f"; last error: {item.error}" if item.error else "")

    # -- outcomes --------------------------------------------------------------------------

    def _settle(self, lane: _Lane, item: _Item, outcome: Delivery, error: str) -> None:
        """Record the one outcome of `item` in `lane`: counters, event, dead letter."""
        with self._lock:
            if item.settled:
                return
            item.settled = True
            key = {"sent": "sent", "dropped": "dropped"}.get(outcome, "failed")
            lane.counts[key] += 1
        try:
            self._record(lane, item, outcome, error)
        finally:
            with self._lock:
                lane.pending -= 1
                self._idle.notify_all()

    def _record(self, lane: _Lane, item: _Item, outcome: Delivery, error: str) -> None:
        ids = self._ids(lane, item)
        if outcome == "sent":
            latency = round(self._now() - item.enqueued, 3)
            log.debug("%s: alert %s sent in %.3f s", lane.name, item.message.id, latency)
            self._emit(
                {"event": "alert_sent", **ids, "attempts": item.attempts, "latency_s": latency}
            )
            return
        message = item.message
        self._dead.write(
            {
                "id": message.id,
                "kind": message.kind,
                "text": message.text,
                "ts": message.ts,
                "has_image": message.image_png is not None,
                "backend": lane.name,
                "reason": outcome,
                "attempts": item.attempts,
                "error": error,
                "age_s": round(self._now() - item.enqueued, 3),
            }
        )
        event = "alert_dropped" if outcome == "dropped" else "alert_failed"
        log.warning("%s: alert %s %s (%s): %s", lane.name, message.id, event, outcome, error)
        self._emit(
            {"event": event, **ids, "attempts": item.attempts, "reason": outcome, "error": error}
        )

    @staticmethod
    def _ids(lane: _Lane, item: _Item) -> dict[str, str]:
        return {"backend": lane.name, "id": item.message.id, "kind": item.message.kind}

    def _emit(self, event: Event) -> None:
        if self._on_event is None:
            return
        with self._emit_lock:
            try:
                self._on_event(event)
            except Exception as exc:  # an audit hiccup must not stop delivery
                log.error("on_event handler failed on %s: %s", event["event"], type(exc).__name__)
