"""Render one simulated TradeStation frame: title bar, candles, price axis, SL/TP lines and
the M2D MAPS dot strip, as an (H, W, 3) uint8 RGB array.

What does not change between scenes (window, grid, axis labels, text) is cached per
(layout, theme, axis, title), so a scene costs one frame copy plus candles and dots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from atm.colors import Rgb
from atm.geometry import Rect
from atm.sim.layout import Layout, PriceAxis
from atm.sim.theme import Theme
from atm.types import Image

Mask = npt.NDArray[np.float32]  # (h, w) coverage 0..1
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Candle:
    """One bar's prices."""

    open: float
    high: float
    low: float
    close: float


@dataclass(frozen=True, slots=True)
class Levels:
    """Stop-loss and take-profit prices drawn on the chart; None = that line is absent."""

    sl: float | None = None
    tp1: float | None = None
    tp2: float | None = None


@dataclass(frozen=True, slots=True)
class Scene:
    """Everything one frame shows.

    `candles` and `dots` are oldest first and aligned at the right: their last items are
    the current bar (at the live edge; see `scroll`). Either may be shorter than the chart;
    only what fits is drawn.
    """

    layout: Layout
    theme: Theme
    axis: PriceAxis
    candles: Sequence[Candle] = ()
    dots: Sequence[str] = ()
    levels: Levels | None = None
    title: str = "TradeStation - DIA 3 min"
    indicator: str = "M2D MAPS"
    #: Bars the chart is scrolled back: the newest `scroll` bars lie beyond the right edge
    #: and older ones fill the right margin, as when a trader drags the chart to the left.
    scroll: int = 0


def render(scene: Scene) -> Image:
    """The frame of `scene`: (layout.height, layout.width, 3) uint8 RGB, a fresh array."""
    layout = scene.layout
    img = _base(layout, scene.theme, scene.axis, scene.title, scene.indicator).copy()
    _draw_candles(img, scene)
    _draw_levels(img, scene)
    _draw_dots(img, scene)
    return img


# --- static layer -------------------------------------------------------------------


@lru_cache(maxsize=16)
def _base(layout: Layout, theme: Theme, axis: PriceAxis, title: str, indicator: str) -> Image:
    s = layout.scale
    img = np.empty((layout.height, layout.width, 3), dtype=np.uint8)
    img[:] = theme.window
    fill_rect(img, layout.title, theme.title_bar)
    blit_text(
        img,
        title,
        px(13, s),
        layout.title.x + px(10, s),
        layout.title.h // 2,
        theme.title_text,
        clip=layout.title,
    )
    _draw_window_buttons(img, layout, theme)
    _draw_panes(img, layout, theme)
    _draw_axis(img, layout, theme, axis)
    chart, strip = layout.chart, layout.strip
    blit_text(
        img,
        "DIA - 3 min",
        px(12, s),
        chart.x + px(6, s),
        chart.y + px(10, s),
        theme.axis_text,
        clip=chart,
    )
    # The name sits above the row of dots, as TradeStation prints a subgraph's name.
    blit_text(
        img,
        indicator,
        px(11, s),
        strip.x + px(4, s),
        strip.y + px(8, s),
        theme.strip_text,
        clip=strip,
    )
    img.flags.writeable = False
    return img


def _draw_window_buttons(img: Image, layout: Layout, theme: Theme) -> None:
    """Minimise, maximise and close glyphs at the right of the title bar (the canary's area)."""
    s, bar = layout.scale, layout.title
    size, gap, t = px(10, s), px(46, s), max(1, round(s))
    cy = bar.h // 2
    x_close = layout.width - px(23, s)
    for k, x in enumerate((x_close - 2 * gap, x_close - gap, x_close)):
        x0, y0 = x - size // 2, cy - size // 2
        if k == 0:
            img[cy : cy + t, x0 : x0 + size] = theme.title_text
        elif k == 1:
            for r in (
                Rect(x0, y0, size, t),
                Rect(x0, y0 + size - t, size, t),
                Rect(x0, y0, t, size),
                Rect(x0 + size - t, y0, t, size),
            ):
                fill_rect(img, r, theme.title_text)
        else:
            for d in range(size):
                img[y0 + d, x0 + d : x0 + d + t] = theme.title_text
                img[y0 + d, x0 + size - 1 - d : x0 + size - 1 - d + t] = theme.title_text


def _draw_panes(img: Image, layout: Layout, theme: Theme) -> None:
    chart, axis, strip = layout.chart, layout.axis, layout.strip
    t = max(1, round(layout.scale))
    bottom = strip.bottom + px(26, layout.scale)  # room for the time scale under the strip
    # chart and axis share one background from the chart's left edge to the axis' right edge
    fill_rect(img, Rect(chart.x, chart.y, axis.right - chart.x, bottom - chart.y), theme.chart_bg)
    fill_rect(img, strip, theme.strip_bg)
    # pane borders run in the gaps between ROIs, never inside one
    width = axis.right - chart.x
    fill_rect(img, Rect(chart.x, (chart.bottom + strip.y) // 2, width, t), theme.pane_border)
    fill_rect(img, Rect(chart.x, strip.bottom + 2 * t, width, t), theme.pane_border)
    split = chart.right + (axis.x - chart.right) // 2
    fill_rect(img, Rect(split, chart.y, t, bottom - chart.y), theme.pane_border)


def _draw_axis(img: Image, layout: Layout, theme: Theme, axis: PriceAxis) -> None:
    """Grid lines across the chart and right-aligned price labels at the same rows."""
    chart, col = layout.chart, layout.axis
    size, pad = px(12, layout.scale), px(8, layout.scale)
    for price in axis.labels(layout):
        y = round(axis.y(price, layout))
        if chart.y <= y < chart.bottom:
            img[y, chart.x : chart.right] = theme.grid
        if not col.y + size // 2 < y < col.bottom - size // 2:
            continue  # the label would be cut by the pane's edge; TradeStation omits it
        blit_text(
            img,
            _price_text(price),
            size,
            col.right - pad,
            y,
            theme.axis_text,
            clip=col,
            align="right",
        )


# --- per-scene drawing --------------------------------------------------------------


def _draw_candles(img: Image, scene: Scene) -> None:
    layout, axis, chart = scene.layout, scene.axis, scene.layout.chart
    candles = _shown(scene.candles, layout, scene.scroll)
    half = max(1, round(layout.bar_spacing * 0.3))
    wick = max(1, round(layout.scale))

    def row(price: float) -> int:
        return min(max(round(axis.y(price, layout)), chart.y), chart.bottom - 1)

    def cols(a: int, b: int) -> slice:
        return slice(max(a, chart.x), max(min(b, chart.right), chart.x))

    for i, c in enumerate(reversed(candles)):
        x = layout.bar_x(i - scene.scroll)
        rgb = scene.theme.candle_up if c.close >= c.open else scene.theme.candle_down
        img[row(c.high) : row(c.low) + 1, cols(x - wick // 2, x - wick // 2 + wick)] = rgb
        top, bottom = sorted((row(c.open), row(c.close)))
        img[top : bottom + 1, cols(x - half, x + half + 1)] = rgb


def _shown(items: Sequence[_T], layout: Layout, scroll: int) -> Sequence[_T]:
    """The bars that may be on screen: those that fit, and those scrolled past the right edge."""
    return items[-(layout.visible_bars + scroll) :] if items else ()


def _draw_levels(img: Image, scene: Scene) -> None:
    """Each level: a line across the chart and a tag with its price on the axis."""
    levels, layout, theme = scene.levels, scene.layout, scene.theme
    if levels is None:
        return
    chart, col = layout.chart, layout.axis
    t = max(1, round(layout.scale))
    tag_h, pad = px(16, layout.scale), px(8, layout.scale)
    for price, rgb in ((levels.sl, theme.sl), (levels.tp1, theme.tp), (levels.tp2, theme.tp)):
        if price is None:
            continue
        y = round(scene.axis.y(price, layout))
        if not chart.y <= y < chart.bottom:
            continue  # off the visible scale: TradeStation does not draw it either
        img[y - (t - 1) // 2 : y - (t - 1) // 2 + t, chart.x : chart.right] = rgb
        tag = Rect(col.x + px(2, layout.scale), y - tag_h // 2, col.w - px(2, layout.scale), tag_h)
        fill_rect(img, tag, rgb)
        blit_text(
            img,
            _price_text(price),
            px(12, layout.scale),
            col.right - pad,
            y,
            theme.tag_text,
            clip=tag,
            align="right",
        )


def _draw_dots(img: Image, scene: Scene) -> None:
    layout, theme = scene.layout, scene.theme
    for i, color in enumerate(reversed(_shown(scene.dots, layout, scene.scroll))):
        stamp, mask = _dot_stamp(layout.dot_radius, theme.dot(color), theme.strip_bg)
        r = stamp.shape[0] // 2
        x = layout.bar_x(i - scene.scroll)
        _paste(img, stamp, mask, x - r, layout.dot_y - r, layout.strip)


@lru_cache(maxsize=64)
def _coverage(radius: float) -> Mask:
    """(n, n) fraction of each pixel inside a disc centred on the middle pixel's centre.

    16×16 supersampling: the anti-aliased edge a screen's rasteriser would produce.
    """
    half = math.ceil(radius + 0.5)
    sub = 16
    offsets = (np.arange(sub, dtype=np.float64) + 0.5) / sub - 0.5
    coords = (np.arange(-half, half + 1)[:, None] + offsets[None, :]).ravel()
    inside = coords[:, None] ** 2 + coords[None, :] ** 2 <= radius * radius
    n = 2 * half + 1
    coverage: Mask = inside.reshape(n, sub, n, sub).mean(axis=(1, 3)).astype(np.float32)
    return coverage


@lru_cache(maxsize=256)
def _dot_stamp(radius: float, rgb: Rgb, bg: Rgb) -> tuple[Image, npt.NDArray[np.bool_]]:
    """A dot blended over the strip background: (n, n, 3) uint8 RGB and its (n, n) footprint."""
    alpha = _coverage(radius)[:, :, None]
    blend = np.asarray(bg, np.float32) * (1 - alpha) + np.asarray(rgb, np.float32) * alpha
    return np.rint(blend).astype(np.uint8), alpha[:, :, 0] > 0


# --- primitives ---------------------------------------------------------------------


def px(logical: float, scale: float) -> int:
    """Logical pixels at 100 % → physical pixels at `scale`, at least one."""
    return max(1, round(logical * scale))


def _price_text(price: float) -> str:
    return f"{price:.2f}"


def fill_rect(img: Image, r: Rect, rgb: Rgb) -> None:
    """Paint `r` (clipped to the image's top and left) with `rgb`."""
    img[max(r.y, 0) : max(r.bottom, 0), max(r.x, 0) : max(r.right, 0)] = rgb


def _paste(
    img: Image, stamp: Image, mask: npt.NDArray[np.bool_], x0: int, y0: int, clip: Rect
) -> None:
    """Copy `stamp` where `mask` is set, top-left at (x0, y0), clipped to `clip`."""
    h, w = mask.shape
    cx0, cy0 = max(x0, clip.x), max(y0, clip.y)
    cx1, cy1 = min(x0 + w, clip.right), min(y0 + h, clip.bottom)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    src = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
    np.copyto(img[cy0:cy1, cx0:cx1], stamp[src], where=mask[src][:, :, None])


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=1024)
def _text_mask(text: str, size: int) -> tuple[Mask, int, int]:
    """Anti-aliased coverage of `text`, and its offset from a point on the digits' mid-line."""
    font = _font(size)
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    _, ref_top, _, ref_bottom = font.getbbox("0")
    canvas = PILImage.new("L", (max(right - left, 1), max(bottom - top, 1)), 0)
    ImageDraw.Draw(canvas).text((-left, -top), text, font=font, fill=255)
    mask = np.asarray(canvas, dtype=np.float32) / 255.0
    return mask, left, top - round((ref_top + ref_bottom) / 2)


def blit_text(
    img: Image,
    text: str,
    size: int,
    x: int,
    y: int,
    rgb: Rgb,
    *,
    clip: Rect,
    align: str = "left",
) -> None:
    """Blend `text` so its digits are centred on row `y`; `x` is its left or right end."""
    mask, dx, dy = _text_mask(text, size)
    h, w = mask.shape
    x0 = x - w if align == "right" else x + dx
    y0 = y + dy
    cx0, cy0 = max(x0, clip.x), max(y0, clip.y)
    cx1, cy1 = min(x0 + w, clip.right), min(y0 + h, clip.bottom)
    if cx0 >= cx1 or cy0 >= cy1:
        return
    a = mask[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0, None]
    region = img[cy0:cy1, cx0:cx1].astype(np.float32)
    blended = region * (1 - a) + np.asarray(rgb, np.float32) * a
    img[cy0:cy1, cx0:cx1] = np.rint(blended).astype(np.uint8)
