"""Read the colour a user clicked: snap to the dot near the click, average its middle.

A click on a 6-pixel dot in a scaled-down screenshot rarely lands on it, and the pixel
under the cursor may be the anti-aliased rim. So a dot click snaps to the dot: the blob of
salient pixels (unlike the surroundings: on a neutral chart the saturated ones, and the
grey dot too) under the click or, failing that, the nearest one within `SNAP_RADIUS`, not
the most salient one, which may be the neighbour. Its most saturated part, its core, is
averaged over the 5×5 patch at its middle (core pixels only: a small dot's patch corners
are background).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from atm.colors import Rgb, to_rgb
from atm.types import Image
from atm.vision.background import backdrop, background, rgb_distance

Bools = npt.NDArray[np.bool_]

SNAP_RADIUS = 15
PATCH = 5
#: Near a click only what clearly stands out is a dot: this far from the local background
#: at least, and this many times its noise (stricter than the detector's 3.5).
_SALIENT = 20.0
_SALIENT_NOISE = 4.0
#: A pixel is the dot's core when its contrast is at least this share of the dot's peak.
_CORE = 0.8


@dataclass(frozen=True, slots=True)
class Sample:
    """A colour read at (x, y) in screenshot pixels; `snapped` if it moved from the click."""

    x: int
    y: int
    rgb: Rgb
    snapped: bool


def sample_dot(image: Image, x: int, y: int, radius: int = SNAP_RADIUS) -> Sample:
    """The colour of the dot nearest (x, y) in `image` ((H, W, 3) uint8 RGB).

    Where nothing near stands out from the surroundings, the patch at the click is read.
    """
    height, width = image.shape[:2]
    x, y = min(max(x, 0), width - 1), min(max(y, 0), height - 1)
    x0, y0 = max(0, x - 2 * radius), max(0, y - 2 * radius)
    around = image[y0 : y + 2 * radius + 1, x0 : x + 2 * radius + 1]
    local = backdrop(around, _SALIENT, noise_factor=_SALIENT_NOISE)
    dist = rgb_distance(around, local.rgb)
    yy, xx = np.ogrid[: dist.shape[0], : dist.shape[1]]
    near = (yy + y0 - y) ** 2 + (xx + x0 - x) ** 2 <= radius * radius
    salient = dist > local.threshold
    ys, xs = np.nonzero(salient & near)
    if ys.size == 0:
        return Sample(x, y, sample_patch(image, x, y), snapped=False)
    nearest = int(np.argmin((ys + y0 - y) ** 2 + (xs + x0 - x) ** 2))
    blob = _blob_around(salient, int(ys[nearest]), int(xs[nearest]))
    peak = float(dist[blob].max())
    core = blob & (dist >= _CORE * peak)
    cy, cx = (round(float(v.mean())) for v in np.nonzero(core))
    h = PATCH // 2
    patch = around[max(0, cy - h) : cy + h + 1, max(0, cx - h) : cx + h + 1]
    inside = core[max(0, cy - h) : cy + h + 1, max(0, cx - h) : cx + h + 1]
    rgb = np.mean(patch[inside] if inside.any() else patch.reshape(-1, 3), axis=0)
    sx, sy = x0 + cx, y0 + cy
    return Sample(sx, sy, to_rgb(rgb), snapped=(sx, sy) != (x, y))


def sample_patch(image: Image, x: int, y: int) -> Rgb:
    """The per-channel median of the 5×5 patch at (x, y): a background, robust to a rim."""
    h = PATCH // 2
    patch = image[max(0, y - h) : y + h + 1, max(0, x - h) : x + h + 1]
    return to_rgb(background(patch))


def _blob_around(mask: Bools, y: int, x: int) -> Bools:
    """The 4-connected part of `mask` that holds (y, x): a flood fill, dots are small."""
    out = np.zeros_like(mask)
    stack = [(y, x)]
    height, width = mask.shape
    while stack:
        cy, cx = stack.pop()
        if not (0 <= cy < height and 0 <= cx < width) or out[cy, cx] or not mask[cy, cx]:
            continue
        out[cy, cx] = True
        stack += [(cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)]
    return out
