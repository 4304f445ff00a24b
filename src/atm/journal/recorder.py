"""Telegram presses into the journal: find the signal, decide, append, label the frame."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from atm.clock import WallClock
from atm.config.journal import Journal
from atm.errors import AtmError
from atm.journal import signals, store
from atm.journal.choices import Answer, Choice, Press
from atm.journal.presses import decide, label_not_fire
from atm.journal.record import Trade
from atm.workspace import Workspace

#: Presses usually come within minutes; the audit of the last days is searched first.
_RECENT = timedelta(days=7)
#: A press can beat the signal's own audit line by a few milliseconds (the alert is queued
#: before the line is written, and Telegram is fast): look again for this long first.
_CATCH_UP_S, _STEP_S = 2.0, 0.1


class PressRecorder:
    """The poller's handler: one press in, the journal record (and sample label) written."""

    def __init__(
        self,
        workspace: Workspace,
        journal: Journal,
        now: Callable[[], datetime],
        on_event: Callable[[dict[str, Any]], None] = lambda event: None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._ws = workspace
        self._journal = journal
        self._now = now
        self._emit = on_event
        self._sleep = sleep or WallClock().sleep

    def __call__(self, press: Press) -> Answer:
        signal = self._find(press.signal)
        if signal is None:
            self._emit({"event": "press_refused", "reason": "unknown signal",
                        "signal": press.signal, "user": press.user})  # fmt: skip
            return Answer("This signal is not in the audit log of this workspace.", None)
        existing = store.read(self._ws.journal).by_signal().get(signal.id)
        verdict = decide(
            press.choice, signal, existing, self._journal.settings(signal.symbol), self._now()
        )
        if verdict.trade is not None:
            store.append(self._ws.journal, verdict.trade)
        current = verdict.trade or existing
        sample = None
        if verdict.trade is not None and (press.choice == "false" or _was_false(existing)):
            sample = self._label(signal, on=press.choice == "false")
        self._emit({
            "event": "press", "signal": signal.id, "choice": press.choice, "user": press.user,
            "trade": current.id if current else None, "changed": verdict.trade is not None,
            "sample": str(sample) if sample and press.choice == "false" else None,
        })  # fmt: skip
        return Answer(verdict.answer, choice_of(current))

    def _label(self, signal: signals.Signal, on: bool) -> Path | None:
        """The corpus label; a broken labels.json must not hold the journal up."""
        try:
            return label_not_fire(self._ws.samples, signal, on=on)
        except (AtmError, OSError) as exc:
            self._emit({"event": "sample_label_failed", "signal": signal.id, "error": str(exc)})
            return None

    def _find(self, sid: str) -> signals.Signal | None:
        today = self._now().date()
        for _ in range(round(_CATCH_UP_S / _STEP_S)):
            found = self._search(sid, today - timedelta(days=1))
            if found is not None:
                return found
            self._sleep(_STEP_S)
        return self._search(sid, today - _RECENT) or self._search(sid, None)

    def _search(self, sid: str, since: date | None) -> signals.Signal | None:
        return next((s for s in signals.load(self._ws.logs, since=since) if s.id == sid), None)


def _was_false(trade: Trade | None) -> bool:
    return trade is not None and trade.false_signal


def choice_of(trade: Trade | None) -> Choice | None:
    """The button a record corresponds to (what the keyboard ticks)."""
    if trade is None:
        return None
    if trade.decision == "taken":
        return "taken"
    return "false" if trade.false_signal else "skipped"
