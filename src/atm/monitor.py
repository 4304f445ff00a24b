"""Detector and state machine together, with late start and catch-up (SPEC §3).

`Monitor.observe` is the decision core shared by the live runner and the dry run, so the
gate measures exactly what runs live. It holds no I/O: alerts and audit are the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass

from atm.colors import UNKNOWN, Color
from atm.config import Config
from atm.detect import Detection, Detector, Dot
from atm.fsm import Machine, State, Step, direction_of
from atm.types import Direction, Image

#: Cycles in a row without an accepted colour after which the monitor counts as blind.
BLIND_AFTER = 2

_PHASE_TWO: dict[str, Direction] = {"dark_green": "BUY", "dark_red": "SELL"}


@dataclass(frozen=True, slots=True)
class Reconciled:
    """The state rebuilt from the visible strip, and since when it holds."""

    state: State
    since: float | None


@dataclass(frozen=True, slots=True)
class Observation:
    detection: Detection
    step: Step | None = None
    late_start: Reconciled | None = None  # set once, on the first good frame
    catchup: Reconciled | None = None  # set when blindness ended in a phase-2 colour


class Monitor:
    def __init__(self, config: Config) -> None:
        self.detector = Detector(config)
        self.machine = Machine(config.lockout.minutes * 60)
        self._bar_s = config.chart.bar_minutes * 60
        self._started = False
        self._misses = 0
        self._blind = False

    def observe(self, strip: Image, ts: float) -> Observation:
        """One read of the `dot_roi` crop `strip`: reconcile if needed, step the machine."""
        detection = self.detector.detect(strip, ts)
        color = detection.accepted
        if color is None:
            self._misses += 1
            self._blind = self._blind or self._misses >= BLIND_AFTER
            return Observation(detection)
        self._misses = 0
        if not self._started:
            self._started = True
            return Observation(detection, late_start=self._late_start(strip, ts))
        catchup = self._catchup(strip, ts, color) if self._blind else None
        self._blind = False
        return Observation(detection, step=self.machine.step(color, ts), catchup=catchup)

    def mark_blind(self) -> None:
        """The caller could not look (paused, capture failed): reconcile when sight returns."""
        self._blind = True

    def _late_start(self, strip: Image, ts: float) -> Reconciled | None:
        """Replay the visible strip silently; report only if a setup is under way."""
        for color, when in self._history(strip, ts):
            self.machine.step(color, when)
        state = self.machine.state
        return None if state == "IDLE" else Reconciled(state, self.machine.since)

    def _catchup(self, strip: Image, ts: float, color: Color) -> Reconciled | None:
        """Blind, then a phase-2 dot while IDLE: did we miss the arming? Ask the strip.

        The strip is replayed through a scratch machine, so a FIRE in the history resets it
        exactly as it did live: residual phase-2 dots after a FIRE never re-arm.
        """
        direction = _PHASE_TWO.get(color)
        if direction is None or self.machine.state != "IDLE":
            return None
        scratch = Machine(self.machine.lockout_s)
        for dot_color, when in self._history(strip, ts)[:-1]:  # the newest dot steps live
            scratch.step(dot_color, when)
        if direction_of(scratch.state) != direction:
            return None
        self.machine.state, self.machine.since = scratch.state, scratch.since
        return Reconciled(scratch.state, scratch.since)

    def _history(self, strip: Image, ts: float) -> list[tuple[Color, float]]:
        """Known colours of the visible dots, oldest first, timed one bar apart back from ts."""
        dots: tuple[Dot, ...] = self.detector.history(strip)
        n = len(dots)
        return [
            (d.color, ts - (n - 1 - i) * self._bar_s)
            for i, d in enumerate(dots)
            if d.color != UNKNOWN
        ]
