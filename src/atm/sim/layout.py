"""Geometry of the simulated chart window at a DPI scale, and the price ↔ pixel mapping.

At scale 1.0 the rectangles are SPEC §4's defaults (a 1920×1080 capture); every other
scale multiplies them, as Windows does at 125 %, 150 %, 200 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from atm.geometry import Rect

#: Label steps the axis may use, in cents; a round price every 40+ logical pixels.
_STEPS_CENTS: Final = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)
_MIN_LABEL_GAP: Final = 40.0  # logical px between two axis labels


def _scaled(scale: float, x: float, y: float, w: float, h: float) -> Rect:
    return Rect(round(x * scale), round(y * scale), round(w * scale), round(h * scale))


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything sits in a frame of `width × height` pixels.

    Candles and dots share the x of their bar; bar 0 is the current (rightmost) bar and
    sits `right_margin` pixels left of the strip's right edge.
    """

    scale: float
    width: int
    height: int
    title: Rect
    chart: Rect
    axis: Rect
    strip: Rect
    canary: Rect
    bar_spacing: float
    dot_radius: float
    right_margin: int

    @classmethod
    def for_scale(
        cls, scale: float = 1.0, bar_spacing: float | None = None, dot_radius: float | None = None
    ) -> Layout:
        """The window at a DPI scale (1.0 = 100 %); bars 12 px apart, dots 3 px radius, × scale."""
        if not 0.25 <= scale <= 8:
            raise ValueError(f"scale {scale} is outside 0.25..8")
        spacing = 12.0 * scale if bar_spacing is None else bar_spacing
        return cls(
            scale=scale,
            width=round(1920 * scale),
            height=round(1080 * scale),
            title=_scaled(scale, 0, 0, 1920, 30),
            chart=_scaled(scale, 60, 40, 1700, 860),
            axis=_scaled(scale, 1765, 40, 150, 860),
            strip=_scaled(scale, 60, 930, 1700, 40),
            canary=_scaled(scale, 1765, 0, 150, 30),
            bar_spacing=spacing,
            dot_radius=3.0 * scale if dot_radius is None else dot_radius,
            right_margin=round(spacing * 1.5),
        )

    def bar_x(self, i: int) -> int:
        """Pixel column of the centre of bar `i` counted from the right (0 = current bar)."""
        return self.strip.right - self.right_margin - round(i * self.bar_spacing)

    @property
    def visible_bars(self) -> int:
        """How many bars fit between the strip's left edge and the current bar."""
        room = self.strip.w - self.right_margin - math.ceil(self.dot_radius) - 1
        return max(1, int(room // self.bar_spacing) + 1)

    @property
    def dot_y(self) -> int:
        """Pixel row of the dots' centres: the middle of the strip."""
        return self.strip.y + self.strip.h // 2


@dataclass(frozen=True, slots=True)
class PriceAxis:
    """The chart's vertical price scale: `hi` at the top row of the chart, `lo` at its bottom edge.

    `step` is the spacing of the round-price labels; None picks one from the range.
    """

    lo: float
    hi: float
    step: float | None = None

    def __post_init__(self) -> None:
        if not self.hi > self.lo:
            raise ValueError(f"price axis needs hi > lo, got {self.lo}..{self.hi}")

    def y(self, price: float, layout: Layout) -> float:
        """Fractional pixel row of a price (rows grow downwards)."""
        chart = layout.chart
        return chart.y + (self.hi - price) * chart.h / (self.hi - self.lo)

    def price(self, y: float, layout: Layout) -> float:
        chart = layout.chart
        return self.hi - (y - chart.y) * (self.hi - self.lo) / chart.h

    def labels(self, layout: Layout) -> list[float]:
        """Round prices to label, top to bottom, every `step` inside the chart."""
        step = self.step or _auto_step(layout.chart.h / (self.hi - self.lo), layout.scale)
        cents = round(step * 100)
        first = math.floor(self.hi * 100 / cents) * cents
        out = []
        for k in range(first, math.ceil(self.lo * 100 / cents) * cents - 1, -cents):
            price = k / 100
            if self.lo < price <= self.hi:
                out.append(price)
        return out

    @classmethod
    def fit(cls, lo: float, hi: float, layout: Layout) -> PriceAxis:
        """An axis showing `lo..hi` with margin, on which every label falls on a whole pixel row.

        Pixels per dollar are a multiple of what makes one label step whole pixels, and
        `hi` is a multiple of the step, so `y_axis.points` taken from labels are exact.
        """
        need = max(hi - lo, 0.5) * 1.25
        for _ in range(50):
            axis = _try_fit(lo, hi, need, layout)
            if axis is not None and axis.lo <= lo and axis.hi >= hi:
                return axis
            need *= 1.1  # rounding the top to a step pushed the data out: widen and retry
        raise ValueError(f"price range {lo}..{hi} does not fit the chart")


def _try_fit(lo: float, hi: float, need: float, layout: Layout) -> PriceAxis | None:
    for cents in _STEPS_CENTS:
        multiple = 100 // math.gcd(cents, 100)
        ppu = (int(layout.chart.h / need) // multiple) * multiple
        if ppu == 0 or ppu * cents / 100 < _MIN_LABEL_GAP * layout.scale:
            continue
        span = layout.chart.h / ppu
        top = round(((hi + lo) / 2 + span / 2) * 100 / cents) * cents
        return PriceAxis(lo=top / 100 - span, hi=top / 100, step=cents / 100)
    return None


def _auto_step(px_per_dollar: float, scale: float) -> float:
    for cents in _STEPS_CENTS:
        if px_per_dollar * cents / 100 >= _MIN_LABEL_GAP * scale:
            return cents / 100
    return _STEPS_CENTS[-1] / 100
