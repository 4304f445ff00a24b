"""The run's own messages: the startup ping, a heartbeat every `heartbeat.minutes`, the stop.

Two stages, because their places in the loop differ: the startup ping goes first on the
first cycle (before any late-start alert), the heartbeat last (after the health checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from atm import messages
from atm.canary import Canary
from atm.config import Config
from atm.health import Health
from atm.stages.base import Alert, Event, RunStats, Tick


class StartStopStage:
    def __init__(
        self,
        config: Config,
        stats: RunStats,
        summary: Callable[[], str],
        canary: Canary | None,
    ) -> None:
        self._config, self._stats, self._summary, self._canary = config, stats, summary, canary

    def observe(self, tick: Tick) -> Iterator[Event]:
        if not tick.first or tick.frame is None:
            return
        name = Path(self._config.source).name or "built-in defaults"
        status = self._canary.status() if self._canary else "off"
        text = messages.startup(name, status, self._config.symbol_label)
        yield Alert("startup", text, tick.ts, tick.frame)

    def close(self, ts: float) -> Iterator[Event]:
        if self._stats.cycles:
            text = messages.stop(len(self._stats.sent), self._stats.cycles, self._summary())
            yield Alert("stop", text, ts)


class HeartbeatStage:
    """The heartbeat every `heartbeat.minutes`; while the canary has paused detection it
    still comes, saying that nothing is watched and how to resume."""

    def __init__(
        self,
        config: Config,
        stats: RunStats,
        summary: Callable[[], str],
        health: Health,
        canary: Canary | None = None,
    ) -> None:
        self._period = config.heartbeat.minutes * 60
        self._zone = config.schedule.timezone
        self._stats, self._summary, self._health = stats, summary, health
        self._canary = canary
        self._next: float | None = None

    def observe(self, tick: Tick) -> Iterator[Event]:
        if tick.first:
            self._next = tick.ts + self._period
        if not tick.full or tick.frame is None:
            return
        if self._next is None or tick.ts < self._next:
            return
        self._next = tick.ts + self._period
        if tick.paused:
            yield self._paused(tick.ts)
            return
        text = messages.heartbeat(
            tick.ts,
            len(self._stats.sent),
            self._stats.confidence,
            self._health.ok,
            self._summary(),
            self._zone,
        )
        self._stats.heartbeats += 1
        yield Alert("heartbeat", text, tick.ts)

    def _paused(self, ts: float) -> Alert:
        resume = self._canary.resume_hint() if self._canary is not None else "restart ATM"
        why = "the chart layout changed"
        text = messages.paused_heartbeat(ts, why, resume, self._summary(), self._zone)
        self._stats.paused_heartbeats += 1
        return Alert("heartbeat", text, ts)

    def close(self, ts: float) -> Iterator[Event]:
        yield from ()
