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

from atm.calibration import FLAT_STD, Calibration, FoundDot, Proposal, assemble, clip
from atm.colors import DOT_COLORS, REFERENCE_RGB, Rgb
from atm.geometry import Rect
from atm.types import Image
from atm.vision.colour import distances
from atm.vision.dots import Backdrop, contrast, find_blobs

#: The background tolerance the detector uses by default: the least contrast of a dot.
BACKGROUND_TOLERANCE = 25.0
#: A colour this far (plausible-set RGB distance) from every reference is not named.
NAME_LIMIT = 110.0
#: Dot cores closer than this (RGB) are one colour.
CLUSTER_DISTANCE = 40.0
#: A strip needs at least this many evenly spaced dots to be recognised...
MIN_DOTS = 3
#: ...or a dot this close to a class colour (with a wide clear pane left of it).
LONELY_LIMIT = 45.0
_MIN_SIZE = 3  # pixels: smaller specks are grid dots, dashes and noise, not dots
_BAND_MIN = 32  # rows of a search tile at least (dots are searched tile by tile)
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
    if proposal.dot_roi is None:
        raise ValueError("no dot strip was found")
    return assemble(
        image,
        proposal.dot_roi,
        chart_roi=proposal.chart_roi,
        canary_roi=proposal.canary_roi,
        colors=proposal.colors,
        window_title=window_title,
        y_axis_roi=proposal.axis_roi,
    )


# -- the dot row ---------------------------------------------------------------------------


def find_dot_row(image: Image) -> list[_Spot] | None:
    """The best row of evenly spaced dot-shaped blobs, left to right; None if none.

    A row must be mostly in class colours, and unique: a dotted grid line is a row of
    evenly spaced specks too (grey ones look like the gray class), but a grid repeats the
    same row across the chart. With fewer than `MIN_DOTS` dots on screen (a session's
    first bars), one or two dots of a class colour alone in a wide clear pane are taken.
    """
    spots = _spots(image)
    runs = [run for run in map(_regular_run, _rows(spots)) if len(run) >= MIN_DOTS]
    best: tuple[float, list[_Spot]] | None = None
    for run in runs:
        named = _named_share(run)
        if named < 0.5 or _repeated(run, runs):
            continue
        score = len(run) * named
        if best is None or score > best[0]:
            best = (score, run)
    if best is not None:
        return best[1]
    return _lonely_dots(image, [s for s in spots if not any(s in r for r in runs)])


def _repeated(run: list[_Spot], runs: list[list[_Spot]]) -> bool:
    """Do two or more other rows look the same (spacing, colour): a grid's lines?"""
    spacing, rgb = _signature(run)
    alike = 0
    for other in runs:
        if other is run:
            continue
        o_spacing, o_rgb = _signature(other)
        if abs(o_spacing - spacing) <= 0.1 * spacing + 1 and np.linalg.norm(o_rgb - rgb) <= 30:
            alike += 1
    return alike >= 2


def _signature(run: list[_Spot]) -> tuple[float, npt.NDArray[np.float64]]:
    """The run's spacing (the smallest common gap: bars without a dot leave wider ones)
    and its median colour."""
    gaps = np.diff([s.x for s in run])
    spacing = float(np.median(gaps[gaps <= 1.5 * float(np.min(gaps))]))
    return spacing, np.median([s.rgb for s in run], axis=0).astype(np.float64)


def _lonely_dots(image: Image, spots: list[_Spot]) -> list[_Spot] | None:
    """The dot of a class colour with the most plain background left of it (a strip fills
    from the right; at least 20 dot sizes), with its neighbour if there is one."""
    candidates = [s for s in spots if _near_class(s, LONELY_LIMIT)]
    best: tuple[int, _Spot] | None = None
    for spot in candidates:
        clear = _clear_left(image, spot)
        if clear >= 20 * spot.size and (best is None or clear > best[0]):
            best = (clear, spot)
    if best is None:
        return None
    first = best[1]
    after = [
        s
        for s in candidates
        if 0 < s.x - first.x <= 4 * first.size and abs(s.y - first.y) <= 0.25 * first.size + 1
    ]
    return [first, min(after, key=lambda s: s.x)] if after else [first]


def _near_class(spot: _Spot, limit: float) -> bool:
    return float(_reference_distances(spot.rgb, spot.background).min()) <= limit


def _clear_left(image: Image, spot: _Spot) -> int:
    """How many columns left of `spot` its row band is plain background."""
    r = math.ceil(spot.size / 2)
    y, x = round(spot.y), math.floor(spot.x - r) - 1
    band = image[max(0, y - r) : y + r + 1, : max(0, x)]
    if band.size == 0:
        return 0
    back = _backdrop(band[:, -20 * spot.size :], BACKGROUND_TOLERANCE)
    plain = (_share(band, back, axis=0) >= _PANE_SHARE).tolist()
    return plain[::-1].index(False) if False in plain else len(plain)


def _spots(image: Image) -> list[_Spot]:
    """Every dot-shaped blob of the screenshot, found tile by tile.

    The detector's blob finder wants one background and keeps only the blobs of the row
    most of them share: a tile a few dots high and some dozens wide mostly is one pane and
    one row. Tiles overlap by half each way; each keeps the blobs centred in its middle,
    so every blob is taken once, from the tile it sits in the middle of.
    """
    height, width = image.shape[:2]
    half_h = max(_BAND_MIN, round(height / 24)) // 2
    half_w = 8 * half_h
    spots: list[_Spot] = []
    for y0, ylo, yhi in _tiles(height, half_h):
        for x0, xlo, xhi in _tiles(width, half_w):
            tile = image[y0 : y0 + 2 * half_h, x0 : x0 + 2 * half_w]
            for blob in find_blobs(tile, BACKGROUND_TOLERANCE):
                x, y = x0 + blob.cx, y0 + blob.cy
                inside = xlo <= x < xhi and ylo <= y < yhi
                if inside and not blob.clipped and min(blob.w, blob.h) >= _MIN_SIZE:
                    spots.append(_Spot(x, y, max(blob.w, blob.h), blob.rgb, blob.background))
    return spots


def _tiles(length: int, half: int) -> list[tuple[int, float, float]]:
    """(start, first, end) of tiles `2 * half` long at a stride of `half`: each owns the
    middle half of itself, the first and last also their outer ends."""
    out: list[tuple[int, float, float]] = []
    start = 0
    while True:
        last = start + 2 * half >= length
        out.append(
            (start, 0 if start == 0 else start + half / 2, length if last else start + 1.5 * half)
        )
        if last:
            return out
        start += half


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
    """The longest left-to-right run of same-size spots at one spacing.

    A bar without a dot leaves a gap of two or three spacings; the run goes on over it.
    """
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
        bars = round(gap / spacing)
        if 1 <= bars <= 3 and abs(gap - bars * spacing) <= 0.2 * spacing + 1:
            current.append(spot)
        else:
            current = [spot]
        if len(current) > len(best):
            best = current
    return best if len(best) >= MIN_DOTS else []


_REFS = np.array([REFERENCE_RGB[c] for c in DOT_COLORS], dtype=np.float64)


def _reference_distances(
    rgb: Rgb | npt.NDArray[np.float64], background: Rgb
) -> npt.NDArray[np.float64]:
    return distances(np.asarray(rgb, np.float64), _REFS, np.asarray(background, np.float64))


def _named_share(run: list[_Spot]) -> float:
    """How many of the run's dots look like some class: a strip's do, candles' rarely."""
    near = [_near_class(s, NAME_LIMIT) for s in run]
    return sum(near) / len(near)


# -- the strip ROI -------------------------------------------------------------------------


def _strip(image: Image, run: list[_Spot]) -> _Strip:
    """The strip ROI around a dot row: its pane's left edge to two spacings past the last dot,
    about three dot diameters high where the pane is clear.

    Rows holding anything but background (the indicator's name, a border) end the ROI
    above and below: a glyph cut in half by the ROI's edge looks like a dot to the detector.
    """
    height, width = image.shape[:2]
    diameter = float(np.median([s.size for s in run]))
    # one or two dots alone: their spacing is unknown; bars are rarely over 2 dots apart
    spacing = _signature(run)[0] if len(run) >= MIN_DOTS else 2.0 * diameter
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
    rows = _clean_rows(image[:, left + 1 : right], back, [s.x - left - 1 for s in run], r)
    reach = max(r + 2, round(1.5 * diameter))
    top = y - r
    while top - 1 >= max(0, y - reach) and rows[top - 1]:
        top -= 1
    bottom = y + r
    while bottom + 1 <= min(height - 1, y + reach) and rows[bottom + 1]:
        bottom += 1
    roi = clip(Rect(left + 1, top, right - left - 1, bottom - top + 1), width, height)
    return _Strip(roi, pane_right, back, spacing, diameter)


def _clean_rows(
    pixels: Image, back: Backdrop, dot_xs: list[float], r: int
) -> npt.NDArray[np.bool_]:
    """Per row: nothing but background outside the dots' columns (a stray pixel or two allowed)."""
    foreground = contrast(pixels, back.rgb) > back.threshold
    width = pixels.shape[1]
    for x in dot_xs:
        foreground[:, max(0, math.floor(x - r - 2)) : math.ceil(x + r + 3)] = False
    clean: npt.NDArray[np.bool_] = foreground.sum(axis=1) <= max(2, 0.002 * width)
    return clean


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
        if (
            k not in owner
            and c in taken
            and dist[k, c] <= NAME_LIMIT
            and float(np.linalg.norm(means[k] - means[taken[c]])) <= 1.5 * CLUSTER_DISTANCE
        ):
            owner[k] = c
    members: dict[str, list[Rgb]] = {}
    names: dict[int, str | None] = {}
    for k, cluster in enumerate(clusters):
        name = DOT_COLORS[owner[k]] if k in owner else None
        for spot in cluster:
            names[id(spot)] = name
            if name is not None:
                members.setdefault(name, []).append(spot.rgb)
    colors: dict[str, Rgb] = {
        n: _rgb(np.mean(members[n], axis=0)) for n in DOT_COLORS if n in members
    }
    unknown = [_rgb(means[k]) for k in range(len(clusters)) if k not in owner]
    dots = tuple(FoundDot(s.x, s.y, s.size / 2, s.rgb, names[id(s)]) for s in run)
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
    inked: npt.NDArray[np.bool_] = np.any(contrast(crop, back.rgb) > back.threshold, axis=1)
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
