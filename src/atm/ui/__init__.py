"""Tk windows: the calibration wizard and the labeler. Only this package imports tkinter.

This module itself does not: it holds the geometry both windows share, so tests (and
`xdotool` scripts) can compute where a screenshot pixel is shown without a display.
Windows open at a fixed size and place, the picture at the window's top-left corner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atm.errors import CaptureError, UsageError
from atm.geometry import Rect

if TYPE_CHECKING:
    import tkinter

WINDOW_W, WINDOW_H = 1280, 800
#: The picture area at the window's top-left; the side panel fills the rest.
CANVAS_W, CANVAS_H = 960, 800
GEOMETRY = f"{WINDOW_W}x{WINDOW_H}+0+0"


@dataclass(frozen=True, slots=True)
class View:
    """`rect` of the screenshot shown at `scale`, its top-left corner at canvas (0, 0)."""

    rect: Rect
    scale: float

    @classmethod
    def fit(cls, rect: Rect, width: int = CANVAS_W, height: int = CANVAS_H) -> View:
        """The largest scale at which all of `rect` fits `width × height`."""
        return cls(rect, min(width / rect.w, height / rect.h))

    @property
    def size(self) -> tuple[int, int]:
        """Canvas pixels the picture takes: (width, height)."""
        return max(1, round(self.rect.w * self.scale)), max(1, round(self.rect.h * self.scale))

    def to_canvas(self, x: float, y: float) -> tuple[float, float]:
        """Screenshot pixel → canvas point."""
        return (x - self.rect.x) * self.scale, (y - self.rect.y) * self.scale

    def to_image(self, cx: float, cy: float) -> tuple[int, int]:
        """Canvas point → the screenshot pixel under it, kept inside `rect`."""
        x = self.rect.x + math.floor(cx / self.scale)
        y = self.rect.y + math.floor(cy / self.scale)
        return (
            min(max(x, self.rect.x), self.rect.right - 1),
            min(max(y, self.rect.y), self.rect.bottom - 1),
        )


#: The colour steps zoom in on the strip's right end this much (dots are a few pixels).
COLOR_ZOOM = 2.0


def color_view(strip: Rect, width: int, height: int) -> View:
    """The view of the colour steps: the strip's right end (the newest dots), zoomed."""
    w = min(round(CANVAS_W / COLOR_ZOOM), width)
    h = min(round(CANVAS_H / COLOR_ZOOM), height)
    right = min(width, strip.right + round(20 * height / 1080))
    top = min(max(0, strip.y + strip.h // 2 - h // 2), height - h)
    return View(Rect(max(0, right - w), top, w, h), COLOR_ZOOM)


def region_view(region: Rect | None, width: int, height: int) -> View:
    """The view of every step after the first: the dragged region, or all of the screenshot."""
    return View.fit(region or Rect(0, 0, width, height))


def open_root(what: str, hint: str) -> tkinter.Tk:
    """A Tk root window, or a `UsageError` saying why there can be none (no display)."""
    import tkinter

    try:
        return tkinter.Tk()
    except tkinter.TclError as exc:
        raise UsageError(f"cannot open the {what} window ({exc}); {hint}") from None


def screen_size() -> tuple[int, int]:
    """The primary screen's size in pixels, asked of Tk without showing a window.

    Call `atm.capture.dpi.set_dpi_awareness()` first on Windows, or a scaled display
    reports logical pixels.
    """
    import tkinter

    try:
        root = tkinter.Tk()
    except tkinter.TclError as exc:
        raise CaptureError(f"cannot open the screen ({exc}); is DISPLAY set?") from None
    try:
        root.withdraw()
        return root.winfo_screenwidth(), root.winfo_screenheight()
    finally:
        root.destroy()
