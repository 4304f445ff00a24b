"""A chart drawn by a renderer the levels scan was not built against.

Everything `atm.sim` does one way, this does another: OpenCV's Hershey vector font
instead of Pillow's, labels left-aligned in a narrower column, its own label steps,
dotted grid, OHLC bars instead of candles, SL/TP lines 1-3 px thick at fractional rows
with anti-aliasing and colours off the calibrated pure red and green, tags with white
text, another frame size and chart position. Tests and the levels benchmark use it to
check that nothing in the scan is tuned to the simulator.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from atm.types import Direction, Image

Rgb = tuple[int, int, int]

_LOOKS: dict[str, dict[str, Rgb]] = {
    "navy": {
        "bg": (16, 22, 38),
        "grid": (48, 56, 78),
        "text": (210, 214, 222),
        "up": (80, 170, 255),
        "down": (255, 150, 40),
        "sl": (235, 30, 30),
        "tp": (20, 235, 40),
        "tag_text": (255, 255, 255),
    },
    "paper": {
        "bg": (250, 248, 240),
        "grid": (215, 212, 200),
        "text": (30, 30, 60),
        "up": (30, 90, 200),
        "down": (120, 60, 160),
        "sl": (240, 20, 35),
        "tp": (25, 225, 55),
        "tag_text": (0, 0, 0),
    },
}
_STEPS = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0)


@dataclass(frozen=True, slots=True)
class ForeignFrame:
    image: Image  # (H, W, 3) uint8 RGB
    sl: float | None
    tp1: float | None
    tp2: float | None
    direction: Direction
    config: dict[str, Any]  # TOML-shaped, SPEC §4 keys, default level colours


def foreign_frames(
    count: int, seed: int, scale: float = 1.0, look: str = "navy"
) -> list[ForeignFrame]:
    """`count` frames of a rescaling chart with all three levels, drawn the foreign way."""
    rng = random.Random(seed)
    return [_frame(rng, scale, _LOOKS[look]) for _ in range(count)]


def _frame(rng: random.Random, scale: float, look: dict[str, Rgb]) -> ForeignFrame:
    s = scale
    width, height = round(1600 * s), round(900 * s)
    chart = (round(12 * s), round(28 * s), round(1430 * s), round(840 * s))  # x, y, w, h
    column = (chart[0] + chart[2] + round(4 * s), chart[1], round(110 * s), chart[3])
    img = np.empty((height, width, 3), np.uint8)
    img[:] = look["bg"]
    span = rng.uniform(1.5, 6.0)
    lo = rng.uniform(40.0, 1500.0)
    hi = lo + span
    cx, cy, cw, ch = chart

    def row(price: float) -> float:
        return cy + (hi - price) * ch / span

    _grid_and_labels(img, chart, column, lo, hi, row, look, s)
    direction: Direction = rng.choice(["BUY", "SELL"])
    sign = 1 if direction == "BUY" else -1
    entry = lo + span * rng.uniform(0.4, 0.6)
    sl = round(entry - sign * span * rng.uniform(0.08, 0.3), 2)
    tp1 = round(entry + sign * span * rng.uniform(0.05, 0.15), 2)
    tp2 = round(tp1 + sign * span * rng.uniform(0.06, 0.18), 2)
    _bars(img, rng, chart, entry, span, row, look, s)
    thickness = rng.choice([1, 2, 3])
    for price, rgb in ((sl, look["sl"]), (tp1, look["tp"]), (tp2, look["tp"])):
        _level(img, chart, column, price, row(price), rgb, look["tag_text"], thickness, s)
    config = {
        "chart_roi": {"x": cx, "y": cy, "w": cw, "h": ch},
        "dot_roi": {"x": cx, "y": cy + ch + 2, "w": cw, "h": height - cy - ch - 4},
        "capture": {"region": {"x": 0, "y": 0, "w": width, "h": height}},
        "y_axis": {"roi": {"x": column[0], "y": column[1], "w": column[2], "h": column[3]}},
        "canary": {"roi": {"x": column[0], "y": 0, "w": column[2], "h": cy}},
    }
    return ForeignFrame(img, sl, tp1, tp2, direction, config)


def _text(img: Image, text: str, x: int, y_mid: float, rgb: Rgb, s: float) -> None:
    """Left-aligned text whose digits are centred on row `y_mid`."""
    font, size = cv2.FONT_HERSHEY_SIMPLEX, 0.42 * s
    (_, h), _ = cv2.getTextSize(text, font, size, 1)
    cv2.putText(
        img, text, (x, round(y_mid + h / 2)), font, size, rgb, max(1, round(s)), cv2.LINE_AA
    )


def _grid_and_labels(img, chart, column, lo, hi, row, look, s) -> None:  # type: ignore[no-untyped-def]
    cx, cy, cw, ch = chart
    step = next(st for st in _STEPS if st * ch / (hi - lo) >= 34 * s)
    k = math.ceil(lo / step)
    while k * step < hi:
        price = k * step
        y = round(row(price))
        k += 1
        if not cy + 8 * s < y < cy + ch - 8 * s:
            continue
        img[y, cx : cx + cw : 3] = look["grid"]  # dotted
        _text(img, f"{price:.2f}", column[0] + round(6 * s), y, look["text"], s)


def _bars(img, rng, chart, entry, span, row, look, s) -> None:  # type: ignore[no-untyped-def]
    cx, _, cw, _ = chart
    price, spacing = entry, 9 * s
    x = cx + cw - 20 * s
    while x > cx + 4:
        prev = min(max(price + rng.gauss(0, span / 35), entry - 0.45 * span), entry + 0.45 * span)
        hi_, lo_ = (
            max(prev, price) + abs(rng.gauss(0, span / 90)),
            min(prev, price) - abs(rng.gauss(0, span / 90)),
        )
        rgb = look["up"] if price >= prev else look["down"]
        xi = round(x)
        cv2.line(img, (xi, round(row(hi_))), (xi, round(row(lo_))), rgb, max(1, round(s)))
        cv2.line(
            img,
            (xi - round(3 * s), round(row(prev))),
            (xi, round(row(prev))),
            rgb,
            max(1, round(s)),
        )
        cv2.line(
            img,
            (xi, round(row(price))),
            (xi + round(3 * s), round(row(price))),
            rgb,
            max(1, round(s)),
        )
        price, x = prev, x - spacing


def _level(img, chart, column, price, y, rgb, text_rgb, thickness, s) -> None:  # type: ignore[no-untyped-def]
    cx, _, cw, _ = chart
    shift = 4  # sub-pixel coordinates: a line at a fractional row, anti-aliased
    fy = round(y * (1 << shift))
    cv2.line(
        img, (cx << shift, fy), ((cx + cw - 1) << shift, fy), rgb, thickness, cv2.LINE_AA, shift
    )
    tag_h = round(18 * s)
    top = round(y - tag_h / 2)
    img[top : top + tag_h, column[0] : column[0] + column[2] - round(10 * s)] = rgb
    _text(img, f"{price:.2f}", column[0] + round(6 * s), y, text_rgb, s)
