"""Triggers and their Phase B: send the FIRE first, then read the SL/TP lines the trader draws.

A trigger inside the lockout or while an earlier Phase B is open (SPEC §3) is recorded and
not sent. After a sent trigger the lines already on the chart are scanned as a baseline
(they belong to an earlier trade), and every full cycle scans again until Phase B ends.

A sent trigger is a signal: its alert id is the signal id (`atm.journal.ids`), shown in
the footer of the trigger and levels texts, in the screenshot's file name, and in the
audit (a `signal` event, the cycle's line, the levels events) — the journal's key.
"""

from __future__ import annotations

from collections.abc import Iterator

from atm import messages
from atm.clock import local
from atm.config import Config
from atm.frame import Frame
from atm.fsm import Step
from atm.journal.ids import footer, signal_id
from atm.journal.signals import signal_event
from atm.levels import LevelsOutcome, PhaseB, scan
from atm.stages.base import Alert, Audit, Event, FireRecord, RunStats, Tick
from atm.types import Direction
from atm.vision.axis import TextReader


class SignalStage:
    def __init__(self, config: Config, stats: RunStats, ocr: TextReader | None) -> None:
        self._config, self._stats, self._ocr = config, stats, ocr
        self._zone = config.schedule.timezone
        self._phase_b: PhaseB | None = None
        self._signal = ""  # the signal whose levels Phase B is reading

    def observe(self, tick: Tick) -> Iterator[Event]:
        if tick.frame is None or tick.paused:
            return
        step = tick.seen.step if tick.seen is not None else None
        if step is not None and step.fire is not None:
            yield from self._on_fire(tick, step, step.fire)
        if tick.full and self._phase_b is not None:
            reading = scan(tick.frame, self._config, self._ocr, direction=self._phase_b.direction)
            yield from self._outcome(self._phase_b.observe(reading, tick.ts), tick.ts, tick.frame)

    def close(self, ts: float) -> Iterator[Event]:
        yield from ()

    def _on_fire(self, tick: Tick, step: Step, direction: Direction) -> Iterator[Event]:
        outcome = "locked" if step.locked else "duplicate" if step.duplicate else "sent"
        if outcome == "sent" and self._phase_b is not None:
            yield from self._outcome(self._phase_b.expire(step.ts), step.ts)
            if self._phase_b is not None:
                outcome = "suppressed_phase_b"  # SPEC §3: one trade's levels at a time
        self._stats.fires.append(FireRecord(step.ts, direction, outcome))
        if outcome != "sent":
            tick.record.update(notified=False, reason=outcome)
            return
        frame = tick.promote()
        assert frame is not None
        symbol = self._config.symbol_label
        sid = signal_id(symbol, direction, step.ts)
        text = messages.trigger(direction, symbol, step.ts, self._zone) + footer(sid)
        stem = f"{local(frame.ts, self._zone):%Y%m%d_%H%M%S}_{direction}_{sid}"
        detection = tick.seen.detection if tick.seen is not None else None
        yield Alert("trigger", text, tick.ts, frame, detection, cycle=True,
                    keep_as=f"{stem}.png", keep_raw=f"{stem}_frame.png", id=sid)  # fmt: skip
        dot = detection.dot if detection is not None else None
        yield Audit(frame.ts, signal_event(
            sid, direction, symbol, color=dot.color if dot else None,
            confidence=round(dot.confidence, 3) if dot else None,
            screenshot=f"{stem}.png", frame=f"{stem}_frame.png",
        ))  # fmt: skip
        tick.record.update(signal=sid, phase_b="open")
        self._signal = sid
        # lines already on the chart belong to an earlier trade, never to this one
        baseline = scan(frame, self._config, self._ocr, direction=direction)
        self._phase_b = PhaseB.after_fire(step.ts, direction, self._config, baseline)

    def _outcome(
        self, outcome: LevelsOutcome, ts: float, frame: Frame | None = None
    ) -> Iterator[Event]:
        if outcome.kind == "wait":
            return
        found = outcome.reading.as_dict() if outcome.reading else None
        yield Audit(ts, {"event": f"levels_{outcome.kind}", "levels": found,
                         "signal": self._signal})  # fmt: skip
        if outcome.text is not None:
            yield Alert("levels", outcome.text + footer(self._signal), ts, frame)
        if outcome.done:
            self._phase_b = None
