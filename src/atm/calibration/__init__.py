"""Calibration without Tk: what auto-detection proposes and what the user settles on.

    propose(image) ─▶ Proposal ─▶ (wizard: accept or adjust) ─▶ Calibration ─▶ save
                                   or accept(proposal) with --auto --yes

`auto` finds the strip, colours and regions; `sampling` reads a clicked colour; `save`
turns a `Calibration` into a validated, versioned config file. The wizard and the CLI call
the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from atm.colors import Rgb
from atm.geometry import Rect
from atm.types import Image
from atm.vision.axis_print import fingerprint
from atm.vision.phash import phash, to_hex

#: Standard deviation of a region's grey levels below which it is flat: no layout to hash.
FLAT_STD = 4.0


@dataclass(frozen=True, slots=True)
class FoundDot:
    """A dot of the strip in screenshot pixels, and the class its colour was named."""

    x: float
    y: float
    radius: float
    rgb: Rgb
    color: str | None  # None: its colour matched no class


@dataclass(frozen=True, slots=True)
class Proposal:
    """What auto-detection found in a `width × height` screenshot; None = not found.

    `colors` holds the classes seen (dot classes and `background`) with their measured
    RGB; `unseen` the dot classes no dot showed; `missing` one sentence per thing that
    could not be found, for the user. `canary_why` says where the canary went and why (or
    why it is off), `canary_verified` whether screenshots seconds apart showed it steady,
    `canary_rejected` the regions turned down, with the reason.
    """

    width: int
    height: int
    dot_roi: Rect | None = None
    dots: tuple[FoundDot, ...] = ()
    spacing: float | None = None
    colors: Mapping[str, Rgb] = field(default_factory=dict)
    unseen: tuple[str, ...] = ()
    chart_roi: Rect | None = None
    axis_roi: Rect | None = None
    axis_labels: tuple[int, ...] = ()  # pixel rows of the price labels, top to bottom
    canary_roi: Rect | None = None
    missing: tuple[str, ...] = ()
    axis_points: tuple[AxisMark, AxisMark] | None = None  # two labels read by OCR
    canary_why: str = ""
    canary_verified: bool = False
    canary_rejected: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AxisMark:
    """A pixel row of the price axis and the price printed there."""

    y: int
    price: float


@dataclass(frozen=True, slots=True)
class Calibration:
    """The calibrated keys of a config, in screenshot (= capture region) pixels.

    `colors` holds only what was calibrated (clicked or detected); every other class keeps
    its reference value. `y_axis_points` None keeps the default points. `canary_roi` None:
    no steady region was found, the canary is off.
    """

    width: int
    height: int
    dot_roi: Rect
    chart_roi: Rect
    canary_roi: Rect | None
    colors: Mapping[str, Rgb] = field(default_factory=dict)
    window_title: str = "TradeStation"
    y_axis_roi: Rect | None = None
    y_axis_points: tuple[AxisMark, AxisMark] | None = None
    canary_phash: str = ""
    axis_fingerprint: str = ""


def assemble(
    image: Image,
    dot_roi: Rect,
    *,
    chart_roi: Rect | None = None,
    canary_roi: Rect | None = None,
    colors: Mapping[str, Rgb] | None = None,
    window_title: str = "TradeStation",
    y_axis_roi: Rect | None = None,
    y_axis_points: tuple[AxisMark, AxisMark] | None = None,
    canary_off: bool = False,
) -> Calibration:
    """The calibration of `image` ((H, W, 3) uint8 RGB) from what was marked or found.

    What was not gets a stand-in (chart: all above the strip; canary: the top-right
    corner, unless `canary_off`), and the canary's baseline hash is taken from `image`;
    with axis points, so is the axis column's fingerprint (`vision.axis_print`), which
    lets the points stand in for an unreadable axis only while it has not rescaled.
    """
    height, width = image.shape[:2]
    canary = None if canary_off else canary_roi or default_canary(width, height)
    return Calibration(
        width=width,
        height=height,
        dot_roi=dot_roi,
        chart_roi=chart_roi or default_chart(dot_roi, width, height),
        canary_roi=canary,
        colors=dict(colors or {}),
        window_title=window_title,
        y_axis_roi=y_axis_roi,
        y_axis_points=y_axis_points,
        canary_phash=baseline(image, canary) if canary is not None else "",
        axis_fingerprint=_fingerprint(image, y_axis_roi) if y_axis_points else "",
    )


def baseline(image: Image, roi: Rect) -> str:
    """The canary's pHash of `roi` in `image` ((H, W, 3) uint8 RGB) as 16 hex digits.

    "" when the region is flat: its hash would be noise, so the first good frame sets it.
    """
    crop = image[roi.y : roi.bottom, roi.x : roi.right]
    if crop.size == 0 or float(np.std(crop)) < FLAT_STD:
        return ""
    return to_hex(phash(crop))


def _fingerprint(image: Image, roi: Rect | None) -> str:
    if roi is None:
        return ""
    return fingerprint(image[roi.y : roi.bottom, roi.x : roi.right])


def default_chart(strip: Rect, width: int, height: int) -> Rect:
    """A stand-in chart area when none was marked: everything above the strip."""
    return clip(Rect(strip.x, 0, strip.w, max(1, strip.y - 1)), width, height)


def default_canary(width: int, height: int) -> Rect:
    """A stand-in canary when none was marked: the top-right corner (window buttons)."""
    w, h = round(150 * height / 1080), round(30 * height / 1080)
    return clip(Rect(width - w, 0, w, h), width, height)


def clip(rect: Rect, width: int, height: int) -> Rect:
    """`rect` cut to the `width × height` image; at least one pixel each way."""
    x = min(max(rect.x, 0), width - 1)
    y = min(max(rect.y, 0), height - 1)
    right = min(max(rect.right, x + 1), width)
    bottom = min(max(rect.bottom, y + 1), height)
    return Rect(x, y, right - x, bottom - y)


def from_corners(x0: float, y0: float, x1: float, y1: float) -> Rect:
    """The rectangle spanned by two opposite corners given in any order (pixels)."""
    left, right = sorted((round(x0), round(x1)))
    top, bottom = sorted((round(y0), round(y1)))
    return Rect(left, top, max(1, right - left), max(1, bottom - top))
