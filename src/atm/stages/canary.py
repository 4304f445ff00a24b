"""The layout canary as a stage: on full cycles, hash the region; pause detection on change."""

from __future__ import annotations

from collections.abc import Iterator

from atm.canary import Canary
from atm.stages.base import Alert, Audit, Event, Tick


class CanaryStage:
    def __init__(self, canary: Canary) -> None:
        self.canary = canary

    def observe(self, tick: Tick) -> Iterator[Event]:
        if tick.full and tick.frame is not None:
            result = self.canary.check(tick.frame, tick.cycle - 1)
            for event in result.events:
                yield Audit(tick.ts, {"event": f"canary_{event.kind}", "text": event.text})
                if event.alert:
                    yield Alert("health", event.text, tick.ts, frame=tick.frame)
            tick.record.update(result.audit())
        tick.paused = self.canary.paused

    def close(self, ts: float) -> Iterator[Event]:
        yield from ()
