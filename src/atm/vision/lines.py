"""Horizontal lines of one colour across a chart: the stop-loss and take-profit lines.

A line is a run of 1–3 (× DPI) rows whose pixels are the line colour across most of the
chart's width. Anti-aliasing draws a 1 px line at a fractional row as two rows of partial
colour, so each pixel is scored by how much of the line colour it holds over the chart's
background (its *alpha*), not by a hard colour threshold, and the line's row is the
alpha-weighted centre. Candles of a similar colour are rejected by shape (short segments,
tall bodies), grid lines by colour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from atm.capture.base import Image

Rgb = tuple[int, int, int]
Floats = npt.NDArray[np.float32]

#: The coarse pass looks at every 16th column (a line across most of the width is still
#: plain there) and lets rows through at this share of `min_coverage`; the few rows it
#: passes are then measured at full resolution. It keeps a 1700×860 crop at ~1 ms.
_STRIDE = 16
_COARSE_SHARE = 0.75
#: A pixel holds the line colour when at least this share of it is that colour.
_MIN_ALPHA = 0.2
#: The longest unbroken stretch of a line: candles of the line colour are short pieces.
_MIN_SEGMENT = 0.25
#: Gaps up to this many pixels do not break a stretch (noise, JPEG, a thin wick on top).
_MAX_GAP = 3
#: Rows this far above and below a line are mostly free of its colour; a candle body,
#: taller than a line, is not.
_MIN_ISOLATED = 0.5


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
    bg = _background(chart)
    towards = np.asarray(rgb, np.float32) - bg
    if float(towards @ towards) < 1.0:
        return []  # the line colour is the background: nothing can be seen
    coarse = _alpha(chart[:, ::_STRIDE], bg, towards, tolerance)
    rows = np.mean(coarse >= _MIN_ALPHA, axis=1) >= min_coverage * _COARSE_SHARE
    lines = []
    for r0, r1 in _runs(rows):
        if r1 - r0 > max_thickness + 1:
            continue  # a band of colour, not a line
        line = _measure(chart, r0, r1, bg, towards, tolerance, min_coverage)
        if line is not None and 0.4 <= line.thickness <= max_thickness:
            lines.append(line)
    return lines


def _background(chart: Image) -> Floats:
    """Per-channel median of a sparse sample: the chart's background, candles a minority."""
    sample = chart[::8, ::8].reshape(-1, 3)
    bg: Floats = np.median(sample, axis=0).astype(np.float32)
    return bg


def _alpha(pixels: Image, bg: Floats, towards: Floats, tolerance: float) -> Floats:
    """(h, w) share of the line colour in each pixel: 0 where the pixel is not a blend of
    the background and the line colour within `tolerance`."""
    diff = pixels.astype(np.float32) - bg
    d0, d1, d2 = diff[..., 0], diff[..., 1], diff[..., 2]
    along = d0 * towards[0] + d1 * towards[1] + d2 * towards[2]
    alpha = along / float(towards @ towards)
    # squared distance from the line through the background and the line colour
    off = d0 * d0 + d1 * d1 + d2 * d2 - along * alpha
    alpha[off > tolerance * tolerance] = 0.0
    out: Floats = np.clip(alpha, 0.0, 1.0, out=alpha)
    return out


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
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
    if coverage < min_coverage or _longest(on) < _MIN_SEGMENT * width:
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
    """Length of the longest stretch of `on`, bridging gaps of up to `_MAX_GAP` pixels."""
    runs = _runs(on)
    best, start, end = 0, -1, -(10**9)
    for a, b in runs:
        if a - end - 1 > _MAX_GAP:
            start = a
        end = b
        best = max(best, end - start + 1)
    return best


def _isolated(alpha: Floats, on: npt.NDArray[np.bool_], c0: int, c1: int) -> bool:
    """Two rows above and below the core, most of the line's columns are free of its colour."""
    outside = []
    if c0 - 2 >= 0:
        outside.append(alpha[c0 - 2, on] < _MIN_ALPHA)
    if c1 + 2 < alpha.shape[0]:
        outside.append(alpha[c1 + 2, on] < _MIN_ALPHA)
    return all(float(o.mean()) >= _MIN_ISOLATED for o in outside)
