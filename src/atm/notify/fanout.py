"""Fan each alert out to every backend without ever blocking the caller; lose none silently.

Each backend gets a lane: a bounded queue (50) and one named worker thread
(`atm-notify-<name>`). `publish()` only appends to the queues, so a hung backend delays
nothing but its own lane. Every alert ends in exactly one recorded outcome per backend:
delivered (`alert_sent`) or written to `logs/dead_letter.jsonl` with the reason
(`alert_failed`, `alert_dropped`). With an `Outbox`, every alert is on disk before it is
queued and every outcome after, so a crash or kill -9 loses none (`atm.notify.outbox`).

Policy, and why:

- Retries. A transient error (5xx, timeout, refused connection, 429) is retried; a
  permanent one (bad token, unknown webhook, chat not found) is not. Attempt n is followed
  by a wait of `base_delay * 2**(n-1)`, capped at `max_delay`, times a random factor in
  `[1 - jitter, 1]`. A rate-limit reply carries the service's own wait: that is honoured
  as given (plus up to 10 % jitter) instead of the backoff. At most `max_attempts` tries.
- Staleness: an alert not delivered within `max_age` (3 minutes) of `publish()` is
  dead-lettered as `stale`, never delivered late. A trading signal minutes old invites a
  trade at a price that is gone, and a burst of old alerts after an outage misleads; the
  record stays in the dead letter, the failed counter shows in the next heartbeat, and
  the other backend has usually delivered it on time. A retry whose wait would cross
  `max_age` gives up at once rather than sleeping first.
- Rate limits hold the whole lane: after a 429 nothing is sent to that service until its
  wait is over, so a backlog never hammers a service that asked for quiet.
- At least once within a run: a request that timed out may have been accepted, yet it is
  retried (neither Discord webhooks nor the Bot API take an idempotency key). Across a
  restart, at most once: an attempt in flight when the process died is not resent
  (`interrupted`), as it may have arrived and the outbox cannot know.
- Queue full: one alert of that lane is dropped, dead-lettered (`dropped`) and reported,
  in the order of `policy.DROP_ORDER`: heartbeats, then arm/prime, then health, and
  levels and triggers last; the oldest of a group first (the newest is what the trader
  needs).
- `close(timeout)`: no new alerts; workers drain until the deadline, honouring a rate
  limit's wait when it ends before the deadline (a wait that would pass it gives up);
  then whatever is left, including an alert whose request is still in flight, is
  dead-lettered (`shutdown`). Such an in-flight alert may end up both delivered and
  dead-lettered, never neither.

Events passed to `on_event` (serialised: called from one thread at a time):
  {"event": "alert_sent", "backend", "id", "kind", "attempts", "latency_s"}
  {"event": "alert_retry", "backend", "id", "kind", "attempt", "delay_s", "error"}
  {"event": "alert_failed", "backend", "id", "kind", "attempts", "reason", "error"}
  {"event": "alert_dropped", "backend", "id", "kind", "attempts", "reason", "error"}
  {"event": "write_failed", "file", "error"}  (the dead letter or the outbox refused a line)
`reason` is a `policy.Delivery` other than `sent`; error texts never carry a secret.

Backoff and staleness use `now()`/`sleep()` (monotonic real time unless injected); the
`timeout` of `flush()` and `close()` is real seconds.
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

from atm.errors import NotifyError, PermanentNotifyError, RateLimited
from atm.notify.base import Message, Notifier
from atm.notify.outbox import Outbox
from atm.notify.outcomes import Event, Outcomes
from atm.notify.policy import Counters, Delivery, RetryPolicy, drop_rank

__all__ = ["Counters", "Delivery", "Event", "FanoutNotifier", "RetryPolicy"]

log = logging.getLogger("atm.notify")


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
        self.quiet_until = float("-inf")  # in now() time: the service asked us to wait
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
        outbox: Outbox | None = None,
    ) -> None:
        """With `outbox`, what the last run left unfinished is resumed before this returns."""
        names = [b.name for b in backends]
        if len(set(names)) != len(names):
            raise ValueError(f"backend names must be unique, got {names}")
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.policy = policy or RetryPolicy()
        self._queue_size = queue_size
        self._now = now
        self._sleep = sleep or self._pause
        self._rand = rand
        self._out = Outcomes(dead_letter, outbox, on_event, now)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._closing = threading.Event()
        self._closed = False
        self._deadline = float("inf")  # in now() time, set by close()
        self._lanes = [_Lane(b, self._lock) for b in backends]
        for lane in self._lanes:
            lane.thread = threading.Thread(
                target=self._work, args=(lane,), name=f"atm-notify-{lane.name}", daemon=True
            )
            lane.thread.start()
        if outbox is not None:
            self._resume(outbox)

    # -- the caller's side -----------------------------------------------------------------

    def publish(self, message: Message) -> None:
        """Queue `message` for every backend; returns at once, whatever the backends do.

        With an outbox the alert is on disk first; a disk that refuses it is reported
        (`write_failed`) and the alert is queued all the same.
        """
        now = self._now()  # latency counts the outbox's fsync too
        self._out.queued(message, self.backends)
        dropped: list[tuple[_Lane, _Item]] = []
        refused: list[tuple[_Lane, _Item]] = []
        with self._lock:
            for lane in self._lanes:
                item = _Item(message, now)
                lane.pending += 1
                if self._closed:
                    refused.append((lane, item))
                elif (victim := self._enqueue(lane, item)) is not None:
                    dropped.append((lane, victim))
        for lane, item in dropped:
            self._settle(lane, item, "dropped", f"queue full ({self._queue_size} alerts waiting)")
        for lane, item in refused:
            self._settle(lane, item, "closed", "published after the notifier was closed")
        self._out.picture(message)

    def _enqueue(self, lane: _Lane, item: _Item) -> _Item | None:
        """Append under the lock; when the queue is full, the alert dropped instead."""
        victim = None
        if len(lane.queue) >= self._queue_size:
            # min() keeps the first of equals: the oldest of the lowest rank
            victim = min([*lane.queue, item], key=lambda i: drop_rank(i.message.kind))
            if victim is item:
                return item
            lane.queue.remove(victim)
        lane.queue.append(item)
        lane.ready.notify()
        return victim

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
        self._out.close()

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
            if lane.quiet_until > self._now():
                if not self._wait(item, lane.quiet_until):
                    return self._cut_short(item, lane.quiet_until)
                continue
            item.attempts += 1
            hint: float | None = None
            self._out.sending(item.message, lane.name)
            try:
                lane.backend.send(item.message)
            except PermanentNotifyError as exc:
                return "permanent", str(exc)
            except NotifyError as exc:
                item.error = str(exc)
                if isinstance(exc, RateLimited):  # the service asked for quiet, not one alert
                    hint = exc.retry_after
                    lane.quiet_until = self._now() + hint
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
        self._out.retrying(item.message, lane.name)
        self._out.emit(
            {
                "event": "alert_retry",
                "backend": lane.name,
                "id": item.message.id,
                "kind": item.message.kind,
                "attempt": item.attempts,
                "delay_s": round(delay, 3),
                "error": item.error,
            }
        )
        log.info("%s: alert %s retry in %.2f s: %s", lane.name, item.message.id, delay, item.error)
        return self._wait(item, wake)

    def _wait(self, item: _Item, wake: float) -> bool:
        """Sleep until `wake` (now() time); False if the close deadline would pass first."""
        while (remaining := wake - self._now()) > 0:
            if wake > self._deadline or item.settled:
                return False
            self._sleep(remaining)
        return True

    def _cut_short(self, item: _Item, wake: float) -> tuple[Delivery, str]:
        """Why an alert waiting out a rate limit did not get its turn."""
        if item.settled or wake > self._deadline:
            wait = f"the service asked to wait {wake - self._now():.1f} s more"
            return "shutdown", f"stopped while {wait}; last error: {item.error or 'none'}"
        return "stale", self._stale_text(item, wake - self._now())

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

    # -- restart -----------------------------------------------------------------------------

    def _resume(self, outbox: Outbox) -> None:
        """Deliver what the last run left unfinished, or dead-letter it with the reason."""
        try:
            unfinished = outbox.load()
        except OSError as exc:
            self._out.write_failed(outbox.path, exc)
            return
        lanes = {lane.name: lane for lane in self._lanes}
        for alert in unfinished:
            for backend, state in alert.backends.items():
                lane = lanes.get(backend)
                verdict = self.policy.after_restart(state, alert.age, lane is not None)
                if lane is not None:
                    self._requeue(lane, _Item(alert.message, self._now() - alert.age), verdict)
                elif verdict is not None:
                    outcome, why = verdict
                    age = round(alert.age, 3)
                    self._out.record(
                        backend, alert.message, outcome, attempts=0, age=age, error=why
                    )

    def _requeue(self, lane: _Lane, item: _Item, verdict: tuple[Delivery, str] | None) -> None:
        with self._lock:
            lane.pending += 1
            victim = item if verdict is not None else self._enqueue(lane, item)
        if victim is not None:
            self._settle(lane, victim, *(verdict or ("dropped", "queue full after a restart")))

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
            age = round(self._now() - item.enqueued, 3)
            self._out.record(
                lane.name, item.message, outcome, attempts=item.attempts, age=age, error=error
            )
        finally:
            with self._lock:
                lane.pending -= 1
                self._idle.notify_all()
