"""The dead-man's switch as a stage: `start` on the first cycle, a `ping` with each
heartbeat (a `fail` with each heartbeat while detection is paused), `fail` when a health
episode opens (its alert text as the message), and a `ping` at a clean stop
(`atm.deadman` sends them on its own thread).

It yields no events: the switch reports its outcomes to the audit itself. A crash or a
frozen loop sends nothing more, and that silence is what the service alerts on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from atm import messages
from atm.stages.base import ChartStages, Event, RunStats, Tick


class Pinger(Protocol):
    """What the stage needs of `atm.deadman.DeadMansSwitch`."""

    def start(self, text: str = "") -> None: ...

    def ping(self, text: str = "") -> None: ...

    def fail(self, text: str) -> None: ...

    def close(self, timeout: float = 5.0) -> None: ...


class DeadMansSwitchStage:
    def __init__(self, charts: Sequence[ChartStages], stats: RunStats, switch: Pinger) -> None:
        self._charts, self._stats, self._switch = charts, stats, switch
        self._label = ", ".join(c.config.symbol_label for c in charts)
        self._heartbeats = 0
        self._paused_beats = 0
        self._open: frozenset[str] = frozenset()

    def observe(self, tick: Tick) -> Iterator[Event]:
        if tick.first:
            self._switch.start(f"ATM started watching {self._label}")
        opened = self._opened()
        for key in sorted(set(opened) - self._open):
            self._switch.fail(opened[key])
        self._open = frozenset(opened)
        if self._stats.heartbeats > self._heartbeats:  # the heartbeat stage just sent one
            self._heartbeats = self._stats.heartbeats
            self._switch.ping(
                f"alive: {len(self._stats.sent)} triggers, {self._stats.cycles} cycles"
            )
        if self._stats.paused_heartbeats > self._paused_beats:  # alive, but watching nothing
            self._paused_beats = self._stats.paused_heartbeats
            self._switch.fail("ATM is paused (the chart layout changed): not watching the chart")
        yield from ()

    def _opened(self) -> dict[str, str]:
        """Every chart's open health episodes, by chart and kind, with their alert text."""
        several = len(self._charts) > 1
        return {
            f"{c.config.name}/{kind}": (f"{c.config.symbol_label}: {text}" if several else text)
            for c in self._charts
            for kind, text in c.health.opened.items()
        }

    def close(self, ts: float) -> Iterator[Event]:
        if self._stats.cycles:
            self._switch.ping(messages.stop(len(self._stats.sent), self._stats.cycles, ""))
        self._switch.close()
        yield from ()
