"""The monitor loop: pace, grab, run the stages in order, hand their events to the sink.

Everything is injected. Each frame carries its own time; the clock only paces the loop,
so a replayed session behaves exactly as a live one. Live, the loop reads just the dot
strip every `loop.watch_interval_s` (cheap) and does a full cycle — whole frame, canary,
health, audit line — every `loop.interval_s`, or at once when the strip changed.

What happens to a frame is the stages' business (`atm.stages`); the runner knows only
their shape, so a new concern never edits this file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from atm.audit import AuditLog
from atm.canary import Canary
from atm.capture.base import Capture, LiveCapture
from atm.clock import Clock
from atm.config import Config
from atm.errors import CaptureError
from atm.frame import Frame
from atm.sink import OnEvent, Publisher, Sink
from atm.stages import default_stages
from atm.stages.base import Alert, RunStats, Stage, Tick
from atm.stages.deadman import Pinger
from atm.vision.axis import TextReader
from atm.workspace import Workspace


class Runner:
    def __init__(
        self,
        config: Config,
        capture: Capture,
        clock: Clock,
        notifier: Callable[[OnEvent], Publisher],
        workspace: Workspace,
        audit: AuditLog,
        *,
        live: LiveCapture | None = None,
        pace: bool = True,
        canary: Canary | None = None,
        save_samples: bool = False,
        ocr: TextReader | None = None,
        extra_stages: Sequence[Stage] = (),
        deadman: Pinger | None = None,
    ) -> None:
        """`notifier` builds the fanout given the sink's event callback; `live` is the
        capture again when it can grab the strip alone; `pace` sleeps between cycles (not
        for a replay folder, whose frames carry their own times); `ocr` reads the price
        axis for Phase B (None: the calibration points, and the levels alert says so);
        `extra_stages` run after the default ones (`atm.stages.default_stages`);
        `deadman` is the dead-man's switch to ping."""
        self.config = config
        self._capture, self._clock, self._live, self._pace = capture, clock, live, pace
        self.stats = RunStats()
        self.sink = Sink(config, clock, workspace, audit, notifier)
        self.stages = default_stages(
            config,
            self.stats,
            self.sink.summary,
            canary=canary,
            save_samples=save_samples,
            ocr=ocr,
            deadman=deadman,
        )
        self.stages += extra_stages
        self._next_full = 0.0
        self._last_ts = clock.time()

    def run(
        self, should_stop: Callable[[], bool] = lambda: False, stop_at: float | None = None
    ) -> RunStats:
        """Cycle until the capture ends, `stop_at` passes or `should_stop()`; then the stop
        ping, a bounded drain of the notifiers, and the audit closed."""
        try:
            while not should_stop() and (stop_at is None or self._clock.time() < stop_at):
                full = self._live is None or self._clock.time() >= self._next_full
                tick = self._next_tick(full)
                if tick is None:
                    break
                self.tick(tick)
                if self._pace:
                    self._clock.sleep(self._interval())
        finally:
            self._shutdown()
        return self.stats

    def tick(self, tick: Tick) -> None:
        """One tick through every stage; the cycle's audit line when it is worth one."""
        for stage in self.stages:
            for event in stage.observe(tick):
                earned = self.sink.handle(event)
                if isinstance(event, Alert) and event.cycle:
                    tick.record.update(earned)
        if tick.record and (tick.full or tick.eventful):
            self.sink.log(tick.ts, tick.record)

    def _next_tick(self, full: bool) -> Tick | None:
        """Grab: the strip alone when only watching, else the whole region. None: the end."""
        grab = self._capture.grab
        try:
            frame = self._grab(full)
        except CaptureError as exc:
            return Tick(self._clock.time(), full, self.stats.cycles, None, grab, exc)
        if frame is None:
            return None
        self._last_ts = frame.ts
        if full:
            self._next_full = self._clock.time() + self.config.loop.interval_s
            self.stats.cycles += 1
        return Tick(frame.ts, full, self.stats.cycles, frame, grab)

    def _grab(self, full: bool) -> Frame | None:
        if full or self._live is None:
            return self._capture.grab()
        roi = self.config.dot_roi
        image = self._live.grab_rect(roi.x, roi.y, roi.w, roi.h)
        return Frame(image, self._clock.time(), origin=(roi.x, roi.y), partial=True)

    def _interval(self) -> float:
        return self.config.loop.watch_interval_s if self._live else self.config.loop.interval_s

    def _shutdown(self) -> None:
        try:
            for stage in self.stages:
                for event in stage.close(self._last_ts):
                    self.sink.handle(event)
            self.sink.close(self._last_ts)
        finally:
            self._capture.close()
            self.sink.audit.close()
