"""The dot strip read at known places: the live slot, the slots left of it, the margin.

Bars sit on a grid: one slot per bar, a fixed pitch apart, the newest (live) bar's slot
at the right and an empty margin beyond it. Once the grid is known (`learn_grid`, from a
clean view of the whole strip), each cycle asks "what lies at the live slot?" rather than
"which blob is rightmost?" — the rightmost blob is an older bar whenever something hides
the newest one. `look` answers from a window a few slots wide: the blob at the slot, dots
in the margin (the chart scrolled back), dots between slots (the strip moved), and how
much of the slot and margin is covered by what is neither a dot nor a thin line (a box).
Thin lines (a crosshair) are painted out first (`atm.vision.seethrough`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from atm.colors import Rgb, to_rgb
from atm.types import Image
from atm.vision.background import Backdrop, rgb_distance
from atm.vision.dots import Blob, find_blobs, segment
from atm.vision.seethrough import Lines, find_lines, line_mask, paint_out

#: A blob belongs to a slot when its centre is this share of the pitch from the slot's.
SLOT_SHARE = 0.3
#: Around a dot's box this many pixels still belong to it (anti-aliased rim, JPEG ringing).
_HALO = 1.5
#: The dot's colour is read within this share of its size around the slot's centre
#: (`atm.vision.dots` reads a blob's the same way).
_CORE_SHARE = 0.25
#: A slot holds a dot when this share of its core stands out from the background.
_PRESENT = 0.5
#: A margin is bare when no more than this share of it stands out (JPEG ringing may).
_BARE = 0.002


@dataclass(frozen=True, slots=True)
class Grid:
    """Where a strip's dots sit, in strip pixels: the live slot's centre column `x`, the
    `pitch` between bars (None until two dots were seen), the dots' box height `size`
    and their centre row `row`."""

    x: float
    pitch: float | None
    size: float
    row: float

    def slot_x(self, k: int) -> float:
        """Centre column of the slot `k` bars before the live one."""
        return self.x - k * (self.pitch or 0.0)

    @property
    def slots(self) -> int:
        """How many slots lie in the strip, the live one included."""
        if not self.pitch:
            return 1
        return int((self.x + self.size / 2) // self.pitch) + 1

    @property
    def band(self) -> tuple[int, int]:
        """Rows [top, bottom) the dots cover, with a pixel of rim either side."""
        half = self.size / 2 + 1
        return math.floor(self.row - half), math.ceil(self.row + half) + 1

    @property
    def tolerance(self) -> float:
        """How far from a slot's centre its dot's centre may lie."""
        return max(2.0, SLOT_SHARE * (self.pitch or 2 * self.size))

    def on_grid(self, cx: float) -> bool:
        """Does a dot centred at column `cx` sit on one of the grid's slots (either side)?"""
        if not self.pitch:
            return False
        k = round((cx - self.x) / self.pitch)
        return abs(cx - self.x - k * self.pitch) <= self.tolerance

    def gaps(self, x0: int, width: int) -> npt.NDArray[np.bool_] | None:
        """Columns x0..x0+width that lie between dots (None: the dots leave no gap)."""
        if not self.pitch or self.pitch - self.size < 3:
            return None
        cols = np.arange(x0, x0 + width, dtype=np.float64)
        phase = np.abs((cols - self.x) / self.pitch - np.round((cols - self.x) / self.pitch))
        gaps: npt.NDArray[np.bool_] = phase * self.pitch > self.size / 2 + 1
        return gaps


@dataclass(frozen=True, slots=True)
class Core:
    """The middle of one slot: its colour, and whether a dot stands out there."""

    rgb: Rgb
    present: bool


@dataclass(frozen=True, slots=True)
class SlotView:
    """What lies at and around the live slot of one strip.

    `live`: the dot-shaped blob at the slot, if any. `margin`: dots right of it (the chart
    is scrolled back). `off_grid`: dots between slots (the strip moved or was zoomed).
    `foreign`: the share of the live slot and the margin covered by what is neither a dot
    nor a thin line (a box, a window). `lines`: the thin lines painted out first.
    `neighbours`: the slots left of the live one, nearest first.
    """

    live: Blob | None
    margin: tuple[Blob, ...]
    off_grid: tuple[Blob, ...]
    foreign: float
    lines: Lines
    neighbours: tuple[Core, ...]


def look(strip: Image, grid: Grid, back: Backdrop, neighbours: int) -> SlotView:
    """Read the live slot of `strip` ((H, W, 3) uint8 RGB) and `neighbours` slots left of it."""
    width = strip.shape[1]
    pitch = grid.pitch or 2 * grid.size
    x0 = max(0, math.floor(grid.x - (neighbours + 0.5) * pitch))
    window, lines = _see_through(strip[:, x0:], grid, back, x0)
    pitch_grid = (grid.x, grid.pitch) if grid.pitch else None
    blobs = segment(window, back, x0, width, pitch_grid)
    whole = [b for b in blobs if x0 == 0 or b.cx - b.w / 2 > x0 + 0.5]  # not cut by the window
    tol = grid.tolerance + (grid.size / 2 if grid.x + grid.size / 2 >= width - 1 else 0.0)
    live = min(
        (b for b in whole if abs(b.cx - grid.x) <= tol),
        key=lambda b: abs(b.cx - grid.x),
        default=None,
    )
    margin = tuple(b for b in whole if b.cx > grid.x + tol)
    off = tuple(b for b in whole if b.cx < grid.x - tol and not grid.on_grid(b.cx))
    cell = max(0, math.floor(grid.x - pitch / 2) - x0)
    foreign = _foreign(window, back, whole, lines, x0, cell)
    ks = range(1, neighbours + 1) if grid.pitch else range(0)
    cores = _cores(window, grid, back, ks, x0)
    return SlotView(live, margin, off, foreign, lines, tuple(cores))


def cores(strip: Image, grid: Grid, back: Backdrop) -> tuple[Lines, list[Core]]:
    """Every slot of the strip, oldest first (the live one last), read through thin lines."""
    window, lines = _see_through(strip, grid, back, 0)
    return lines, _cores(window, grid, back, reversed(range(grid.slots)), 0)


@dataclass(frozen=True, slots=True)
class Survey:
    """A whole strip seen without a grid: its dots, and whether the part right of the
    rightmost one is bare background, as the margin after a live edge is."""

    blobs: list[Blob]
    bare_margin: bool


def survey(strip: Image, back: Backdrop) -> Survey:
    """Every dot of `strip` ((H, W, 3) uint8 RGB) and the state of the margin after them.

    No see-through here: a grid is learned from a clean view only, and a line over the
    newest dot leaves that dot out and marks the margin after the one before it.
    """
    blobs = find_blobs(strip, back.threshold, back=back)
    if not blobs:
        return Survey(blobs, bare_margin=False)
    last = blobs[-1]
    start = math.ceil(last.cx + last.w / 2 + _HALO)
    rest = back.foreground(strip[:, start:])
    return Survey(blobs, bare_margin=float(rest.mean()) <= _BARE if rest.size else True)


def learn_grid(blobs: list[Blob]) -> Grid | None:
    """The grid of a row of dots (left to right, one row), the rightmost at the live slot.

    The pitch is a least-squares fit of the dots' centres against their slot numbers, so a
    pitch that is not a whole number of pixels (bars 7.3 px apart) is still exact over
    a hundred slots; the live slot's centre comes from the same fit.
    """
    if not blobs:
        return None
    whole = [b for b in blobs if not b.clipped] or blobs
    size = float(np.median([b.h for b in whole]))
    row = float(np.median([b.cy for b in whole]))
    xs = np.array([b.cx for b in blobs])
    if len(blobs) < 2:
        return Grid(x=float(xs[-1]), pitch=None, size=size, row=row)
    rough = float(np.min(np.diff(xs)))
    if rough < 0.8 * size:
        return None  # two blobs closer than a dot: not a row of dots
    slots = np.round((xs[-1] - xs) / rough)
    fit = np.array([b.cx for b in whole]), np.round((xs[-1] - [b.cx for b in whole]) / rough)
    if len(set(fit[1].tolist())) < 2:
        return Grid(x=float(xs[-1]), pitch=rough, size=size, row=row)
    slope, intercept = np.polyfit(fit[1], fit[0], 1)
    pitch = -float(slope)
    residual = np.abs(xs - (intercept - pitch * slots))
    if pitch <= 0 or float(residual.max()) > max(1.5, 0.2 * pitch):
        return None  # not evenly spaced: not (only) a strip's dots
    return Grid(x=float(intercept), pitch=pitch, size=size, row=row)


def _see_through(window: Image, grid: Grid, back: Backdrop, x0: int) -> tuple[Image, Lines]:
    fg = back.foreground(window)
    gaps = grid.gaps(x0, window.shape[1])
    lines = find_lines(fg, grid.band, gaps, max_line_width(grid.size))
    return (paint_out(window, lines) if lines else window), lines


def max_line_width(size: float) -> int:
    """The widest run still taken for a thin line over dots `size` pixels across: a
    crosshair is 1 px at 100 % and 2 px at 200 %, a dot's core survives that."""
    return max(2, round(0.3 * size))


def _foreign(
    window: Image, back: Backdrop, blobs: list[Blob], lines: Lines, x0: int, cell: int
) -> float:
    """Share of columns `cell`.. of `window` that is foreground but neither a dot nor a line."""
    fg = back.foreground(window[:, cell:])
    explained = line_mask(window.shape[:2], lines)[:, cell:]
    for b in blobs:
        left = max(0, math.floor(b.cx - x0 - cell - b.w / 2 - _HALO))
        right = max(0, math.ceil(b.cx - x0 - cell + b.w / 2 + _HALO) + 1)
        top = max(0, math.floor(b.cy - b.h / 2 - _HALO))
        explained[top : math.ceil(b.cy + b.h / 2 + _HALO) + 1, left:right] = True
    return float((fg & ~explained).mean()) if fg.size else 0.0


def _cores(window: Image, grid: Grid, back: Backdrop, ks: Iterable[int], x0: int) -> list[Core]:
    """The core of each slot `k` of `ks`: the median colour (truncated, as a blob's is read)
    of the pixels within a quarter of a dot's size around the slot's centre."""
    r = max(0.8, _CORE_SHARE * grid.size)
    reach = math.ceil(r)
    height, width = window.shape[:2]
    out = []
    for k in ks:
        cx, cy = grid.slot_x(k) - x0, grid.row
        ys, xs = np.mgrid[
            max(0, math.floor(cy) - reach) : min(height, math.floor(cy) + reach + 2),
            max(0, math.floor(cx) - reach) : min(width, math.floor(cx) + reach + 2),
        ]
        near = (ys - cy) ** 2 + (xs - cx) ** 2 <= r * r
        pixels = window[ys[near], xs[near]]
        if not len(pixels):
            out.append(Core(rgb=(0, 0, 0), present=False))
            continue
        present = float((rgb_distance(pixels[None], back.rgb) > back.threshold).mean())
        out.append(Core(to_rgb(np.floor(np.median(pixels, axis=0))), present >= _PRESENT))
    return out
