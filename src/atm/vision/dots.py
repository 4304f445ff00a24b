"""Find the dots of an indicator strip: every round blob that is not background.

Works on the strip crop only, never on fixed x positions: the chart scrolls, dots move.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from atm.colors import Rgb, to_rgb
from atm.types import Image
from atm.vision.background import Backdrop, Floats, backdrop, rgb_distance

_MAX_ASPECT = 1.8
# Wider than this, a blob may be two dots whose blurred rims touch: look for a waist.
_SPLIT_ASPECT = 1.3
# A disk fills π/4 ≈ 0.79 of its box; anti-aliased letters fill far less.
_MIN_FILL = 0.5
# A dot is solid in its middle; letters of the indicator's name ("M2D MAPS") are strokes
# around holes. This share of the central disk must be foreground.
_MIN_SOLID_CENTRE = 0.85
# Blurred rims of close neighbours can touch; a bridged run is cut where its contrast per
# column falls to this share of the peaks on either side.
_WAIST = 0.8
#: The background is the median of every 2nd row and 3rd column: a sparse sample keeps
#: it off the per-cycle budget (see `atm.vision.background`).
_SAMPLE_STEP = (2, 3)
# A dot's peak contrast is well above the foreground threshold; a noise speck's is not.
_PEAK_FACTOR = 2.0
# The rightmost candidate is checked against this many blobs (itself included).
_NEIGHBOURS = 4
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
    background: Rgb  # the strip background it was seen against


def find_blobs(strip: Image, tolerance: float, back: Backdrop | None = None) -> list[Blob]:
    """Every dot-like blob in `strip` ((H, W, 3) uint8 RGB), left to right.

    `tolerance` is the calibrated background tolerance: the least contrast of a dot pixel.
    `back`: the strip's background when the caller has it already.
    """
    if strip.size == 0:
        return []
    back = back or backdrop(strip, tolerance, step=_SAMPLE_STEP)
    return _same_row(_segment(strip, back, 0, strip.shape[1]))


def strip_backdrop(strip: Image, tolerance: float) -> Backdrop:
    """The strip's background and foreground threshold, sampled as the detector does."""
    return backdrop(strip, tolerance, step=_SAMPLE_STEP)


def rightmost_blob(strip: Image, tolerance: float) -> Blob | None:
    """The rightmost dot, looking at only as much of the strip as it takes.

    Windows a few dot-heights wide are scanned from the right and only the first few
    blobs are measured, so the usual case reads a small fraction of the pixels
    `find_blobs` does. The candidate must match its left neighbours in size and row:
    a speck at the edge is not the current bar.
    """
    if strip.size == 0:
        return None
    back = backdrop(strip, tolerance, step=_SAMPLE_STEP)
    height, width = strip.shape[:2]
    step = max(4 * height, 32)  # wider than any dot: a blob centred in a window's right
    found: list[Blob] = []  # half lies wholly inside that window
    for right in range(width, 0, -step):
        left = max(0, right - 2 * step)
        blobs = _segment(strip[:, left:right], back, left, width, first=_NEIGHBOURS)
        owned = [b for b in blobs if left == 0 or b.cx >= left + step]
        found = owned + found
        if len(found) >= _NEIGHBOURS or left == 0:
            break
    kept = _same_row(found)
    return kept[-1] if kept else None


#: A strip's grid of bar slots: the centre column of one slot and the pitch between slots.
Pitch = tuple[float, float]


def segment(
    window: Image, back: Backdrop, x0: int, width: int, pitch: Pitch | None = None
) -> list[Blob]:
    """Every dot-shaped blob of `window` ((h, w, 3) uint8 RGB: columns `x0`.. of a strip
    `width` wide), in strip coordinates, left to right. With `pitch` known, a run of
    bridged dots is cut between the grid's slots instead of at its waists."""
    return _segment(window, back, x0, width, pitch=pitch)


def _segment(
    window: Image,
    back: Backdrop,
    x0: int,
    width: int,
    first: int = 0,
    pitch: Pitch | None = None,
) -> list[Blob]:
    """Dot candidates of a window starting at strip column `x0`, in strip coordinates.

    With `first=n`, components are visited right to left and the first n dots found are
    the answer: the per-cycle path pays for a few blobs, not for the whole window.
    """
    view = _View(window, rgb_distance(window, back.rgb), x0, width, back, pitch)
    mask = (view.dist > back.threshold).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    order = np.argsort(-(stats[1:, 0] + stats[1:, 2])) + 1 if first else range(1, n)
    blobs: list[Blob] = []
    for i in order:
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < 3:
            continue
        member = labels[y : y + h, x : x + w] == i
        if float(view.dist[y : y + h, x : x + w][member].max()) < _PEAK_FACTOR * back.threshold:
            continue  # a speck of noise or ringing, not a dot
        # wider than a dot, or (the grid known) than a slot: dots whose rims touch
        bridged = h >= 3 and (w > _SPLIT_ASPECT * h or (pitch is not None and w > pitch[1] + 1))
        parts = view.split(member, x, y) if bridged else [(member, x, y)]
        blobs += [b for b in (view.dot(*part) for part in parts) if b is not None]
        if first and len(blobs) >= first:
            break
    return sorted(blobs, key=lambda b: b.cx)


Part = tuple[npt.NDArray[np.bool_], int, int]  # a member mask and its box's corner


@dataclass(frozen=True, slots=True)
class _View:
    """A window of the strip with its contrast map; `x0` is its column in the strip."""

    pixels: Image
    dist: Floats
    x0: int
    width: int  # of the whole strip: a blob touching either end is clipped
    back: Backdrop
    pitch: Pitch | None = None

    def split(self, member: npt.NDArray[np.bool_], x: int, y: int) -> list[Part]:
        """Cut a bridged run of dots between them: between the grid's slots when the pitch
        is known (JPEG can fill a waist), else at the waists.

        Dots sit in one row, so a run's contrast summed per column rises and falls once
        per dot; between two dots it dips well below both neighbours' peaks, even where
        blur keeps every column above the foreground threshold.
        """
        cuts = self._grid_cuts(x, member.shape[1]) if self.pitch else self._waists(member, x, y)
        parts = []
        for a, b in itertools.pairwise(cuts):
            rows = np.nonzero(member[:, a:b].any(axis=1))[0]
            if rows.size:
                top, bottom = int(rows[0]), int(rows[-1]) + 1
                parts.append((member[top:bottom, a:b], x + a, y + top))
        return parts

    def _grid_cuts(self, x: int, w: int) -> list[int]:
        """[0, cuts…, w]: the slot boundaries inside columns x..x+w of the window."""
        assert self.pitch is not None
        centre, pitch = self.pitch
        left = self.x0 + x
        first = math.ceil((left - centre) / pitch - 0.5)
        bounds = (round(centre + (k + 0.5) * pitch) - left for k in itertools.count(first))
        inner = itertools.takewhile(lambda c: c < w, bounds)
        return [0, *(c for c in inner if c > 0), w]

    def _waists(self, member: npt.NDArray[np.bool_], x: int, y: int) -> list[int]:
        h = member.shape[0]
        profile = np.where(member, self.dist[y : y + h, x : x + member.shape[1]], 0).sum(axis=0)
        cuts = [0]
        for c in range(1, len(profile) - 1):
            if not profile[c] <= profile[c - 1] or not profile[c] < profile[c + 1]:
                continue
            left = profile[max(cuts[-1], c - h - 1) : c].max()
            right = profile[c + 1 : c + h + 2].max()
            if profile[c] <= _WAIST * min(left, right) and c - cuts[-1] >= 2:
                cuts.append(c)
        cuts.append(len(profile))
        return cuts

    def dot(self, member: npt.NDArray[np.bool_], x: int, y: int) -> Blob | None:
        """The blob if it is dot-shaped (or cut by the strip's edge), else None."""
        h, w = member.shape
        clipped = self.x0 + x == 0 or self.x0 + x + w == self.width
        if w > _MAX_ASPECT * h or (h > _MAX_ASPECT * w and not clipped):
            return None
        if not clipped and not _dot_shaped(self.dist, member, x, y):
            return None
        ys, xs = np.nonzero(member)
        cy, cx = float(ys.mean()), float(xs.mean())
        # The colour is read in the middle of the dot: the rim blends into the background
        # and, where dots nearly touch, into the neighbour (which may out-contrast a dark dot).
        r = max(0.8, _CORE_SHARE * min(h, w))
        near = (ys - cy) ** 2 + (xs - cx) ** 2 <= r * r
        ys, xs = (ys[near], xs[near]) if near.any() else (ys, xs)
        rgb = np.median(self.pixels[y + ys, x + xs], axis=0)
        # Truncated, not rounded, as the detector always has: rounding would change what it
        # reads, a detection change (issue 11's), not a refactor.
        return Blob(
            cx=self.x0 + x + cx,
            cy=y + cy,
            w=w,
            h=h,
            rgb=to_rgb(np.floor(rgb)),
            clipped=clipped,
            background=to_rgb(np.floor(self.back.rgb)),
        )


def _dot_shaped(dist: Floats, member: npt.NDArray[np.bool_], x: int, y: int) -> bool:
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
    if not _solid_core(member):
        return False
    r = 0.3 * min(h, w)
    yy, xx = np.ogrid[:h, :w]
    disk = (yy - (h - 1) / 2) ** 2 + (xx - (w - 1) / 2) ** 2 <= r * r
    return bool(member[disk].mean() >= _MIN_SOLID_CENTRE) if disk.any() else True


def _solid_core(strong: npt.NDArray[np.bool_]) -> bool:
    """Does a cross ~40 % of the blob's size fit inside it? It fits in a disk, even a
    2-px-radius one off the pixel grid; not in the thin strokes of a glyph."""
    k = 2 * max(1, round(0.2 * min(strong.shape))) + 1
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (k, k))
    padded = np.pad(strong.astype(np.uint8), k)  # outside the box is background
    return bool(cv2.erode(padded, cross).any())


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
