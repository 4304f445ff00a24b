"""Every colour change of the rightmost dot, the whole frame to samples/: tomorrow's corpus."""

from __future__ import annotations

from collections.abc import Iterator

from atm.stages.base import Event, Sample, Tick


class SampleStage:
    """Watches the colour; `save` off (a replay) still marks a change as eventful, so the
    cycle's audit line is written, but keeps no frame."""

    def __init__(self, save: bool) -> None:
        self._save = save
        self._last: str | None = None

    def observe(self, tick: Tick) -> Iterator[Event]:
        dot = tick.seen.detection.dot if tick.seen is not None else None
        if dot is None or dot.color == self._last:
            return
        self._last = dot.color
        tick.eventful = True
        frame = tick.promote()
        if self._save and frame is not None and not frame.partial:
            yield Sample(frame, dot.color)

    def close(self, ts: float) -> Iterator[Event]:
        yield from ()
