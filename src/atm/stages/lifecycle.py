"""The run's own messages: the startup ping, a heartbeat every `heartbeat.minutes`, the stop.

Two stages, because their places in the loop differ: the startup ping goes first on the
first cycle (before any late-start alert), the heartbeat last (after the health checks).
With several charts each message speaks for all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from atm import messages
from atm.config import Config
from atm.stages.base import Alert, ChartStages, Event, RunStats, Tick


class StartStopStage:
    def __init__(
        self,
        config: Config,
        charts: Sequence[ChartStages],
        stats: RunStats,
        summary: Callable[[], str],
    ) -> None:
        self._config, self._charts, self._stats, self._summary = config, charts, stats, summary

    def observe(self, tick: Tick) -> Iterator[Event]:
        if not tick.first or tick.frame is None:
            return
        name = Path(self._config.source).name or "built-in defaults"
        symbols = ", ".join(c.config.symbol_label for c in self._charts)
        yield Alert(
            "startup", messages.startup(name, self._canaries(), symbols), tick.ts, tick.frame
        )

    def close(self, ts: float) -> Iterator[Event]:
        if self._stats.cycles:
            text = messages.stop(len(self._stats.sent), self._stats.cycles, self._summary())
            yield Alert("stop", text, ts)

    def _canaries(self) -> str:
        status = [c.canary.status() if c.canary else "off" for c in self._charts]
        if len(self._charts) == 1:
            return status[0]
        return "; ".join(f"{c.config.name} {s}" for c, s in zip(self._charts, status, strict=True))


class HeartbeatStage:
    """The heartbeat every `heartbeat.minutes`. While every chart is paused it still comes,
    saying that nothing is watched and how to resume; with several charts it names each
    one's state, a paused one as not watched."""

    def __init__(
        self,
        config: Config,
        charts: Sequence[ChartStages],
        stats: RunStats,
        summary: Callable[[], str],
    ) -> None:
        self._period = config.heartbeat.minutes * 60
        self._zone = config.schedule.timezone
        self._charts, self._stats, self._summary = charts, stats, summary
        self._next: float | None = None

    def observe(self, tick: Tick) -> Iterator[Event]:
        if tick.first:
            self._next = tick.ts + self._period
        if not tick.full or tick.frame is None:
            return
        if self._next is None or tick.ts < self._next:
            return
        self._next = tick.ts + self._period
        if all(c.paused for c in self._charts):
            yield self._paused(tick.ts)
            return
        text = messages.heartbeat(
            tick.ts,
            len(self._stats.sent),
            self._stats.confidence,
            self._state(),
            self._summary(),
            self._zone,
        )
        self._stats.heartbeats += 1
        yield Alert("heartbeat", text, tick.ts)

    def _state(self) -> str:
        """`chart OK` for one chart; `DIA OK · GLD PAUSED (not watched)` for several."""
        if len(self._charts) == 1:
            return "chart OK" if self._charts[0].health.ok else "chart NOT OK"
        return " · ".join(
            f"{c.config.symbol_label} "
            + ("PAUSED (not watched)" if c.paused else "OK" if c.health.ok else "NOT OK")
            for c in self._charts
        )

    def _paused(self, ts: float) -> Alert:
        hints = [c.canary.resume_hint() for c in self._charts if c.canary is not None]
        resume = "; ".join(dict.fromkeys(hints)) or "restart ATM"
        why = "the chart layout changed"
        text = messages.paused_heartbeat(ts, why, resume, self._summary(), self._zone)
        self._stats.paused_heartbeats += 1
        return Alert("heartbeat", text, ts)

    def close(self, ts: float) -> Iterator[Event]:
        yield from ()
