"""The chart's price axis as it is in one frame: pixel row → price, from the labels read.

Charts rescale their price axis as price moves, so the mapping is read from every frame:
the price labels in the axis column are found by their ink, read by an OCR engine (any
`TextReader`), and fitted robustly: a misread label (a digit lost, a label half hidden by
a price tag) is an outlier to a straight line through the others, and the prices kept
must sit on one grid of equal steps. The coloured price tags the platform draws on the
axis for each SL/TP line are read too: their text is that line's exact price.

Rows are in whatever coordinates the caller passes as `y0` (the crop's top row): the
levels scan uses capture-region rows so lines from the chart crop map directly.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from atm.colors import Rgb
from atm.types import Image
from atm.vision.background import Floats, background
from atm.vision.lines import SAMPLE_STEP, colour_share, runs
from atm.vision.text import MIN_TEXT_H, padded, text_boxes

Bools = npt.NDArray[np.bool_]

#: A label is on the fitted line when its centre is this close to where its price maps.
INLIER_PX = 1.5
#: Fewer labels than this cannot outvote a misread: the axis counts as unreadable.
MIN_LABELS = 3
#: A grid row this close to a label's centre may be the label's own row.
_SNAP_PX = 3.0
#: A row belongs to a tag when this share of the axis column's width has the tag colour;
#: a pixel has it when it is at least `_TAG_SHARE` that colour.
_TAG_ROW_SHARE = 0.3
_TAG_SHARE = 0.6
_PRICE = re.compile(r"[-+]?\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
#: What engines read for digits in a chart font; anything else left over is a misread.
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1"})


class TextReader(Protocol):
    """An OCR engine: the text of each crop ((h, w, 3) uint8 RGB), one line each."""

    def read(self, crops: Sequence[Image]) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class AxisFit:
    """price = intercept + slope × row. `residual` is the RMS distance in pixels of the
    labels it rests on; `labels` how many; `step` the labels' price step (None for points)."""

    slope: float
    intercept: float
    residual: float
    labels: int
    source: Literal["ocr", "points"]
    step: float | None = None

    def price_at(self, y: float) -> float:
        return self.intercept + self.slope * y

    def y_at(self, price: float) -> float:
        return (price - self.intercept) / self.slope


@dataclass(frozen=True, slots=True)
class PriceLabel:
    """One piece of text on the axis: its centre row, what was read, the price (if any)."""

    y: float
    text: str
    price: float | None


@dataclass(frozen=True, slots=True)
class Tag:
    """A price tag box of one line colour: centre row, its rows, and the price it shows."""

    y: float
    top: float
    bottom: float
    text: str
    price: float | None


def read_axis(
    axis_crop: Image,
    ocr: TextReader,
    *,
    y0: float = 0.0,
    hide: Sequence[Rgb] = (),
    tolerance: float = 60.0,
    grid: Sequence[float] = (),
) -> AxisFit | None:
    """Fit row → price from the labels of `axis_crop` ((H, W, 3) uint8 RGB); None if fewer
    than `MIN_LABELS` consistent labels could be read.

    Rows covered by tags of the `hide` colours (within `tolerance`) are skipped: a label
    under a tag is half hidden and its visible part would misplace it. `grid` are the
    rows of the chart's grid lines (same coordinates as `y0`), see `fit_labels`.
    """
    labels = read_labels(axis_crop, ocr, y0=y0, hide=hide, tolerance=tolerance)
    return fit_labels(labels, grid)


def read_labels(
    axis_crop: Image,
    ocr: TextReader,
    *,
    y0: float = 0.0,
    hide: Sequence[Rgb] = (),
    tolerance: float = 60.0,
) -> list[PriceLabel]:
    """Every line of text in the axis column outside the tags, top to bottom."""
    covered = np.zeros(axis_crop.shape[0], dtype=bool)
    for rgb in hide:
        for top, bottom in _tag_runs(axis_crop, rgb, tolerance):
            covered[max(top - 1, 0) : bottom + 2] = True
    boxes = text_boxes(axis_crop, covered)
    texts = ocr.read([padded(axis_crop, box) for box in boxes]) if boxes else []
    return [
        PriceLabel(y=y0 + (top + bottom) / 2, text=text, price=parse_price(text))
        for (top, bottom, _, _), text in zip(boxes, texts, strict=True)
    ]


def read_tags(
    axis_crop: Image, ocr: TextReader, rgb: Rgb, tolerance: float, *, y0: float = 0.0
) -> list[Tag]:
    """The tags of colour `rgb` on the axis column, top to bottom, with the prices they show."""
    boxes = []
    bg = background(axis_crop, SAMPLE_STEP)
    for top, bottom in _tag_runs(axis_crop, rgb, tolerance):
        cols = np.flatnonzero(_near(axis_crop[top : bottom + 1], rgb, tolerance, bg).any(axis=0))
        boxes.append((top, bottom, int(cols[0]), int(cols[-1])))
    texts = ocr.read([axis_crop[t : b + 1, x0 : x1 + 1] for t, b, x0, x1 in boxes]) if boxes else []
    return [
        Tag(y=y0 + (t + b) / 2, top=y0 + t, bottom=y0 + b, text=text, price=parse_price(text))
        for (t, b, _, _), text in zip(boxes, texts, strict=True)
    ]


def parse_price(text: str) -> float | None:
    """The price a label shows ("485.50", "44,250.0"), or None when it is not one number."""
    cleaned = text.strip().replace(" ", "").translate(_LOOKALIKES)
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma
    if not _PRICE.fullmatch(cleaned):
        return None
    return float(cleaned)


def points_fit(points: Sequence[tuple[float, float]]) -> AxisFit:
    """The calibration fallback: the line through two or more (row, price) points."""
    ys = np.array([p[0] for p in points], dtype=np.float64)
    prices = np.array([p[1] for p in points], dtype=np.float64)
    slope, intercept = np.polyfit(ys, prices, 1)
    return AxisFit(float(slope), float(intercept), 0.0, len(points), "points")


# --- the robust fit -----------------------------------------------------------------


def fit_labels(labels: Sequence[PriceLabel], grid: Sequence[float] = ()) -> AxisFit | None:
    """The line through the labels that agree; None when fewer than `MIN_LABELS` do.

    Every pair of labels proposes a line (price falling as rows grow); the one most labels
    lie on within `INLIER_PX` wins (RANSAC, exhaustive: an axis has a few dozen labels at
    most). Its labels must then sit on one grid of equal price steps, which drops a misread
    that happens to land near the line (485.51 among 485.00, 485.50, 486.00).

    With `grid` rows, labels are first moved onto them: where a renderer puts its text a
    pixel above or below the price's row, the grid line is still on it.
    """
    points = _aligned([(lb.y, lb.price) for lb in labels if lb.price is not None], grid)
    kept = _consensus(points)
    kept = _on_grid(kept)
    if len(kept) < MIN_LABELS:
        return None
    ys = np.array([p[0] for p in kept])
    prices = np.array([p[1] for p in kept])
    slope, intercept = np.polyfit(ys, prices, 1)
    if slope >= 0:
        return None
    residual = float(np.sqrt(np.mean(((prices - intercept) / slope - ys) ** 2)))
    return AxisFit(float(slope), float(intercept), residual, len(kept), "ocr", _step(kept))


def _aligned(points: list[tuple[float, float]], grid: Sequence[float]) -> list[tuple[float, float]]:
    """Points moved onto the grid rows, when most are one same offset from one."""
    if not grid or len(points) < MIN_LABELS:
        return points
    rows = np.asarray(sorted(grid))
    nearest = [float(rows[np.argmin(np.abs(rows - y))]) for y, _ in points]
    offsets = [g - y for g, (y, _) in zip(nearest, points, strict=True)]
    close = [o for o in offsets if abs(o) <= _SNAP_PX]
    if len(close) < MIN_LABELS:
        return points
    shift = float(np.median(close))
    agree = [abs(o - shift) <= 0.75 for o in offsets]
    if sum(agree) < max(MIN_LABELS, 0.6 * len(points)):
        return points  # the grid is not at the labels' prices: leave them be
    return [
        (g if ok else y + shift, p) for g, ok, (y, p) in zip(nearest, agree, points, strict=True)
    ]


def _consensus(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    best: list[tuple[float, float]] = []
    best_cost = float("inf")
    for (ya, pa), (yb, pb) in itertools.combinations(points, 2):
        if ya == yb or pa == pb:
            continue
        slope = (pb - pa) / (yb - ya)
        if slope >= 0:
            continue  # prices fall as rows grow downwards
        misses = [abs(ya + (p - pa) / slope - y) for y, p in points]
        inliers = [pt for pt, miss in zip(points, misses, strict=True) if miss <= INLIER_PX]
        cost = sum(m for m in misses if m <= INLIER_PX)
        if len(inliers) > len(best) or (len(inliers) == len(best) and cost < best_cost):
            best, best_cost = inliers, cost
    return sorted(best)


def _on_grid(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points whose prices share the most common step and offset, top to bottom."""
    if len(points) < MIN_LABELS:
        return points
    micro = [round(p * 1_000_000) for _, p in points]
    diffs = [a - b for a, b in itertools.pairwise(micro) if a > b]
    if not diffs:
        return []
    counts = Counter(diffs)
    step = min(d for d, n in counts.items() if n == max(counts.values()))
    residue = Counter(m % step for m in micro).most_common(1)[0][0]
    kept = [pt for pt, m in zip(points, micro, strict=True) if m % step == residue]
    ordered = [p for _, p in kept]
    if any(b >= a for a, b in itertools.pairwise(ordered)):
        return []  # not monotonic: no trustworthy axis
    return kept


def _step(points: list[tuple[float, float]]) -> float:
    prices = [p for _, p in points]
    return min(a - b for a, b in itertools.pairwise(prices))


# --- finding text and tags ----------------------------------------------------------


def _near(pixels: Image, rgb: Rgb, tolerance: float, bg: Floats) -> Bools:
    """Pixels of the tag colour: mostly that colour over the column's background, the
    same test as for the lines, so a tag is found whenever its line is."""
    mask: Bools = colour_share(pixels, rgb, tolerance, bg) >= _TAG_SHARE
    return mask


def _tag_runs(axis_crop: Image, rgb: Rgb, tolerance: float) -> list[tuple[int, int]]:
    """(top, bottom) rows of each box of colour `rgb` across the column."""
    sample = axis_crop[:, ::4]  # tags are solid across the column
    rows = (
        _near(sample, rgb, tolerance, background(axis_crop, SAMPLE_STEP)).mean(axis=1)
        >= _TAG_ROW_SHARE
    )
    return [(a, b) for a, b in runs(rows) if b - a + 1 >= MIN_TEXT_H + 2]
