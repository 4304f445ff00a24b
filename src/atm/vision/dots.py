"""Find the dots of an indicator strip: every round blob that is not background.

Works on the strip crop only, never on fixed x positions: the chart scrolls, dots move.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from atm.capture.base import Image

Rgb = tuple[int, int, int]
Distances = npt.NDArray[np.float32]

_MAX_ASPECT = 1.8
# A disk fills π/4 ≈ 0.79 of its box; anti-aliased letters fill far less.
_MIN_FILL = 0.5
# A dot is solid in its middle; letters of the indicator's name ("M2D MAPS") are strokes
# around holes. This share of the central disk must be foreground.
_MIN_SOLID_CENTRE = 0.85
# Anti-aliased rims of close neighbours can touch; a bridged run is cut where its column
# height falls to this share of a dot's height.
_WAIST = 0.7
# The blob's colour is read within this share of its size around its centre.
_CORE_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Blob:
    """A dot candidate in strip coordinates: centre, box size, and its core colour."""

    cx: float
    cy: float
    w: int
    h: int
    rgb: Rgb
    clipped: bool  # touches the left or right edge of the strip: only partly visible


def strip_background(strip: Image) -> npt.NDArray[np.float32]:
    """The strip's background colour: the per-channel median, since dots are a minority.

    A sparse sample is enough for a median and keeps this off the per-cycle budget.
    """
    median: npt.NDArray[np.float32] = np.median(strip[::2, ::3].reshape(-1, 3), axis=0).astype(
        np.float32
    )
    return median


def contrast(pixels: Image, background: npt.NDArray[np.float32]) -> Distances:
    """(H, W) float32 Euclidean RGB distance of each pixel from the background."""
    diff = pixels.astype(np.float32) - background
    dist: Distances = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    return dist


def find_blobs(strip: Image, threshold: float) -> list[Blob]:
    """Every dot-like blob in `strip` ((H, W, 3) uint8 RGB), left to right.

    `threshold` is the distance from the background above which a pixel is foreground
    (the calibrated background tolerance).
    """
    if strip.size == 0:
        return []
    return _same_row(_segment(strip, strip_background(strip), threshold, 0, strip.shape[1]))


def rightmost_blob(strip: Image, threshold: float) -> Blob | None:
    """The rightmost dot, looking at only as much of the strip as it takes.

    Windows a few dot-heights wide are scanned from the right, so the usual case reads a
    small fraction of the pixels `find_blobs` does.
    """
    if strip.size == 0:
        return None
    background = strip_background(strip)
    height, width = strip.shape[:2]
    step = max(4 * height, 32)
    for right in range(width, 0, -step):
        left = max(0, right - 2 * step)
        blobs = _segment(strip[:, left:right], background, threshold, left, width, first=True)
        # a blob cut by the window's left edge is seen whole by the next window
        if blobs and (left == 0 or blobs[-1].cx - blobs[-1].w / 2 > left + 1):
            return blobs[-1]
    return None


def _segment(
    window: Image,
    background: npt.NDArray[np.float32],
    threshold: float,
    x0: int,
    width: int,
    first: bool = False,
) -> list[Blob]:
    """Dot candidates of a window starting at strip column `x0`, in strip coordinates.

    With `first`, components are visited right to left and the first dot found is the
    answer: the per-cycle path pays for one blob, not for the whole window.
    """
    dist = contrast(window, background)
    mask = (dist > threshold).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    order = np.argsort(-(stats[1:, 0] + stats[1:, 2])) + 1 if first else range(1, n)
    blobs: list[Blob] = []
    for i in order:
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < 3:
            continue
        member = labels[y : y + h, x : x + w] == i
        if w > _MAX_ASPECT * h and h >= 3:
            found = _split(window, dist, member, x, y, x0, width)
        else:
            blob = _blob(window, dist, member, x, y, x0, width)
            shaped = blob is not None and (blob.clipped or _dot_shaped(dist, member, x, y))
            found = [blob] if blob is not None and shaped else []
        blobs.extend(found)
        if first and found:
            return [max(found, key=lambda b: b.cx)]
    return sorted(blobs, key=lambda b: b.cx)


def _split(
    window: Image,
    dist: Distances,
    member: npt.NDArray[np.bool_],
    x: int,
    y: int,
    x0: int,
    width: int,
) -> list[Blob]:
    """Cut a bridged run of dots at the narrow waists between them.

    Dots sit in one row, so a run's column heights rise and fall once per dot; the
    anti-aliased bridge between two dots is a local minimum well below a dot's height.
    """
    heights = member.sum(axis=0)
    cuts = [0]
    for c in range(1, len(heights) - 1):
        waist = heights[c] <= heights[c - 1] and heights[c] < heights[c + 1]
        if waist and heights[c] <= _WAIST * heights.max() and c - cuts[-1] >= 2:
            cuts.append(c)
    cuts.append(len(heights))
    out = []
    for a, b in itertools.pairwise(cuts):
        part = np.zeros_like(member)
        part[:, a:b] = member[:, a:b]
        rows = np.nonzero(part.any(axis=1))[0]
        if rows.size == 0:
            continue
        sub = part[rows[0] : rows[-1] + 1, a:b]
        blob = _blob(window, dist, sub, x + a, y + int(rows[0]), x0, width)
        if blob is not None:
            out.append(blob)
    return out


def _blob(
    window: Image,
    dist: Distances,
    member: npt.NDArray[np.bool_],
    x: int,
    y: int,
    x0: int,
    width: int,
) -> Blob | None:
    h, w = member.shape
    clipped = x0 + x == 0 or x0 + x + w == width
    if w > _MAX_ASPECT * h or (h > _MAX_ASPECT * w and not clipped):
        return None
    ys, xs = np.nonzero(member)
    cy, cx = float(ys.mean()), float(xs.mean())
    # The colour is read in the middle of the dot: the rim blends into the background and,
    # where dots nearly touch, into the neighbour (which may out-contrast a dark dot).
    r = max(0.8, _CORE_SHARE * min(h, w))
    near = (ys - cy) ** 2 + (xs - cx) ** 2 <= r * r
    pixels = window[y + ys[near], x + xs[near]] if near.any() else window[y + ys, x + xs]
    rgb = np.median(pixels, axis=0)
    return Blob(
        cx=x0 + x + cx,
        cy=y + cy,
        w=w,
        h=h,
        rgb=(int(rgb[0]), int(rgb[1]), int(rgb[2])),
        clipped=clipped,
    )


def _dot_shaped(dist: Distances, member: npt.NDArray[np.bool_], x: int, y: int) -> bool:
    """Is the blob full like a disk with a solid middle, as a dot is and a letter is not?

    Judged at half the peak contrast: the anti-aliased rim fattens thin strokes of text
    into something round at the background threshold, but not at half contrast.
    """
    h, w = member.shape
    local = dist[y : y + h, x : x + w]
    strong = member & (local >= 0.5 * float(local[member].max()))
    rows, cols = np.nonzero(strong.any(axis=1))[0], np.nonzero(strong.any(axis=0))[0]
    member = strong[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = member.shape
    if h <= 4 and w <= 4:
        return True  # too small to tell a letter by shape; the row filter judges size
    if float(member.mean()) < _MIN_FILL or w > _MAX_ASPECT * h or h > _MAX_ASPECT * w:
        return False
    r = 0.3 * min(h, w)
    yy, xx = np.ogrid[:h, :w]
    disk = (yy - (h - 1) / 2) ** 2 + (xx - (w - 1) / 2) ** 2 <= r * r
    return bool(member[disk].mean() >= _MIN_SOLID_CENTRE) if disk.any() else True


def _same_row(blobs: list[Blob]) -> list[Blob]:
    """Keep blobs of the dominant size and row: the dots, not stray marks."""
    if len(blobs) < 3:
        return blobs
    whole = [b for b in blobs if not b.clipped] or blobs
    size = float(np.median([b.h for b in whole]))
    row = float(np.median([b.cy for b in whole]))
    return [
        b
        for b in blobs
        if 0.6 * size <= b.h <= 1.4 * size + 1 and abs(b.cy - row) <= 0.6 * size + 1
    ]
