"""What lies over a chart on a real desktop, drawn over a rendered frame.

The mouse crosshair with its axis value boxes, a data-window tooltip, an OS notification
toast and a dialog window; and what happens to the whole capture: the window moved while
the capture region stayed, the screen went black. Each takes a frame ((H, W, 3) uint8 RGB,
left unchanged) and returns a new one. Sizes are logical pixels at 100 %, × `layout.scale`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from atm.colors import Rgb
from atm.geometry import Rect
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import blit_text, fill_rect, px
from atm.sim.theme import Theme
from atm.types import Image


@dataclass(frozen=True, slots=True)
class Palette:
    """Colours of the desktop's own furniture over a chart of one theme."""

    crosshair: Rgb
    box: Rgb  # the crosshair's axis value boxes
    box_text: Rgb
    tip: Rgb  # a data-window tooltip
    tip_text: Rgb
    toast: Rgb  # an OS notification
    toast_text: Rgb
    dialog: Rgb
    dialog_title: Rgb
    desktop: Rgb  # what a moved window uncovers


_PALETTES: Final[dict[str, Palette]] = {
    "dark": Palette(
        crosshair=(200, 200, 200), box=(90, 90, 96), box_text=(240, 240, 240),
        tip=(255, 255, 225), tip_text=(0, 0, 0), toast=(43, 43, 43),
        toast_text=(235, 235, 235), dialog=(240, 240, 240), dialog_title=(0, 120, 215),
        desktop=(0, 78, 152),
    ),
    "light": Palette(
        crosshair=(90, 90, 90), box=(60, 60, 66), box_text=(255, 255, 255),
        tip=(255, 255, 225), tip_text=(0, 0, 0), toast=(243, 243, 243),
        toast_text=(20, 20, 20), dialog=(240, 240, 240), dialog_title=(0, 120, 215),
        desktop=(0, 78, 152),
    ),
}  # fmt: skip


def palette(theme: Theme) -> Palette:
    return _PALETTES.get(theme.name, _PALETTES["dark"])


def crosshair(image: Image, layout: Layout, theme: Theme, axis: PriceAxis, x: int, y: int) -> Image:
    """The chart's crosshair at the mouse (x, y): a line down every pane at `x`, a line
    across the pane under the mouse at `y`, and the value boxes on the price and time axes."""
    out, look, s = image.copy(), palette(theme), layout.scale
    t = max(1, round(s))
    chart, strip, col = layout.chart, layout.strip, layout.axis
    time_row = strip.bottom + px(14, s)  # the time scale under the strip
    fill_rect(out, Rect(x - t // 2, chart.y, t, time_row - chart.y), look.crosshair)
    pane = chart if chart.y <= y < chart.bottom else strip if strip.y <= y < strip.bottom else None
    if pane is not None:
        fill_rect(out, Rect(pane.x, y - t // 2, pane.w, t), look.crosshair)
        value = f"{axis.price(y, layout):.2f}" if pane is chart else "1.00"
        _value_box(out, Rect(col.x + t, y - px(8, s), col.w - t, px(16, s)), value, look, s)
    _value_box(
        out, Rect(x - px(40, s), time_row - px(8, s), px(80, s), px(16, s)), "21:03", look, s
    )
    return out


def _value_box(out: Image, box: Rect, text: str, look: Palette, scale: float) -> None:
    fill_rect(out, box, look.box)
    centre = box.x + (box.w + px(30, scale)) // 2
    blit_text(out, text, px(12, scale), centre, box.y + box.h // 2, look.box_text, clip=box,
              align="right")  # fmt: skip


def text_box(
    image: Image, box: Rect, lines: Sequence[str], fill: Rgb, ink: Rgb, scale: float
) -> Image:
    """A bordered box of text lines: a data-window tooltip, a toast's body."""
    out = image.copy()
    t = max(1, round(scale))
    fill_rect(out, box, ink)
    inner = Rect(box.x + t, box.y + t, box.w - 2 * t, box.h - 2 * t)
    fill_rect(out, inner, fill)
    step = px(16, scale)
    for k, line in enumerate(lines):
        y = inner.y + px(10, scale) + k * step
        blit_text(out, line, px(12, scale), inner.x + px(5, scale), y, ink, clip=inner)
    return out


def tooltip(image: Image, layout: Layout, theme: Theme, x: int, y: int) -> Image:
    """TradeStation's data tip for the bar under the mouse at (x, y), opening below-left of
    the pointer when it would leave the screen on the right."""
    s, look = layout.scale, palette(theme)
    w, h = px(120, s), px(8 + 16 * 5, s)
    left = x + px(14, s) if x + px(14, s) + w <= layout.width else x - px(14, s) - w
    top = min(y + px(14, s), layout.height - h)
    lines = ("Date 11/20/26", "Time 21:03", "Open 485.12", "High 485.40", "M2D 1.00")
    return text_box(image, Rect(left, top, w, h), lines, look.tip, look.tip_text, s)


def toast(image: Image, layout: Layout, theme: Theme) -> Image:
    """An OS notification in the bottom-right corner, above the taskbar."""
    s, look = layout.scale, palette(theme)
    w, h = px(364, s), px(102, s)
    box = Rect(layout.width - px(16, s) - w, layout.height - px(64, s) - h, w, h)
    lines = ("Outlook", "New message from the desk", "Meeting moved to 4 pm")
    return text_box(image, box, lines, look.toast, look.toast_text, s)


def dialog(image: Image, layout: Layout, theme: Theme, box: Rect) -> Image:
    """A window (a title bar, a message, two buttons) over the chart at `box`."""
    s, look = layout.scale, palette(theme)
    out = text_box(image, box, ("", "", "Save changes to workspace?"), look.dialog, (0, 0, 0), s)
    fill_rect(out, Rect(box.x, box.y, box.w, px(30, s)), look.dialog_title)
    blit_text(out, "TradeStation", px(12, s), box.x + px(8, s), box.y + px(15, s),
              (255, 255, 255), clip=box)  # fmt: skip
    for k in (1, 2):
        button = Rect(box.right - k * px(90, s), box.bottom - px(40, s), px(80, s), px(26, s))
        fill_rect(out, button, (225, 225, 225))
    return out


def moved(image: Image, theme: Theme, dx: int, dy: int) -> Image:
    """The window moved by (dx, dy) while the capture region stayed: the frame's content
    shifts and the desktop shows where it uncovered."""
    out = np.empty_like(image)
    out[:] = palette(theme).desktop
    h, w = image.shape[:2]
    src = image[max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]
    out[max(0, dy) : max(0, dy) + src.shape[0], max(0, dx) : max(0, dx) + src.shape[1]] = src
    return out


def blackout(image: Image) -> Image:
    """A locked screen or a minimised remote session: nothing is drawn."""
    return np.zeros_like(image)
