"""The built-in simulator as a capture backend: a session's chart, frame by frame, in
simulated time. Used by `atm demo` and by tests that need a live-like source.
"""

from __future__ import annotations

import math

from atm.clock import Clock
from atm.frame import Frame
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import Bar, Session
from atm.sim.theme import Theme
from atm.types import Image


class SimCapture:
    """The session's chart as a screen, from `start_ts` to the end of the session.

    With a `clock`, a frame is the chart at `clock.time()` (the runner's sleeps on a replay
    clock move through the session, as on a live screen); without one, frames step by
    `interval_s` of simulated time. Bar `i` opens at
    `start_ts + (i - start_bar) * session.bar_seconds`; a frame shows the bar open at its
    `ts` as the rightmost dot. Bars before `start_bar` are already on the chart when
    capture begins (history for a late start). `history` caps the bars drawn, the current
    one included (None: as many as fit). Each bar is rendered once; the frames of one bar
    share one read-only (H, W, 3) uint8 RGB array.
    """

    def __init__(
        self,
        session: Session,
        layout: Layout,
        theme: Theme,
        interval_s: float,
        start_ts: float,
        history: int | None = None,
        *,
        start_bar: int = 0,
        axis: PriceAxis | None = None,
        clock: Clock | None = None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be > 0, got {interval_s}")
        if not 0 <= start_bar < len(session.bars):
            raise ValueError(
                f"start_bar {start_bar} is outside the session's {len(session.bars)} bars"
            )
        if history is not None and history < 1:
            raise ValueError(f"history must be at least 1 bar, got {history}")
        self.session = session
        self.layout = layout
        self.theme = theme
        self.interval_s = interval_s
        self.start_ts = start_ts
        self.history = history
        self.start_bar = start_bar
        self._clock = clock
        #: The price scale of every frame; `corpus_config(layout, theme, axis)` matches it.
        self.axis = axis or PriceAxis.fit(*session.price_range(), layout)
        self._count = 0
        self._closed = False
        self._cached: tuple[int, Image] | None = None

    def bar_index(self, ts: float) -> int:
        """Index of the bar open at simulated time `ts`."""
        # a hair of slack so that k × interval landing on a bar boundary counts as the new bar
        return self.start_bar + math.floor((ts - self.start_ts) / self.session.bar_seconds + 1e-9)

    def bar_at(self, ts: float) -> Bar | None:
        """The ground truth at `ts`: the bar open then, or None outside the session."""
        i = self.bar_index(ts)
        return self.session.bars[i] if 0 <= i < len(self.session.bars) else None

    def grab(self) -> Frame | None:
        if self._closed:
            return None
        if self._clock is not None:
            ts = self._clock.time()
        else:
            ts = self.start_ts + self._count * self.interval_s
        i = max(self.bar_index(ts), self.start_bar)  # a clock before start_ts sees the first bar
        if i >= len(self.session.bars):
            return None
        self._count += 1
        return Frame(image=self._image(i), ts=ts, name=f"sim-bar{i:05d}")

    def close(self) -> None:
        self._closed = True
        self._cached = None

    def _image(self, i: int) -> Image:
        if self._cached is None or self._cached[0] != i:
            self._cached = (i, render(self._scene(i)))
            self._cached[1].flags.writeable = False  # shared by every frame of the bar
        return self._cached[1]

    def _scene(self, i: int) -> Scene:
        first = 0 if self.history is None else max(0, i + 1 - self.history)
        s = self.session
        return Scene(
            layout=self.layout,
            theme=self.theme,
            axis=self.axis,
            candles=s.candles[first : i + 1],
            dots=s.colors[first : i + 1],
            levels=s.bars[i].levels,
        )
