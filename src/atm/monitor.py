"""Detector and state machine together, with late start and catch-up (SPEC §3).

`Monitor.observe` is the decision core shared by the live runner and the dry run, so the
gate measures exactly what runs live. It holds no I/O: alerts and audit are the caller's.

Only a live read of the live slot reaches the machine (`atm.slot`); an obstructed or
not-live read leaves the state as it is, and the next read tries again. The bars the
strip shows are evidence (`atm.history.Tape`): a view that fits the bars already seen
only with the live slot showing an older one is a chart scrolled back (not live); one
that shows bars opened since the last read beyond the next is a gap, and the bars missed
are replayed silently — they never fire — before the live one steps (catch-up). After a
gap the monitor trusts no view that contradicts what it saw: it holds a few reads, then
starts over from the strip as a late start would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from atm.colors import UNKNOWN
from atm.config import Config
from atm.detect import Detection, Detector
from atm.fsm import Machine, State, Step
from atm.history import Placement, Slot, Tape
from atm.slot import Cause
from atm.types import Image

#: Cycles in a row without an accepted colour after which the monitor counts as blind.
BLIND_AFTER: Final = 2
#: Reads held back while the strip contradicts what was seen, before starting over.
HOLD_LIMIT: Final = 3
#: A strip whose pixels have not changed for a bar period and this long is a frozen
#: capture (a hung remote session): every bar opens a new dot, so it is not live.
FROZEN_MARGIN_S: Final = 60.0


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
    catchup: Reconciled | None = None  # set when bars missed in a gap set up a signal


class Monitor:
    def __init__(self, config: Config) -> None:
        self._bar_s = config.chart.bar_minutes * 60
        self.detector = Detector(config)
        self.machine = Machine(config.lockout.minutes * 60, self._bar_s)
        self.tape = Tape(self._bar_s)
        self._started = False
        self._misses = 0
        self._blind = False
        self._holds = 0
        self._doubts = 0  # views in a row, while watching, that contradicted the tape
        self._changed = 0.0  # when the strip's pixels last changed
        self._placed = False  # the last read was placed against the tape

    def observe(self, strip: Image, ts: float) -> Observation:
        """One read of the `dot_roi` crop `strip`: reconcile if needed, step the machine."""
        seen = self.detector.read(strip, ts)
        repeated, placed_last, self._placed = self.detector.repeated, self._placed, False
        if not repeated:
            self._changed = ts
        if seen.status != "live":
            return self._missed(self.detector.accept(seen))
        if not self._started:
            return self._start(strip, seen, ts)
        if ts - self._changed > self.tape.period + FROZEN_MARGIN_S:
            return self._missed(_not_live(seen, "frozen"))  # a new bar would have moved it
        # the very pixels last placed show the very same bars
        placed = Placement("same") if repeated and placed_last else self._place(strip, seen, ts)
        self._placed = True
        if placed.kind != "suspect":
            self._doubts = 0
        if placed.kind == "scrolled":
            return self._missed(_not_live(seen, "scrolled"))
        if placed.kind == "suspect" and self._blind:
            return self._hold(strip, seen, ts)
        seen = self.detector.accept(seen)
        color = seen.accepted
        if color is None:
            return self._missed(seen)
        before = self.machine.state
        self._replay(placed, ts)
        catchup = self._caught_up(before)
        self.tape.record(placed, color, ts)
        self.machine.bar_s = self.tape.period  # FIREs a bar apart are one FIRE
        self._misses, self._blind, self._holds = 0, False, 0
        return Observation(seen, step=self.machine.step(color, ts), catchup=catchup)

    def mark_blind(self) -> None:
        """The caller could not look (paused, capture failed): reconcile when sight returns."""
        self._blind = True

    # -- reads that do not step the machine ----------------------------------------------

    def _missed(self, seen: Detection) -> Observation:
        self._misses += 1
        self._blind = self._blind or self._misses >= BLIND_AFTER
        return Observation(seen)

    def _hold(self, strip: Image, seen: Detection, ts: float) -> Observation:
        """The strip contradicts what was seen: wait a few reads, then start over from it."""
        self._holds += 1
        if self._holds < HOLD_LIMIT:
            return self._missed(_not_live(seen, "history"))
        history = self.detector.history(strip)
        before = self.machine.state
        self._resync(history, ts)
        self._misses, self._blind, self._holds = 0, False, 0
        return Observation(seen, catchup=self._caught_up(before))

    # -- late start, placement, catch-up ---------------------------------------------------

    def _start(self, strip: Image, seen: Detection, ts: float) -> Observation:
        """The first live read: replay the visible strip silently (SPEC §3 late start);
        report only if a setup is under way. A strip with a hole in its history (a box
        over part of it) is held a few reads, in case the next is whole."""
        history = self.detector.history(strip)
        if _holes(history) and self._holds + 1 < HOLD_LIMIT:
            self._holds += 1
            return self._missed(_not_live(seen, "history"))
        seen = self.detector.accept(seen)
        if seen.accepted is None:
            return self._missed(seen)
        self._started, self._misses, self._blind, self._holds = True, 0, False, 0
        self._resync(history, ts)
        state = self.machine.state
        late = None if state == "IDLE" else Reconciled(state, self.machine.since)
        return Observation(seen, late_start=late)

    def _place(self, strip: Image, seen: Detection, ts: float) -> Placement:
        """Where this view sits against the bars seen: the live slot's neighbours first,
        the whole strip when they cannot tell (after a gap, or many bars since)."""
        live: Slot = seen.dot.color if seen.dot else None
        near = self._trusted(self.tape.place((*reversed(seen.neighbours), live), ts), seen)
        if near.kind in ("same", "new", "scrolled"):
            return near
        if not self._blind and near.kind == "unverified" and not near.restart:
            return near
        whole = self.detector.history(strip)
        placed = self._trusted(self.tape.place(whole, ts), seen) if whole else near
        if placed.kind == "suspect" and not self._blind:
            self._doubts += 1
            if self._doubts >= HOLD_LIMIT:  # what was seen no longer matches: start over
                self.tape.start(whole, ts)
                self._doubts = 0
        return placed

    @staticmethod
    def _trusted(placed: Placement, seen: Detection) -> Placement:
        """A bare margin wide enough to show a scrolled chart's dots says live: history
        that says "scrolled" then is a misread slot, not a scroll-back."""
        return Placement("suspect") if placed.kind == "scrolled" and seen.wide_margin else placed

    def _replay(self, placed: Placement, ts: float) -> None:
        """Step the bars opened since the last one seen, silently (they never fire)."""
        missed = placed.fresh[:-1]
        for k, color in enumerate(missed):
            if color is not None and color != UNKNOWN:
                self.machine.step(color, ts - (len(missed) - k) * self.tape.period)

    def _resync(self, history: Sequence[Slot], ts: float) -> None:
        """Rebuild the state from the visible strip: replay it through a fresh machine,
        silently, keeping the FIREs already made (lockout, idempotence)."""
        scratch = Machine(self.machine.lockout_s, self.tape.period)
        scratch.last_fire = dict(self.machine.last_fire)
        n = len(history)
        for i, color in enumerate(history):
            if color is not None and color != UNKNOWN:
                scratch.step(color, ts - (n - 1 - i) * self.tape.period)
        self.machine.state, self.machine.since = scratch.state, scratch.since
        self.machine.last_fire = scratch.last_fire
        self.tape.start(history, ts)

    def _caught_up(self, before: State) -> Reconciled | None:
        """A setup the replayed bars started or moved on, which the trader has not heard of."""
        state = self.machine.state
        return None if state in ("IDLE", before) else Reconciled(state, self.machine.since)


def _not_live(seen: Detection, cause: Cause) -> Detection:
    return replace(seen, status="not_live", cause=cause, dot=None)


def _holes(history: Sequence[Slot]) -> bool:
    """A slot with no dot between the oldest dot and the live one."""
    present = [i for i, color in enumerate(history) if color is not None]
    return bool(present) and len(present) < len(history) - present[0]
