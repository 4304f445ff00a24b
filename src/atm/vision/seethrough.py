"""Thin lines laid over the dot strip — a mouse crosshair, a pane's grid line — found and
painted out, so the dots under them read as if the line were not there.

A crosshair crosses the strip as a line one or two pixels wide: a vertical one down every
pane at the mouse's x, a horizontal one across the pane under the mouse. Over a dot it
hides a column or a row of the dot and joins it to everything else the line touches, so
the dot is no longer a round blob of its own. Both kinds are told from dots by their
extent, which no dot has:

- a vertical line is foreground in most rows *outside* the dots' band (a dot never is);
- a horizontal line is foreground across most columns *between* the dots (outside their
  band: across the whole width), where the strip is otherwise background.

Runs of such columns (rows) no wider than `max_width` are lines; wider runs are slabs —
the edge or the body of a box over the strip — which nothing can see through. A line is
painted out by interpolating each of its pixels from the pixels on either side of the
run: over a dot those are the dot's own, so its core colour survives.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from atm.types import Image

Mask = npt.NDArray[np.bool_]
Runs = tuple[tuple[int, int], ...]  # [start, stop) runs of columns or rows

#: A column is a line when at least this share of its rows outside the dots' band is
#: foreground; a crosshair covers all of them, a letter of the pane's title a fraction.
LINE_SHARE = 0.8
#: Rows outside the band needed to judge a column at all (a strip cropped tight around
#: its dots leaves too few; then nothing is called a line).
_MIN_ROWS = 4
#: A row across touching dots is a line when its median colour departs this far from the
#: mean of the rows either side; across a dot's face the rows differ by a few levels.
_RIDGE = 40.0
#: ...and when it is one colour along its length: its pixels' median distance from the
#: row's median colour stays under this (a row through dots changes at every rim).
_UNIFORM = 25.0


@dataclass(frozen=True, slots=True)
class Lines:
    """Thin lines found in a strip (window): vertical `columns`, horizontal `rows`, and
    whether a wider run (`slab`: a box's edge or body) was seen too."""

    columns: Runs = ()
    rows: Runs = ()
    slab: bool = False

    def __bool__(self) -> bool:
        return bool(self.columns or self.rows)


def find_lines(
    fg: Mask,
    band: tuple[int, int],
    gaps: Mask | None,
    max_width: int,
    pixels: Image | None = None,
) -> Lines:
    """Thin lines in the (H, W) foreground mask `fg`.

    `band` is the rows [top, bottom) where dots lie; `gaps` (W,) marks the columns between
    dots. Where the dots leave no gaps, a row of the band is a line when it is a ridge in
    `pixels` (the image, (H, W, 3) uint8 RGB): unlike the rows above and below it, which a
    dot's smooth face makes alike; without `pixels` no line is seen in the band.
    """
    height = fg.shape[0]
    top, bottom = max(0, band[0]), min(height, band[1])
    outside = np.concatenate([fg[:top], fg[bottom:]])
    col_runs: Runs = ()
    if outside.shape[0] >= _MIN_ROWS:
        col_runs = _runs(outside.mean(axis=0) >= LINE_SHARE)
    row_share = fg.mean(axis=1)
    if gaps is not None and gaps.sum() >= _MIN_ROWS:
        row_share[top:bottom] = fg[top:bottom][:, gaps].mean(axis=1)
    elif pixels is not None:
        ridge = _ridges(pixels, top, bottom)
        row_share[top:bottom] = np.where(ridge, row_share[top:bottom], 0.0)
    else:
        row_share[top:bottom] = 0.0
    row_runs = _runs(row_share >= LINE_SHARE)
    thin_cols = tuple(r for r in col_runs if r[1] - r[0] <= max_width)
    thin_rows = tuple(r for r in row_runs if r[1] - r[0] <= max_width)
    slab = len(thin_cols) < len(col_runs) or len(thin_rows) < len(row_runs)
    return Lines(thin_cols, thin_rows, slab)


def paint_out(pixels: Image, lines: Lines) -> Image:
    """A copy of `pixels` ((H, W, 3) uint8 RGB) with each thin line interpolated away."""
    out = pixels.astype(np.float32)
    for a, b in lines.rows:
        _bridge(out, a, b, axis=0)
    for a, b in lines.columns:
        _bridge(out, a, b, axis=1)
    painted: Image = np.rint(out).astype(np.uint8)
    return painted


def line_mask(shape: tuple[int, int], lines: Lines) -> Mask:
    """(H, W) mask of the pixels `lines` covers."""
    mask = np.zeros(shape, dtype=bool)
    for a, b in lines.rows:
        mask[a:b] = True
    for a, b in lines.columns:
        mask[:, a:b] = True
    return mask


def _bridge(out: npt.NDArray[np.float32], a: int, b: int, axis: int) -> None:
    """Fill [a, b) along `axis` linearly between the pixels just outside the run."""
    n = out.shape[axis]
    before = np.take(out, max(a - 1, 0) if a > 0 else min(b, n - 1), axis=axis)
    after = np.take(out, b if b < n else max(a - 1, 0), axis=axis)
    for k, i in enumerate(range(a, b), start=1):
        share = k / (b - a + 1)
        value = before * (1 - share) + after * share
        if axis == 0:
            out[i] = value
        else:
            out[:, i] = value


def _ridges(pixels: Image, top: int, bottom: int) -> npt.NDArray[np.bool_]:
    """Per row of [top, bottom): the line across it, if any — in each run of rows unlike
    their neighbours, the one row (or two) most unlike them; blur smears a line's edge
    onto the rows beside it, which must stay the dots'."""
    lo, hi = max(top - 1, 0), min(bottom + 2, pixels.shape[0])
    rows = pixels[lo:hi].astype(np.float32)
    strength = np.zeros((2, bottom - top), dtype=np.float32)
    for width in (1, 2):
        n = len(rows) - width - 1  # rows r with a neighbour above and `width` rows below
        if n <= 0:
            continue
        line = (rows[1 : 1 + n] + rows[width : width + n]) / 2
        face = (rows[:n] + rows[width + 1 : width + 1 + n]) / 2
        ridge = np.median(np.linalg.norm(line - face, axis=2), axis=1)
        # a line is one colour from end to end; a row of dots changes at every dot's rim
        spread = np.median(np.linalg.norm(line - np.median(line, axis=1)[:, None], axis=2), axis=1)
        ridge[spread > _UNIFORM] = 0.0
        first = lo + 1 - top  # band index of the first r
        keep = slice(max(0, -first), min(n, bottom - top - first))
        strength[width - 1, first + keep.start : first + keep.stop] = ridge[keep]
    out = np.zeros(bottom - top, dtype=bool)
    for a, b in _runs(strength.max(axis=0) > _RIDGE):
        best = int(np.argmax(strength[:, a:b]))
        wide, at = divmod(best, b - a)  # row-major: (width - 1, row)
        out[a + at : a + at + wide + 1] = True
    return out


def _runs(flags: npt.NDArray[np.bool_]) -> Runs:
    """[start, stop) runs of True in a 1-D array."""
    out: list[tuple[int, int]] = []
    start = 0
    for value, group in itertools.groupby(flags.tolist()):
        size = sum(1 for _ in group)
        if value:
            out.append((start, start + size))
        start += size
    return tuple(out)
