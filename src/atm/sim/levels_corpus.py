"""Frames for the levels scan (SPEC §7): SL/TP lines with their price tags at known prices,
on a price axis that rescales from one frame to the next, at any DPI and theme.

A live chart zooms and scrolls its price scale as price moves, so each frame here moves
the visible range and its span (×0.8–1.25) from the previous one: a fixed two-point
calibration is wrong on most of them, which is what the levels scan must survive. The
config of every frame keeps `y_axis.points` from the first frame, as a trader's
calibration would.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from atm.sim.corpus import corpus_config
from atm.sim.effects import jpeg as jpeg_roundtrip
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Candle, Levels, Scene, render
from atm.sim.theme import THEMES, Theme
from atm.types import Direction, Image

SCALES: Final = (1.0, 1.25, 1.5, 2.0)
#: Dollars the chart shows, at its tightest and widest: 1.2 $ is ~7 px per cent at 100 %,
#: 8 $ about one pixel per cent, where a level's row alone no longer pins its cent.
SPAN: Final = (1.2, 8.0)
_BARS: Final = 150


@dataclass(frozen=True, slots=True)
class LevelsFrame:
    """One frame and its truth. `truth` has None for a line left out; `config` is the
    TOML-shaped config of the frame's geometry and colours (SPEC §4 keys)."""

    image: Image
    truth: Levels
    direction: Direction
    axis: PriceAxis
    layout: Layout
    theme: str
    config: dict[str, Any]


def levels_frames(
    count: int,
    seed: int,
    *,
    scale: float = 1.0,
    theme: str = "dark",
    lines: int = 3,
    jpeg: int | None = None,
    look: Theme | None = None,
) -> Iterator[LevelsFrame]:
    """`count` frames of one rescaling chart; each draws `lines` of SL, TP1, TP2 (3: all;
    2: SL and TP1, or TP1 and TP2 on a third of the frames; 0: none).

    `jpeg` re-encodes each frame at that quality; `look` overrides the theme's colours
    (a test's candles in the SL colour, say). Identical arguments give identical frames.
    """
    rng = random.Random(seed)
    layout = Layout.for_scale(scale)
    shown = look or THEMES[theme]
    centre, span = rng.uniform(60.0, 900.0), rng.uniform(*SPAN)
    config: dict[str, Any] | None = None
    for _ in range(count):
        span = min(max(span * rng.uniform(0.8, 1.25), SPAN[0]), SPAN[1])
        centre += rng.uniform(-0.3, 0.3) * span
        lo = centre - span * rng.uniform(0.3, 0.7)
        axis = PriceAxis(lo=round(lo, 3), hi=round(lo + span, 3))
        direction: Direction = rng.choice(["BUY", "SELL"])
        truth = _levels(rng, axis, direction, lines)
        candles = _candles(rng, axis, _entry(truth, axis))
        image = render(Scene(layout, shown, axis, candles, levels=truth))
        if jpeg is not None:
            image = jpeg_roundtrip(image, jpeg)
        if config is None:
            config = corpus_config(layout, shown, axis)  # calibrated on the first frame
        yield LevelsFrame(image, truth, direction, axis, layout, theme, config)


def _levels(rng: random.Random, axis: PriceAxis, direction: Direction, lines: int) -> Levels:
    """SL on the far side of the entry, TP1 nearer than TP2 on the other, all inside the
    chart's middle 80 % (TradeStation draws no line off its scale)."""
    span, sign = axis.hi - axis.lo, 1.0 if direction == "BUY" else -1.0
    room = 0.4 * span
    entry = (axis.lo + axis.hi) / 2 + rng.uniform(-0.08, 0.08) * span
    sl = entry - sign * rng.uniform(0.1, 0.35) * span
    tp1 = entry + sign * rng.uniform(0.05, 0.17) * span
    tp2 = tp1 + sign * rng.uniform(0.05, 0.17) * span
    mid = (axis.lo + axis.hi) / 2
    sl, tp1, tp2 = (round(min(max(p, mid - room), mid + room), 2) for p in (sl, tp1, tp2))
    if lines >= 3:
        return Levels(sl, tp1, tp2)
    if lines == 2:
        return Levels(None, tp1, tp2) if rng.random() < 1 / 3 else Levels(sl, tp1, None)
    return Levels()


def _entry(levels: Levels, axis: PriceAxis) -> float:
    """Where price is now: between the stop and the first target, or mid-chart."""
    if levels.sl is not None and levels.tp1 is not None:
        return (levels.sl + levels.tp1) / 2
    return (axis.lo + axis.hi) / 2


def _candles(rng: random.Random, axis: PriceAxis, entry: float) -> list[Candle]:
    """A random walk inside the visible range that ends at `entry`."""
    span = axis.hi - axis.lo
    price, out = entry, []
    for _ in range(_BARS):  # built backwards from the current bar
        previous = price + rng.gauss(0, span / 40)
        previous = min(max(previous, axis.lo + 0.05 * span), axis.hi - 0.05 * span)
        wick = abs(rng.gauss(0, span / 80))
        high, low = max(price, previous) + wick, min(price, previous) - wick
        out.append(Candle(previous, high, low, price))
        price = previous
    return out[::-1]
