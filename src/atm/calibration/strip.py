"""Find the dot strip in a screenshot: the row of evenly spaced dots and the ROI around it.

The dot strip is a row of small round blobs of one size, evenly spaced, each coloured like
one of the seven classes (the detector's own blob finder judges "dot-shaped"). Its pane is
a uniform background around that row; the ROI spans the pane to the left and ends a
couple of dot spacings right of the current (rightmost) dot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from atm.calibration import clip
from atm.colors import DOT_COLORS, REFERENCE_RGB, Rgb
from atm.geometry import Rect
from atm.types import Image
from atm.vision.background import Backdrop, backdrop
from atm.vision.color_distance import distances
from atm.vision.dots import find_blobs

#: The background tolerance the detector uses by default: the least contrast of a dot.
BACKGROUND_TOLERANCE = 25.0
#: A colour this far (plausible-set RGB distance) from every reference is not named.
NAME_LIMIT = 110.0
#: A strip needs at least this many evenly spaced dots to be recognised...
MIN_DOTS = 3
#: ...or a dot this close to a class colour (with a wide clear pane left of it).
LONELY_LIMIT = 45.0
#: Share of a row/column in the pane's colour for it to belong to the pane.
PANE_SHARE = 0.85
_MIN_SIZE = 3  # pixels: smaller specks are grid dots, dashes and noise, not dots
_BAND_MIN = 32  # rows of a search tile at least (dots are searched tile by tile)
_THIN = 2  # pixels: grid and zero lines are 1 px thick, 2 px on a 200 % screen...
_LINE_MIN = 24  # ...and run on far longer than a dot is wide


@dataclass(frozen=True, slots=True)
class Spot:
    """A dot-shaped blob in screenshot pixels."""

    x: float
    y: float
    size: int
    rgb: Rgb
    background: Rgb


@dataclass(frozen=True, slots=True)
class Strip:
    """The strip ROI, where its pane ends, the pane's background and the dots' pitch."""

    roi: Rect
    pane_right: int  # first column right of the strip's pane (a separator or another pane)
    back: Backdrop
    spacing: float
    diameter: float


def find_dot_row(image: Image) -> list[Spot] | None:
    """The best row of evenly spaced dot-shaped blobs, left to right; None if none."""
    rows = find_dot_rows(image)
    return rows[0] if rows else None


def find_dot_rows(image: Image) -> list[list[Spot]]:
    """Every row of evenly spaced dot-shaped blobs that may be a dot strip, best first.

    A row must be mostly in class colours, and unique: a dotted grid line is a row of
    evenly spaced specks too (grey ones look like the gray class), but a grid repeats the
    same row across the chart. With fewer than `MIN_DOTS` dots on screen (a session's
    first bars), one or two dots of a class colour alone in a wide clear pane are taken.
    Rows further down the list are candidates for other charts on the same screen (two
    charts side by side at one scale share a row: each of its runs is a candidate); which
    of them are strips is `calibration.several`'s to judge.
    """
    spots = _spots(image)
    per_row = [_regular_runs(row) for row in _rows(spots)]
    runs = [found[0] for found in per_row if found]  # each row's longest: the grid test's
    best = _ranked(runs, runs)
    if not best:
        lonely = _lonely_dots(image, [s for s in spots if not any(s in r for r in runs)])
        return [lonely] if lonely else []
    return best + _ranked([run for found in per_row for run in found[1:]], runs)


def _ranked(candidates: list[list[Spot]], runs: list[list[Spot]]) -> list[list[Spot]]:
    """The candidates mostly in class colours and not repeated like a grid, best first
    (of equal scores the upper row, then the left run: the order they were found in)."""
    scored: list[tuple[float, list[Spot]]] = []
    for run in candidates:
        named = _named_share(run)
        if named >= 0.5 and not _repeated(run, runs):
            scored.append((len(run) * named, run))
    return [run for _, run in sorted(scored, key=lambda item: -item[0])]


def _repeated(run: list[Spot], runs: list[list[Spot]]) -> bool:
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


def _signature(run: list[Spot]) -> tuple[float, npt.NDArray[np.float64]]:
    """The run's spacing and its median colour.

    The spacing is the run's length over the bars it spans, each gap counted in the
    common gap (bars without a dot leave wider ones): at 125 % a 10 px pitch is 12.5 px,
    drawn as gaps of 12 and 13 whose median would be either.
    """
    gaps = np.diff([s.x for s in run])
    step = float(np.median(gaps[gaps <= 1.5 * float(np.min(gaps))]))
    bars = np.maximum(1.0, np.round(gaps / step))
    spacing = round(float(gaps.sum() / bars.sum()), 2)
    return spacing, np.median([s.rgb for s in run], axis=0).astype(np.float64)


def _lonely_dots(image: Image, spots: list[Spot]) -> list[Spot] | None:
    """The dot of a class colour with the most plain background left of it (a strip fills
    from the right; at least 20 dot sizes), with its neighbour if there is one."""
    candidates = [s for s in spots if _near_class(s, LONELY_LIMIT)]
    best: tuple[int, Spot] | None = None
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


def _near_class(spot: Spot, limit: float) -> bool:
    return float(reference_distances(spot.rgb, spot.background).min()) <= limit


def _clear_left(image: Image, spot: Spot) -> int:
    """How many columns left of `spot` its row band is plain background."""
    r = math.ceil(spot.size / 2)
    y, x = round(spot.y), math.floor(spot.x - r) - 1
    band = image[max(0, y - r) : y + r + 1, : max(0, x)]
    if band.size == 0:
        return 0
    back = backdrop(band[:, -20 * spot.size :], BACKGROUND_TOLERANCE)
    plain = (back.share(band, axis=0) >= PANE_SHARE).tolist()
    return plain[::-1].index(False) if False in plain else len(plain)


def _spots(image: Image) -> list[Spot]:
    """Every dot-shaped blob of the screenshot, found tile by tile.

    The detector's blob finder wants one background and keeps only the blobs of the row
    most of them share: a tile a few dots high and some dozens wide mostly is one pane and
    one row. Tiles overlap by half each way; each keeps the blobs centred in its middle,
    so every blob is taken once, from the tile it sits in the middle of.
    """
    height, width = image.shape[:2]
    half_h = max(_BAND_MIN, round(height / 24)) // 2
    half_w = 8 * half_h
    spots: list[Spot] = []
    for y0, ylo, yhi in _tiles(height, half_h):
        for x0, xlo, xhi in _tiles(width, half_w):
            tile = without_thin_lines(image[y0 : y0 + 2 * half_h, x0 : x0 + 2 * half_w])
            for blob in find_blobs(tile, BACKGROUND_TOLERANCE):
                x, y = x0 + blob.cx, y0 + blob.cy
                inside = xlo <= x < xhi and ylo <= y < yhi
                if inside and not blob.clipped and min(blob.w, blob.h) >= _MIN_SIZE:
                    spots.append(Spot(x, y, max(blob.w, blob.h), blob.rgb, blob.background))
    return spots


def without_thin_lines(tile: Image) -> Image:
    """`tile` with its long straight lines at most `_THIN` px thick painted in its background.

    A grid line or an indicator's zero line through the dot row joins every dot it touches
    into one blob. A line's pixels lie in a long run one way and a short one the other;
    where it crosses a dot, the dot's pixels are thick both ways and stay.
    """
    back = backdrop(tile, BACKGROUND_TOLERANCE, step=(2, 3))  # as sparse as the detector's
    ink = back.foreground(tile)
    if max(ink.sum(axis=0).max(initial=0), ink.sum(axis=1).max(initial=0)) < _LINE_MIN:
        return tile  # no row or column holds that much ink: no line (most tiles)
    along, across = _run_lengths(ink), _run_lengths(ink.T).T
    thin = ((across <= _THIN) & (along >= _LINE_MIN)) | ((along <= _THIN) & (across >= _LINE_MIN))
    if not thin.any():
        return tile
    out = tile.copy()
    out[thin] = np.round(back.rgb).astype(np.uint8)
    return out


def _run_lengths(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    """Per pixel: the length of the run of True along its row it lies in (0 where False)."""
    height, width = mask.shape
    flat = np.pad(mask, ((0, 0), (0, 1))).ravel()  # a False after each row: runs stay in it
    ids = np.cumsum(flat & ~np.concatenate(([False], flat[:-1]))) * flat
    lengths = np.bincount(ids)[ids] * flat
    out: npt.NDArray[np.intp] = lengths.reshape(height, width + 1)[:, :width]
    return out


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


def _rows(spots: list[Spot]) -> list[list[Spot]]:
    """Spots grouped by the row they sit on (centres within a fraction of their size)."""
    rows: list[list[Spot]] = []
    centre = 0.0
    for spot in sorted(spots, key=lambda s: s.y):
        if rows and abs(spot.y - centre) <= 0.25 * spot.size + 0.75:
            rows[-1].append(spot)
            centre += (spot.y - centre) / len(rows[-1])
        else:
            rows.append([spot])
            centre = spot.y
    return rows


def _regular_runs(row: list[Spot]) -> list[list[Spot]]:
    """The left-to-right runs of same-size spots at one spacing, longest first.

    A bar without a dot leaves a gap of two or three spacings; a run goes on over it.
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
    found: list[list[Spot]] = []
    current = [same[0]]
    for spot, gap in zip(same[1:], gaps, strict=True):
        bars = round(gap / spacing)
        if 1 <= bars <= 3 and abs(gap - bars * spacing) <= 0.2 * spacing + 1:
            current.append(spot)
        else:
            found.append(current)
            current = [spot]
    found.append(current)
    # stable: of two runs of one length the left one first, as the longest always was
    return sorted((run for run in found if len(run) >= MIN_DOTS), key=lambda run: -len(run))


_REFS = np.array([REFERENCE_RGB[c] for c in DOT_COLORS], dtype=np.float64)


def reference_distances(
    rgb: Rgb | npt.NDArray[np.float64], background: Rgb
) -> npt.NDArray[np.float64]:
    """How far `rgb`, seen over `background`, is from each class (`DOT_COLORS` order)."""
    return distances(np.asarray(rgb, np.float64), _REFS, np.asarray(background, np.float64))


def _named_share(run: list[Spot]) -> float:
    """How many of the run's dots look like some class: a strip's do, candles' rarely."""
    near = [_near_class(s, NAME_LIMIT) for s in run]
    return sum(near) / len(near)


def find_strip(image: Image, run: list[Spot]) -> Strip:
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
    back = backdrop(image[around.y : around.bottom, around.x : around.right], BACKGROUND_TOLERANCE)
    band = image[max(0, y - r) : y + r + 1]
    in_pane = back.share(band, axis=0) >= PANE_SHARE
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
    return Strip(roi, pane_right, back, spacing, diameter)


def _clean_rows(
    pixels: Image, back: Backdrop, dot_xs: list[float], r: int
) -> npt.NDArray[np.bool_]:
    """Per row: nothing but background outside the dots' columns (a stray pixel or two allowed)."""
    foreground = back.foreground(pixels)
    width = pixels.shape[1]
    for x in dot_xs:
        foreground[:, max(0, math.floor(x - r - 2)) : math.ceil(x + r + 3)] = False
    clean: npt.NDArray[np.bool_] = foreground.sum(axis=1) <= max(2, 0.002 * width)
    return clean
