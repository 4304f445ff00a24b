"""Health episodes as a stage: a failed grab, a black or frozen frame, lost sight (SPEC §3).

A chart that shares its screen with others is judged on its own part of the frame: a
chart whose feed froze beside one that moves is still frozen, and one gone black beside
a lit one is still black.
"""

from __future__ import annotations

from collections.abc import Iterator

from atm.config import Config
from atm.errors import CaptureError, WindowNotFound
from atm.frame import Frame
from atm.geometry import Rect
from atm.health import Health
from atm.stages.base import Alert, Audit, Event, RunStats, Tick, failure_record
from atm.types import Image


class HealthStage:
    """`area`: the chart's own part of a frame it shares with other charts (None: alone)."""

    def __init__(self, config: Config, stats: RunStats, area: Rect | None = None) -> None:
        self.health = Health(config.chart.bar_minutes * 60, zone=config.schedule.timezone)
        self._stats = stats
        self._area = area

    def observe(self, tick: Tick) -> Iterator[Event]:
        if tick.error is not None:
            if tick.frame is not None:  # the strip was read, the whole frame was not
                yield Audit(tick.ts, failure_record(tick.error))
            yield from self._failed(tick.ts, tick.error)
            return
        if not tick.full or tick.frame is None:
            return
        confidence, hidden = None, None
        seen = tick.seen.detection if tick.seen is not None else None  # None while paused
        if seen is not None and seen.status in ("obstructed", "not_live"):
            hidden = seen.cause  # something in the way: not lost sight, and not scored
        elif seen is not None:
            confidence = seen.dot.confidence if seen.dot else 0.0
            self._stats.confidence_sum += confidence
            self._stats.confidence_n += 1
        events = self.health.observe(
            tick.ts,
            capture_ok=True,
            window_found=True,
            image=self._own(tick.frame),
            confidence=confidence,
            hidden=hidden,
        )
        for event in events:
            yield Alert("health", event.text, tick.ts, tick.frame if event.started else None)

    def close(self, ts: float) -> Iterator[Event]:
        yield from ()

    def _own(self, frame: Frame) -> Image:
        if self._area is None:
            return frame.image
        try:
            return frame.crop(self._area)
        except CaptureError:  # a frame smaller than the config: the watch stage says so
            return frame.image

    def _failed(self, ts: float, error: CaptureError) -> Iterator[Event]:
        events = self.health.observe(
            ts,
            capture_ok=False,
            window_found=not isinstance(error, WindowNotFound),
            image=None,
            confidence=None,
            error=str(error),
        )
        for event in events:
            yield Alert("health", event.text, ts)
