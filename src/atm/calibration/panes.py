"""The panes around the dot strip: the chart above it and the price axis.

The price chart is the large uniform pane above the strip (grid lines allowed), the price
axis the pane right of it holding text. Where the canary goes is `calibration.canary`'s.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from atm.calibration import clip
from atm.calibration.strip import BACKGROUND_TOLERANCE, PANE_SHARE, Strip
from atm.geometry import Rect
from atm.types import Image
from atm.vision.background import Backdrop, backdrop

_CHART_SHARE = 0.25  # candles may cover much of a chart row; the rest is background


def find_chart(image: Image, strip: Strip) -> Rect | None:
    """The pane above the strip's pane: from the separator up to where its colour ends.

    Grid lines (a few rows off-colour) do not end it; a longer run of other rows does.
    """
    height, width = image.shape[:2]
    roi = strip.roi
    cols = image[:, roi.x : strip.pane_right]
    strip_rows = strip.back.share(cols, axis=1) >= PANE_SHARE
    y = roi.y - 1
    while y >= 0 and strip_rows[y]:
        y -= 1  # the rest of the strip's own pane
    colour = _pane_colour_above(cols, y)
    if colour is None:
        return None
    bottom, pane = colour
    share = pane.share(cols[: bottom + 1], axis=1)
    gap_limit = max(3, round(3 * height / 1080))
    top, gap = bottom, 0
    for yy in range(bottom, -1, -1):
        if share[yy] >= _CHART_SHARE:
            top, gap = yy, 0
        else:
            gap += 1
            if gap > gap_limit:
                break
    if bottom - top + 1 < 0.15 * height:
        return None
    return clip(Rect(roi.x, top, strip.pane_right - roi.x, bottom - top + 1), width, height)


def _pane_colour_above(cols: Image, y: int) -> tuple[int, Backdrop] | None:
    """Going up from row `y`, the first row that starts three uniform rows of one colour."""
    for yy in range(y, 1, -1):
        rows = cols[yy - 2 : yy + 1]
        back = backdrop(rows, BACKGROUND_TOLERANCE)
        if float(back.share(rows, axis=1).min()) >= PANE_SHARE:
            return yy, back
    return None


def find_axis(image: Image, strip: Strip, chart: Rect, end: int | None = None) -> Rect | None:
    """The pane right of the chart (past its separator) that holds text: the price labels.

    Its colour is the one most of the columns just right of the chart's pane show; the
    pane runs while columns keep it (up to column `end`, where another chart begins), and
    it must hold some text.
    """
    height, width = image.shape[:2]
    rows = image[chart.y : chart.bottom, strip.pane_right : end]
    if rows.shape[1] < 8:
        return None
    back = backdrop(rows[:, : max(8, round(60 * height / 1080))], BACKGROUND_TOLERANCE)
    inside = (back.share(rows, axis=0) >= 0.5).tolist()
    if True not in inside:
        return None
    start = inside.index(True)
    end = start
    while end < len(inside) and inside[end]:
        end += 1
    text = back.foreground(rows[:, start:end])
    if end - start < 8 or int(text.sum()) < 20:
        return None
    return clip(Rect(strip.pane_right + start, chart.y, end - start, chart.h), width, height)


def label_rows(image: Image, axis: Rect) -> tuple[int, ...]:
    """Centre rows of the text lines in the axis column: where the price labels are."""
    crop = image[axis.y : axis.bottom, axis.x : axis.right]
    back = backdrop(crop, BACKGROUND_TOLERANCE)
    inked: npt.NDArray[np.bool_] = np.any(back.foreground(crop), axis=1)
    rows: list[int] = []
    start = None
    flags: list[bool] = [*map(bool, inked.tolist()), False]
    for y, on in enumerate(flags):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= 3:
                rows.append(axis.y + (start + y - 1) // 2)
            start = None
    return tuple(rows)
