"""The monitor loop: pace, grab, run the stages in order, hand their events to the sink.

Everything is injected. Each frame carries its own time; the clock only paces the loop,
so a replayed session behaves exactly as a live one. Live, the loop reads just the dot
strips every `loop.watch_interval_s` (cheap) and does a full cycle — whole frame, canary,
health, audit line — every `loop.interval_s`, or at once when a strip changed.

Several charts are watched in the same loop: charts on one screen share one capture, a
watch tick grabs the few rectangles covering all their strips (`Rect.cover`), and a tick
takes at most one whole frame per capture however many charts want one. Each chart runs its own
stages on its own tick; the run's stages (startup, heartbeat, dead-man's switch) speak
for all of them. What happens to a frame is the stages' business (`atm.stages`); the
runner knows only their shape, so a new concern never edits this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from atm.audit import AuditLog
from atm.canary import Canary
from atm.capture.base import Capture, LiveCapture
from atm.clock import Clock
from atm.config import Config
from atm.errors import CaptureError
from atm.frame import Frame
from atm.geometry import Rect
from atm.sink import OnEvent, Publisher, Sink
from atm.stages import chart_stages, run_stages
from atm.stages.base import Alert, Audit, ChartStages, Event, RunStats, Sample, Stage, Tick
from atm.stages.deadman import Pinger
from atm.vision.axis import TextReader
from atm.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Watched:
    """One capture and the charts it shows, each with its canary (None: no canary).
    `live` is the capture again when it can grab a rectangle alone (the strips)."""

    capture: Capture
    charts: tuple[tuple[Config, Canary | None], ...]
    live: LiveCapture | None = None


@dataclass(frozen=True, slots=True)
class _Source:
    capture: Capture
    live: LiveCapture | None
    charts: tuple[ChartStages, ...]
    strips: tuple[Rect, ...]  # what a watch tick grabs: few rectangles holding every strip
    slots: tuple[int, ...]  # per chart, the one of `strips` that holds its strip


class Runner:
    def __init__(
        self,
        config: Config,
        capture: Capture | Sequence[Watched],
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
        """One chart: `capture` (and `live`, `canary`) for `config`. Several: `capture` is
        a `Watched` per capture, `config` the shared one. `notifier` builds the fanout given
        the sink's event callback; `pace` sleeps between cycles (not for a replay folder,
        whose frames carry their own times); `ocr` reads the price axis for Phase B;
        `extra_stages` run after the run's own stages; `deadman` is the switch to ping."""
        self.config = config
        self._clock, self._pace = clock, pace
        self.stats = RunStats()
        self.sink = Sink(config, clock, workspace, audit, notifier)
        watched = capture if isinstance(capture, Sequence) else [
            Watched(capture, ((config, canary),), live)
        ]  # fmt: skip
        self._sources = [self._source(w, save_samples, ocr) for w in watched]
        self.charts = [chart for s in self._sources for chart in s.charts]
        self._several = len(self.charts) > 1
        before, after = run_stages(config, self.charts, self.stats, self.sink.summary, deadman)
        #: The run's own stages: those before the charts' main stages, and after them
        #: (append to `stages` to add one).
        self.first_stages, self.stages = before, after + list(extra_stages)
        self._next_full = 0.0
        self._last_ts = clock.time()

    def run(
        self, should_stop: Callable[[], bool] = lambda: False, stop_at: float | None = None
    ) -> RunStats:
        """Cycle until a capture ends, `stop_at` passes or `should_stop()`; then the stop
        ping, a bounded drain of the notifiers, and the audit closed."""
        try:
            while not should_stop() and (stop_at is None or self._clock.time() < stop_at):
                full = self._clock.time() >= self._next_full or not self._watching()
                ticks = self._next_ticks(full)
                if ticks is None:
                    break
                self.tick(ticks)
                if self._pace:
                    self._clock.sleep(self._interval())
        finally:
            self._shutdown()
        return self.stats

    def tick(self, ticks: Sequence[Tick]) -> None:
        """One tick per chart through the stages; each chart's audit line when worth one."""
        pairs = list(zip(self.charts, ticks, strict=True))
        for chart, tick in pairs:
            self._run(chart.first, tick, chart)
        self._run(self.first_stages, ticks[0])
        for chart, tick in pairs:
            self._run(chart.rest, tick, chart)
        self._run(self.stages, ticks[0])
        for chart, tick in pairs:
            if tick.record and (tick.full or tick.eventful):
                self.sink.log(tick.ts, self._tagged_record(tick.record, chart))

    def _run(self, stages: Iterable[Stage], tick: Tick, chart: ChartStages | None = None) -> None:
        for stage in stages:
            for event in stage.observe(tick):
                earned = self.sink.handle(self._tagged(event, chart))
                if isinstance(event, Alert) and event.cycle:
                    tick.record.update(earned)

    def _close(self, stages: Iterable[Stage], chart: ChartStages | None = None) -> None:
        for stage in stages:
            for event in stage.close(self._last_ts):
                self.sink.handle(self._tagged(event, chart))

    def _tagged(self, event: Event, chart: ChartStages | None) -> Event:
        """With several charts, what a chart's stage says names the chart."""
        if chart is None or not self._several:
            return event
        if isinstance(event, Audit):
            return Audit(event.ts, self._tagged_record(event.record, chart))
        if isinstance(event, Sample):
            return replace(event, chart=chart.config.name)
        symbol, text = chart.config.symbol_label, event.text
        if symbol not in text:  # health and levels alerts: say which chart
            text = f"{symbol}: {text}"
        # every screenshot shows that chart alone, its own strip boxed
        return replace(event, text=text, chart=chart.config)

    def _tagged_record(self, record: Mapping[str, Any], chart: ChartStages) -> dict[str, Any]:
        out = dict(record)
        if self._several:
            out["chart"] = chart.config.name
        return out

    def _next_ticks(self, full: bool) -> list[Tick] | None:
        """A tick per chart; None when a finite capture (a replay) has ended."""
        ticks: list[Tick] = []
        grabbed = False
        for source in self._sources:
            grab = _Once(source.capture.grab)  # charts that all want a whole frame get one
            try:
                frames = self._grab(source, full, grab)
            except CaptureError as exc:
                now = self._clock.time()
                ticks += [Tick(now, full, self.stats.cycles + full, None, grab, exc)
                          for _ in source.charts]  # fmt: skip
                continue
            if frames is None:
                return None
            grabbed = True
            self._last_ts = frames[0].ts
            ticks += [Tick(frames[i].ts, full, 0, frames[i], grab) for i in source.slots]
        if full and grabbed:
            self._next_full = self._clock.time() + self.config.loop.interval_s
            self.stats.cycles += 1
        for tick in ticks:
            tick.cycle = self.stats.cycles
        return ticks

    def _grab(
        self, source: _Source, full: bool, grab: Callable[[], Frame | None]
    ) -> list[Frame] | None:
        """The whole frame, or on a watch tick each of the source's strip rectangles."""
        if full or source.live is None:
            frame = grab()
            return None if frame is None else [frame] * len(source.strips)
        return [
            Frame(source.live.grab_rect(r.x, r.y, r.w, r.h), self._clock.time(), origin=(r.x, r.y),
                  partial=True)
            for r in source.strips
        ]  # fmt: skip

    def _source(self, watched: Watched, save_samples: bool, ocr: TextReader | None) -> _Source:
        shared = len(watched.charts) > 1
        charts = tuple(
            chart_stages(cfg, self.stats, canary=canary, save_samples=save_samples, ocr=ocr,
                         shared=shared)
            for cfg, canary in watched.charts
        )  # fmt: skip
        rois = [Rect.of(cfg.dot_roi) for cfg, _ in watched.charts]
        strips = Rect.cover(rois)
        slots = tuple(next(i for i, r in enumerate(strips) if r.contains(roi)) for roi in rois)
        return _Source(watched.capture, watched.live, charts, tuple(strips), slots)

    def _watching(self) -> bool:
        return any(s.live is not None for s in self._sources)

    def _interval(self) -> float:
        loop = self.config.loop
        return loop.watch_interval_s if self._watching() else loop.interval_s

    def _shutdown(self) -> None:
        try:
            self._close(self.first_stages)
            for chart in self.charts:
                self._close(chart.rest, chart)
            self._close(self.stages)
            self.sink.close(self._last_ts)
        finally:
            for source in self._sources:
                source.capture.close()
            self.sink.audit.close()


class _Once:
    """`grab` called at most once: the first call's frame (or error) for every caller."""

    def __init__(self, grab: Callable[[], Frame | None]) -> None:
        self._grab = grab
        self._done: tuple[Frame | None, CaptureError | None] | None = None

    def __call__(self) -> Frame | None:
        if self._done is None:
            try:
                self._done = (self._grab(), None)
            except CaptureError as exc:
                self._done = (None, exc)
        frame, error = self._done
        if error is not None:
            raise error
        return frame
