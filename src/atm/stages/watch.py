"""The decision core as a stage: read the strip, step the machine, report setups.

It owns the `Monitor` (detector, state machine, late start, catch-up) and writes the
cycle's audit fields. Triggers are the `SignalStage`'s: it reads `tick.seen` next.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from atm import messages
from atm.config import AlertKind, Config
from atm.fsm import State
from atm.monitor import Monitor, Observation, Reconciled
from atm.stages.base import Alert, Event, Tick, failure_record

#: Step actions that start or restart a setup: the trader hears of each one.
_SETUP_ACTIONS: dict[str, AlertKind] = {"arm": "arm", "rearm_opposite": "arm", "prime": "prime"}


class WatchStage:
    def __init__(self, config: Config) -> None:
        self.monitor = Monitor(config)
        self._roi = config.dot_roi
        self._symbol = config.symbol_label
        self._zone = config.schedule.timezone

    def observe(self, tick: Tick) -> Iterator[Event]:
        if tick.frame is None:
            self.monitor.mark_blind()
            tick.record.update(failure_record(tick.error))
            tick.eventful = True
            return
        if tick.paused:
            self.monitor.mark_blind()
            tick.record["reason"] = "paused"
            return
        seen = self.monitor.observe(tick.frame.crop(self._roi), tick.ts)
        tick.seen = seen
        tick.record.update(self._cycle_record(seen))
        if _moved(seen):
            tick.eventful = True
            tick.promote()
        yield from self._setups(tick, seen)

    def close(self, ts: float) -> Iterator[Event]:
        yield from ()

    def _setups(self, tick: Tick, seen: Observation) -> Iterator[Event]:
        frame, detection = tick.frame, seen.detection
        if seen.late_start is not None:
            text = messages.late_start(*_state(seen.late_start), self._symbol, self._zone)
            tick.record["reason"] = "late_start"
            yield Alert("late_start", text, tick.ts, frame, detection, cycle=True)
        if seen.catchup is not None:
            text = messages.catchup(*_state(seen.catchup), self._symbol, self._zone)
            tick.record["reason"] = "catchup"
            yield Alert("catchup", text, tick.ts, frame, detection, cycle=True)
        step = seen.step
        if step is not None and step.fire is None and step.action in _SETUP_ACTIONS:
            text = messages.armed(step.after, self._symbol, step.ts, self._zone)
            yield Alert(_SETUP_ACTIONS[step.action], text, tick.ts, frame, detection, cycle=True)

    def _cycle_record(self, seen: Observation) -> dict[str, Any]:
        detection = seen.detection
        dot, step = detection.dot, seen.step
        record = {
            "window_found": True,
            "roi_ok": dot is not None,
            "rightmost_dot_color": dot.color if dot else None,
            "confidence": round(dot.confidence, 3) if dot else None,
            "state": self.monitor.machine.state,
            "transition": f"{step.before}→{step.after}" if step and step.changed else None,
            "trigger": step.fire if step else None,
            "locked": bool(step and step.locked),
            "notified": False,
            "reason": step.action if step else ("unknown" if dot else "no_dot"),
        }
        if detection.status in ("obstructed", "not_live"):  # why the live dot was not read
            record.update(reason=detection.status, cause=detection.cause)
        if detection.seen_through:
            record["seen_through"] = True  # a thin line over the strip was painted out
        if step is not None and step.duplicate:
            record["duplicate"] = True
        return record


def _moved(seen: Observation) -> bool:
    """Something happened that the trader may hear of: a screenshot may be needed."""
    step = seen.step
    moved = step is not None and (step.changed or step.fire is not None)
    return moved or seen.late_start is not None or seen.catchup is not None


def _state(found: Reconciled) -> tuple[State, float | None]:
    return found.state, found.since
