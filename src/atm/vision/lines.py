"""Horizontal lines of one colour across a chart: the stop-loss and take-profit lines.

A line is a run of 1–3 (× DPI) rows whose pixels are the line colour across most of the
chart's width. Anti-aliasing draws a 1 px line at a fractional row as two rows of partial
colour, so each pixel is scored by how much of the line colour it holds over the chart's
background (its *alpha*), not by a hard colour threshold, and the line's row is the
alpha-weighted centre. Candles of a similar colour are rejected by shape (bare gaps
between bars, bodies taller than a line), grid lines by colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from atm.colors import Rgb
from atm.types import Image
from atm.vision.background import Floats, background, max_channel_difference

#: The background is the median of every 8th row and column (lines and axis alike): a
#: chart crop is large, and lines are scored by colour share, not by a noise threshold.
SAMPLE_STEP = (8, 8)

#: The coarse pass looks at every 16th column (a line across most of the width is still
#: plain there) and lets rows through at this share of `min_coverage`; the few rows it
#: passes are then measured at full resolution. It keeps a 1700×860 crop at ~1 ms.
_STRIDE = 16
_COARSE_SHARE = 0.75
#: A pixel holds the line colour when at least this share of it is that colour.
_MIN_ALPHA = 0.2
#: Below this share a blend must be proportionally nearer to the background→colour
#: segment: a grey grid row is not a 14 % blend of green, however close it comes.
_FAINT = 0.25
#: The longest unbroken stretch of a line, as a share of the width. Where it crosses bars
#: an anti-aliased line blends with them and loses its colour, but it never shows the
#: bare background; bars in its colour, however dense, leave bare gaps between them.
_MIN_SEGMENT = 0.25
_BARE = 24
#: Rows this far above and below a line are mostly free of its colour; a candle body,
#: taller than a line, is not.
_MIN_ISOLATED = 0.5
#: A grid row differs from the background by this much (RGB channel), a faint grey does.
#: Every 16th column is enough: a row of dots every 2-4 px still shows as a share.
_GRID_CONTRAST = 12
_GRID_STRIDE = 16


@dataclass(frozen=True, slots=True)
class Line:
    """A horizontal line in chart-crop pixels.

    `y` is the centre row (fractional: alpha-weighted over the rows it covers; row `r`
    means the row of pixels with index `r`), `thickness` how many rows of full colour it
    amounts to, `coverage` the share of the chart's width it covers.
    """

    y: float
    thickness: float
    coverage: float


def find_lines(
    chart: Image,
    rgb: Rgb,
    tolerance: float,
    *,
    min_coverage: float = 0.6,
    max_thickness: float = 6.0,
) -> list[Line]:
    """Lines of colour `rgb` in `chart` ((H, W, 3) uint8 RGB), top to bottom.

    `tolerance` is the RGB distance a pixel may stray from the line colour blended over
    the background; `max_thickness` in pixels (3 px at 200 % DPI is 6).
    """
    if chart.ndim != 3 or chart.shape[0] == 0 or chart.shape[1] < _STRIDE:
        return []
    bg = background(chart, SAMPLE_STEP)  # candles are a minority
    towards = np.asarray(rgb, np.float32) - bg
    if float(towards @ towards) < 1.0:
        return []  # the line colour is the background: nothing can be seen
    coarse = _alpha(chart[:, ::_STRIDE], bg, towards, tolerance)
    rows = np.mean(coarse >= _MIN_ALPHA, axis=1) >= min_coverage * _COARSE_SHARE
    lines = []
    for r0, r1 in runs(rows):
        if r1 - r0 > max_thickness + 1:
            continue  # a band of colour, not a line
        line = _measure(chart, r0, r1, bg, towards, tolerance, min_coverage)
        if line is not None and 0.4 <= line.thickness <= max_thickness:
            lines.append(line)
    return lines


def find_grid(chart: Image, *, min_coverage: float = 0.25) -> list[float]:
    """Rows of the chart's grid: one-pixel rows of any colour off the background across
    `min_coverage` of the width (dotted grids included), clear rows above and below.

    Grid lines sit at the axis labels' prices, so they tell where a label's row really is
    whatever the renderer's text alignment.
    """
    if chart.ndim != 3 or chart.shape[0] < 3:
        return []
    sample = np.ascontiguousarray(chart[:, ::_GRID_STRIDE])
    away = max_channel_difference(sample, background(chart, SAMPLE_STEP))
    share = np.mean(away > _GRID_CONTRAST, axis=1)
    on = share >= min_coverage
    clear = share < min_coverage / 2
    thin = on[1:-1] & clear[:-2] & clear[2:]
    return [float(r + 1) for r in np.flatnonzero(thin)]


def colour_share(pixels: Image, rgb: Rgb, tolerance: float, background: Floats) -> Floats:
    """(h, w) share of colour `rgb` in each pixel of `pixels` ((h, w, 3) uint8 RGB) seen
    over `background` (RGB float32): 1 for the pure colour, 0.5 for an even blend, 0 for
    a pixel that is no blend of the two within `tolerance`."""
    return _alpha(pixels, background, np.asarray(rgb, np.float32) - background, tolerance)


def _alpha(pixels: Image, bg: Floats, towards: Floats, tolerance: float) -> Floats:
    """(h, w) share of the line colour in each pixel: 0 where the pixel is not a blend of
    the background and the line colour within `tolerance`."""
    diff = pixels.astype(np.float32) - bg
    d0, d1, d2 = diff[..., 0], diff[..., 1], diff[..., 2]
    along = d0 * towards[0] + d1 * towards[1] + d2 * towards[2]
    alpha: Floats = np.clip(along / float(towards @ towards), 0.0, 1.0)
    # squared distance from the nearest blend of background and line colour
    off = d0 * d0 + d1 * d1 + d2 * d2 - along * alpha
    limit = tolerance * np.maximum(alpha, _FAINT)
    alpha[off > limit * limit] = 0.0
    return alpha


def runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _measure(
    chart: Image,
    r0: int,
    r1: int,
    bg: Floats,
    towards: Floats,
    tolerance: float,
    min_coverage: float,
) -> Line | None:
    """Check the run of rows r0..r1 at full resolution; its centre, thickness and coverage."""
    height, width = chart.shape[:2]
    top, bottom = max(r0 - 2, 0), min(r1 + 3, height)
    alpha = _alpha(chart[top:bottom], bg, towards, tolerance)
    core = alpha[r0 - top : r1 - top + 1]
    on = core.max(axis=0) >= _MIN_ALPHA
    coverage = float(on.mean())
    if coverage < min_coverage:
        return None
    # A line drawn over bars is broken where it blends with them, never by bare background
    bare = max_channel_difference(chart[r0 : r1 + 1], bg).min(axis=0) <= _BARE
    if _longest(~bare) < _MIN_SEGMENT * width:
        return None
    if not _isolated(alpha, on, r0 - top, r1 - top):
        return None
    # one anti-aliased row either side; medians over the line's columns ignore candles
    lo, hi = max(r0 - 1, top), min(r1 + 2, bottom)
    weights = np.median(alpha[lo - top : hi - top, on], axis=1)
    mass = float(weights.sum())
    if mass <= 0:
        return None
    y = float(np.arange(lo, hi, dtype=np.float64) @ weights) / mass
    return Line(y=y, thickness=mass, coverage=coverage)


def _longest(on: npt.NDArray[np.bool_]) -> int:
    """Length of the longest unbroken stretch of `on`."""
    return max((b - a + 1 for a, b in runs(on)), default=0)


def _isolated(alpha: Floats, on: npt.NDArray[np.bool_], c0: int, c1: int) -> bool:
    """Two rows above and below the core, most of the line's columns are free of its colour."""
    outside = []
    if c0 - 2 >= 0:
        outside.append(alpha[c0 - 2, on] < _MIN_ALPHA)
    if c1 + 2 < alpha.shape[0]:
        outside.append(alpha[c1 + 2, on] < _MIN_ALPHA)
    return all(float(o.mean()) >= _MIN_ISOLATED for o in outside)
