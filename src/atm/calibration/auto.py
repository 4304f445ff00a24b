"""Auto-detection: one screenshot → a `Proposal` of every ROI and colour a config needs.

Nothing here knows the layout of a particular chart program; it looks for what any
M2D MAPS chart shows:

- the dot strip is a row of small round blobs of one size, evenly spaced, each coloured
  like one of the seven classes (the detector's own blob finder judges "dot-shaped");
- the strip's pane is a uniform background around that row; the ROI spans the pane to the
  left and ends a couple of dot spacings right of the current (rightmost) dot;
- the price chart is the large uniform pane above the strip (grid lines allowed), the
  price axis the pane right of it holding text, and the canary the structured window area
  above the chart's right end (title bar, window buttons), which does not move with prices.

Prices on the axis are not read (that needs OCR); the proposal says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from atm.calibration import FLAT_STD, Calibration, FoundDot, Proposal, Rgb, baseline, clip
from atm.capture.base import Image
from atm.colors import DOT_COLORS, REFERENCE_RGB
from atm.geometry import Rect
from atm.vision.colour import distances
from atm.vision.dots import Backdrop, contrast, find_blobs

#: The background tolerance the detector uses by default: the least contrast of a dot.
BACKGROUND_TOLERANCE = 25.0
#: A colour this far (plausible-set RGB distance) from every reference is not named.
NAME_LIMIT = 110.0
#: Dot cores closer than this (RGB) are one colour.
CLUSTER_DISTANCE = 40.0
#: A strip needs at least this many evenly spaced dots to be recognised.
MIN_DOTS = 3
_BAND_MIN = 32  # rows of one search band at 100 % (dots are searched band by band)
_PANE_SHARE = 0.85  # share of a row/column in the pane's colour for it to belong to the pane
_CHART_SHARE = 0.25  # candles may cover much of a chart row; the rest is background


@dataclass(frozen=True, slots=True)
class _Spot:
    """A dot-shaped blob in screenshot pixels."""

    x: float
    y: float
    size: int
    rgb: Rgb
    background: Rgb


@dataclass(frozen=True, slots=True)
class _Strip:
    roi: Rect
    pane_right: int  # first column right of the strip's pane (a separator or another pane)
    back: Backdrop
    spacing: float
    diameter: float


def propose(image: Image) -> Proposal:
    """Everything found in `image` ((H, W, 3) uint8 RGB, a full screenshot)."""
    height, width = image.shape[:2]
    run = find_dot_row(image)
    if run is None:
        return Proposal(
            width,
            height,
            missing=(
                f"dot strip: no row of {MIN_DOTS}+ evenly spaced dots found "
                "(is the M2D MAPS strip visible?)",
            ),
        )
    strip = _strip(image, run)
    dots, colors, unknown = _name_colors(run)
    colors["background"] = _rgb(strip.back.rgb)
    missing = [f"dot colour: {_rgb_text(c)} matches no class" for c in unknown]
    unseen = tuple(c for c in DOT_COLORS if c not in colors)
    if unseen:
        missing.append(f"colours not on screen (reference values kept): {', '.join(unseen)}")
    chart = _chart(image, strip)
    if chart is None:
        missing.append("chart area: no pane above the dot strip")
    axis = _axis(image, strip, chart) if chart is not None else None
    if axis is None:
        missing.append("price axis: no column of labels right of the chart")
    canary = _canary(image, chart, axis)
    if canary is None:
        missing.append("canary: no structured window area above the chart")
    missing.append("y-axis prices: not read (needs OCR)")
    return Proposal(
        width,
        height,
        dot_roi=strip.roi,
        dots=dots,
        spacing=strip.spacing,
        colors=colors,
        unseen=unseen,
        chart_roi=chart,
        axis_roi=axis,
        axis_labels=_label_rows(image, axis) if axis is not None else (),
        canary_roi=canary,
        missing=tuple(missing),
    )


def accept(proposal: Proposal, image: Image, window_title: str) -> Calibration:
    """The proposal as it stands, with a stand-in for what was not found (`--auto --yes`).

    Raises `ValueError` when there is no dot strip: without it nothing works.
    """
    width, height = proposal.width, proposal.height
    if proposal.dot_roi is None:
        raise ValueError("no dot strip was found")
    strip = proposal.dot_roi
    chart = proposal.chart_roi or clip(
        Rect(strip.x, 0, strip.w, max(1, strip.y - 1)), width, height
    )
    scale = height / 1080
    canary = proposal.canary_roi or clip(
        Rect(width - round(150 * scale), 0, round(150 * scale), round(30 * scale)), width, height
    )
    return Calibration(
        width=width,
        height=height,
        dot_roi=strip,
        chart_roi=chart,
        canary_roi=canary,
        colors=dict(proposal.colors),
        window_title=window_title,
        y_axis_roi=proposal.axis_roi,
        canary_phash=baseline(image, canary),
    )


# -- the dot row ---------------------------------------------------------------------------


def find_dot_row(image: Image) -> list[_Spot] | None:
    """The best row of evenly spaced dot-shaped blobs, left to right; None if none."""
    best: tuple[float, list[_Spot]] | None = None
    for row in _rows(_spots(image)):
        run = _regular_run(row)
        if len(run) < MIN_DOTS:
            continue
        score = len(run) * (0.5 + _named_share(run))
        if best is None or score > best[0]:
            best = (score, run)
    return None if best is None else best[1]


def _spots(image: Image) -> list[_Spot]:
    """Every dot-shaped blob of the screenshot, found band by band.

    The detector's blob finder wants one background: a band of rows mostly is one pane.
    Bands overlap by half; each keeps the blobs centred in its middle half, so every blob
    is taken once, from the band it sits in the middle of.
    """
    height = image.shape[0]
    half = max(_BAND_MIN, round(height / 24)) // 2
    spots: list[_Spot] = []
    y0 = 0
    while True:
        last = y0 + 2 * half >= height
        lo = 0 if y0 == 0 else y0 + half / 2
        hi = height if last else y0 + 1.5 * half
        for blob in find_blobs(image[y0 : y0 + 2 * half], BACKGROUND_TOLERANCE):
            y = y0 + blob.cy
            if lo <= y < hi and not blob.clipped:
                size = max(blob.w, blob.h)
                spots.append(_Spot(blob.cx, y, size, blob.rgb, blob.background))
        if last:
            return spots
        y0 += half


def _rows(spots: list[_Spot]) -> list[list[_Spot]]:
    """Spots grouped by the row they sit on (centres within a fraction of their size)."""
    rows: list[list[_Spot]] = []
    centre = 0.0
    for spot in sorted(spots, key=lambda s: s.y):
        if rows and abs(spot.y - centre) <= 0.25 * spot.size + 0.75:
            rows[-1].append(spot)
            centre += (spot.y - centre) / len(rows[-1])
        else:
            rows.append([spot])
            centre = spot.y
    return rows


def _regular_run(row: list[_Spot]) -> list[_Spot]:
    """The longest left-to-right run of same-size spots at one spacing."""
    if len(row) < MIN_DOTS:
        return []
    size = float(np.median([s.size for s in row]))
    same = sorted((s for s in row if 0.6 * size <= s.size <= 1.4 * size + 1), key=lambda s: s.x)
    if len(same) < MIN_DOTS:
        return []
    gaps = np.diff([s.x for s in same])
    wide = gaps[gaps >= 0.8 * size]
    if wide.size == 0:
        return []
    spacing = float(np.median(wide))
    best: list[_Spot] = []
    current = [same[0]]
    for spot, gap in zip(same[1:], gaps, strict=True):
        if abs(gap - spacing) <= 0.2 * spacing + 1:
            current.append(spot)
        else:
            current = [spot]
        if len(current) > len(best):
            best = current
    return best if len(best) >= MIN_DOTS else []


_REFS = np.array([REFERENCE_RGB[c] for c in DOT_COLORS], dtype=np.float64)


def _reference_distances(rgb: Rgb | npt.NDArray[np.float64], background: Rgb) -> npt.NDArray[
    np.float64
]:
    return distances(
        np.asarray(rgb, np.float64), _REFS, np.asarray(background, np.float64)
    )


def _named_share(run: list[_Spot]) -> float:
    """How many of the run's dots look like some class: a strip's do, candles' rarely."""
    near = [float(_reference_distances(s.rgb, s.background).min()) <= NAME_LIMIT for s in run]
    return sum(near) / len(near)


# -- the strip ROI -------------------------------------------------------------------------


def _strip(image: Image, run: list[_Spot]) -> _Strip:
    """The strip ROI around a dot row: its pane's left edge to two spacings past the last dot,
    about three dot diameters high where the pane allows."""
    height, width = image.shape[:2]
    diameter = float(np.median([s.size for s in run]))
    spacing = float(np.median(np.diff([s.x for s in run])))
    r = math.ceil(diameter / 2)
    y = round(float(np.median([s.y for s in run])))
    first, last = run[0].x, run[-1].x
    around = clip(
        Rect(round(first - spacing), y - 2 * r, round(last - first + 2 * spacing), 4 * r + 1),
        width,
        height,
    )
    back = _backdrop(image[around.y : around.bottom, around.x : around.right], BACKGROUND_TOLERANCE)
    band = image[max(0, y - r) : y + r + 1]
    in_pane = _share(band, back, axis=0) >= _PANE_SHARE
    left = math.floor(first - r) - 1
    while left >= 0 and in_pane[left]:
        left -= 1
    pane_right = math.ceil(last + r) + 1
    while pane_right < width and in_pane[pane_right]:
        pane_right += 1
    right = min(pane_right, math.ceil(last + r + 2 * spacing))
    rows = _share(image[:, left + 1 : right], back, axis=1) >= _PANE_SHARE
    reach = max(r + 2, round(1.5 * diameter))
    top = y - r
    while top - 1 >= max(0, y - reach) and rows[top - 1]:
        top -= 1
    bottom = y + r
    while bottom + 1 <= min(height - 1, y + reach) and rows[bottom + 1]:
        bottom += 1
    roi = clip(Rect(left + 1, top, right - left - 1, bottom - top + 1), width, height)
    return _Strip(roi, pane_right, back, spacing, diameter)


def _backdrop(pixels: Image, tolerance: float) -> Backdrop:
    """The median colour of `pixels` and the contrast above which a pixel is not it.

    As the detector's backdrop, but over every pixel: the regions here can be a few rows.
    """
    rgb = np.median(pixels.reshape(-1, 3), axis=0).astype(np.float32)
    noise = float(np.median(contrast(pixels, rgb)))
    return Backdrop(rgb=rgb, threshold=max(tolerance, 3.5 * noise))


def _share(pixels: Image, back: Backdrop, axis: int) -> npt.NDArray[np.float64]:
    """Per column (axis=0) or row (axis=1): the share of pixels in the background colour."""
    near = contrast(pixels, back.rgb) <= back.threshold
    share: npt.NDArray[np.float64] = near.mean(axis=axis)
    return share


# -- colours -------------------------------------------------------------------------------


def _name_colors(run: list[_Spot]) -> tuple[tuple[FoundDot, ...], dict[str, Rgb], list[Rgb]]:
    """Cluster the dots' core colours and name each cluster after the nearest class.

    Clusters are named one to one, closest pairs first; a cluster whose class is taken
    by a close cluster joins it (JPEG can split one colour in two). Returns the dots with
    their names, the mean colour of each named class, and the colours left unnamed.
    """
    clusters = _clusters(run)
    background = _rgb(np.median([s.background for s in run], axis=0))
    means = [np.mean([s.rgb for s in c], axis=0) for c in clusters]
    dist = np.array([_reference_distances(m, background) for m in means])
    owner: dict[int, int] = {}  # cluster → class index
    taken: dict[int, int] = {}  # class index → cluster
    for flat in np.argsort(dist, axis=None):
        k, c = divmod(int(flat), len(DOT_COLORS))
        if k in owner or c in taken or dist[k, c] > NAME_LIMIT:
            continue
        owner[k], taken[c] = c, k
    for k in range(len(clusters)):
        c = int(np.argmin(dist[k]))
        if k not in owner and c in taken and dist[k, c] <= NAME_LIMIT:
            if float(np.linalg.norm(means[k] - means[taken[c]])) <= 1.5 * CLUSTER_DISTANCE:
                owner[k] = c
    members: dict[str, list[Rgb]] = {}
    names: dict[int, str | None] = {}
    for k, cluster in enumerate(clusters):
        name = DOT_COLORS[owner[k]] if k in owner else None
        for spot in cluster:
            names[id(spot)] = name
            if name is not None:
                members.setdefault(name, []).append(spot.rgb)
    colors = {n: _rgb(np.mean(members[n], axis=0)) for n in DOT_COLORS if n in members}
    unknown = [_rgb(means[k]) for k in range(len(clusters)) if k not in owner]
    dots = tuple(
        FoundDot(s.x, s.y, s.size / 2, s.rgb, names[id(s)]) for s in run
    )
    return dots, colors, unknown


def _clusters(run: list[_Spot]) -> list[list[_Spot]]:
    """Greedy clustering on RGB: each spot joins the nearest cluster mean within reach."""
    clusters: list[list[_Spot]] = []
    means: list[npt.NDArray[np.float64]] = []
    for spot in run:
        rgb = np.asarray(spot.rgb, np.float64)
        d = [float(np.linalg.norm(rgb - m)) for m in means]
        if d and min(d) <= CLUSTER_DISTANCE:
            k = int(np.argmin(d))
            clusters[k].append(spot)
            means[k] = means[k] + (rgb - means[k]) / len(clusters[k])
        else:
            clusters.append([spot])
            means.append(rgb)
    return clusters


def _rgb(values: npt.ArrayLike) -> Rgb:
    v = np.rint(np.asarray(values, np.float64)).astype(int)
    return (int(v[0]), int(v[1]), int(v[2]))


def _rgb_text(rgb: Rgb) -> str:
    return f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})"


# -- chart, axis, canary -------------------------------------------------------------------


def _chart(image: Image, strip: _Strip) -> Rect | None:
    """The pane above the strip's pane: from the separator up to where its colour ends.

    Grid lines (a few rows off-colour) do not end it; a longer run of other rows does.
    """
    height, width = image.shape[:2]
    roi = strip.roi
    cols = image[:, roi.x : strip.pane_right]
    strip_rows = _share(cols, strip.back, axis=1) >= _PANE_SHARE
    y = roi.y - 1
    while y >= 0 and strip_rows[y]:
        y -= 1  # the rest of the strip's own pane
    colour = _pane_colour_above(cols, y)
    if colour is None:
        return None
    bottom, pane = colour
    share = _share(cols[: bottom + 1], pane, axis=1)
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
        back = _backdrop(rows, BACKGROUND_TOLERANCE)
        if float(_share(rows, back, axis=1).min()) >= _PANE_SHARE:
            return yy, back
    return None


def _axis(image: Image, strip: _Strip, chart: Rect) -> Rect | None:
    """The pane right of the chart (past its separator) that holds text: the price labels.

    Its colour is the one most of the columns just right of the chart's pane show; the
    pane runs while columns keep it, and it must hold some text.
    """
    height, width = image.shape[:2]
    rows = image[chart.y : chart.bottom, strip.pane_right :]
    if rows.shape[1] < 8:
        return None
    back = _backdrop(rows[:, : max(8, round(60 * height / 1080))], BACKGROUND_TOLERANCE)
    inside = (_share(rows, back, axis=0) >= 0.5).tolist()
    if True not in inside:
        return None
    start = inside.index(True)
    end = start
    while end < len(inside) and inside[end]:
        end += 1
    text = contrast(rows[:, start:end], back.rgb) > back.threshold
    if end - start < 8 or int(text.sum()) < 20:
        return None
    return clip(Rect(strip.pane_right + start, chart.y, end - start, chart.h), width, height)


def _label_rows(image: Image, axis: Rect) -> tuple[int, ...]:
    """Centre rows of the text lines in the axis column: where the price labels are."""
    crop = image[axis.y : axis.bottom, axis.x : axis.right]
    back = _backdrop(crop, BACKGROUND_TOLERANCE)
    inked = (contrast(crop, back.rgb) > back.threshold).any(axis=1)
    rows: list[int] = []
    start = None
    for y, on in enumerate([*inked.tolist(), False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= 3:
                rows.append(axis.y + (start + y - 1) // 2)
            start = None
    return tuple(rows)


def _canary(image: Image, chart: Rect | None, axis: Rect | None) -> Rect | None:
    """A structured region above the chart's right end (title bar, window buttons), else
    above its left end; None when both are flat or there is no room above the chart."""
    if chart is None or chart.y < 8:
        return None
    height, width = image.shape[:2]
    scale = height / 1080
    w = axis.w if axis is not None else round(150 * scale)
    right = axis.right if axis is not None else chart.right
    h = min(chart.y, round(40 * scale))
    for x in (right - w, chart.x):
        roi = clip(Rect(x, chart.y - h, w, h), width, height)
        crop = image[roi.y : roi.bottom, roi.x : roi.right]
        if float(crop.std()) >= FLAT_STD:
            return roi
    return None
