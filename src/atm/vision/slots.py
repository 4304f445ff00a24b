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

import cv2
import numpy as np
import numpy.typing as npt

from atm.colors import Rgb, to_rgb
from atm.types import Image
from atm.vision.background import Backdrop, rgb_distance
from atm.vision.dots import Blob, find_blobs, segment
from atm.vision.seethrough import Lines, find_lines, line_mask, paint_out

#: Whole dots a grid is fitted to before it is settled: exact enough to cut on.
SETTLED = 20
#: A blob belongs to a slot when its centre is this share of the pitch from the slot's.
SLOT_SHARE = 0.3
#: Around a dot's box this many pixels still belong to it (anti-aliased rim, JPEG ringing).
_HALO = 1.5
#: The dot's colour is read within this share of its size around the slot's centre
#: (`atm.vision.dots` reads a blob's the same way).
_CORE_SHARE = 0.25
#: A slot holds a dot when this share of its core stands out from the background.
_PRESENT = 0.5
#: A margin is bare when nothing in it is bigger than this many pixels (JPEG ringing
#: leaves specks of one or two; a dot, or a line, is several).
_SPECK = 3
#: A column of the margin is a wall (the pane's border, or the next pane in a shade a
#: little off the strip's) when this share of it is off the background by more than
#: `_WALL_SHADE` beyond twice the noise. JPEG's ringing is patchy; a wall is whole.
_WALL = 0.9
_WALL_SHADE = 4.0
#: Before the dots' size is known, a line is at most this wide.
_SURVEY_LINE = 3


@dataclass(frozen=True, slots=True)
class Grid:
    """Where a strip's dots sit, in strip pixels: the live slot's centre column `x`, the
    `pitch` between bars (None until two whole dots were seen), the dots' box height
    `size` and their centre row `row`."""

    x: float
    pitch: float | None
    size: float
    row: float
    evidence: int = 1  # whole dots the grid was fitted to
    #: Where the strip's pane ends, if before the strip's right end: a calibrated strip
    #: may take in the pane's border and what lies beyond it (an axis, a window edge).
    edge: int | None = None

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

    def sized(self, blob: Blob) -> bool:
        """Is `blob` the size of this strip's dots (a box's corner is not)? JPEG's ringing
        can add a couple of rows to a pale dot's box on white."""
        big = 1.6 * self.size + 2
        return 0.6 * self.size <= blob.h <= big and blob.w <= big

    def on_row(self, blob: Blob) -> bool:
        """Does `blob` sit on the dots' row?"""
        return abs(blob.cy - self.row) <= max(1.5, 0.3 * self.size)

    def on_grid(self, cx: float, snug: bool = False) -> bool:
        """Does a dot centred at column `cx` sit on one of the grid's slots (either side)?
        `snug`: to within the rounding of whole-bar positions, not a read's tolerance."""
        if not self.pitch:
            return False
        k = round((cx - self.x) / self.pitch)
        within = max(1.5, 0.15 * self.pitch) if snug else self.tolerance
        return abs(cx - self.x - k * self.pitch) <= within

    def wide_margin(self, width: int) -> bool:
        """Is the margin after the live slot (to the pane's edge, or the strip's end of
        `width`) wide enough to show the next slot's dot, as a chart scrolled back does?"""
        return self.pitch is not None and (self.edge or width) - self.x >= self.pitch

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

    `live`: the dot at the slot, if any. `margin`: dots on the row right of it (the chart
    is scrolled back). `off_grid`: dots between slots or off the row (the strip moved or
    was zoomed). Dots are dot-shaped blobs of the strip's size; other blobs are foreign.
    `foreign`: the share of the live slot and the margin covered by what is neither a dot
    nor a thin line (a box, a window). `lines`: the thin lines painted out first.
    `neighbours`: the slots left of the live one, nearest first. `shade`: how far the
    bare part of the slot and margin is from the strip's background (RGB distance of the
    median): a box of nearly the background's colour shows only there.
    """

    live: Blob | None
    margin: tuple[Blob, ...]
    off_grid: tuple[Blob, ...]
    foreign: float
    lines: Lines
    neighbours: tuple[Core, ...]
    shade: float


def look(strip: Image, grid: Grid, back: Backdrop, neighbours: int) -> SlotView:
    """Read the live slot of `strip` ((H, W, 3) uint8 RGB) and `neighbours` slots left of it."""
    width = strip.shape[1]
    pitch = grid.pitch or 2 * grid.size
    x0 = max(0, math.floor(grid.x - (neighbours + 0.5) * pitch))
    window, lines = _see_through(strip[:, x0 : grid.edge], grid, back, x0)
    # bridged dots are cut on the grid once it is fitted to enough dots to be exact
    pitch_grid = (grid.x, grid.pitch) if grid.pitch and grid.evidence >= SETTLED else None
    # blobs are measured in the slot before the live one and right of it only (cost)
    sx = max(x0, math.floor(grid.x - 1.5 * pitch))
    blobs = segment(window[:, sx - x0 :], back, sx, width, pitch_grid)
    # dots of the strip's size, not cut by the window's left edge; the rest is foreign
    dots = [b for b in blobs if grid.sized(b) and (sx == 0 or b.cx - b.w / 2 > sx + 0.5)]
    tol = grid.tolerance + (grid.size / 2 if grid.x + grid.size / 2 >= width - 1 else 0.0)
    on_row = [b for b in dots if grid.on_row(b)]
    live = min(
        (b for b in on_row if abs(b.cx - grid.x) <= tol),
        key=lambda b: abs(b.cx - grid.x),
        default=None,
    )
    margin = tuple(b for b in on_row if b.cx > grid.x + tol)
    off = tuple(b for b in dots if not grid.on_row(b) or not grid.on_grid(b.cx))
    cell = max(0, math.floor(grid.x - pitch / 2) - x0)
    foreign = _foreign(window, back, dots, lines, x0, cell)
    ks = range(1, neighbours + 1) if grid.pitch else range(0)
    cores = _cores(window, grid, back, ks, x0)
    shade = float(
        rgb_distance(np.median(window[:, cell:], axis=(0, 1))[None, None], back.rgb)[0, 0]
    )
    return SlotView(live, margin, off, foreign, lines, tuple(cores), shade)


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
    edge: int | None = None  # where the pane ends, if before the strip does


def survey(strip: Image, back: Backdrop) -> Survey:
    """Every dot of `strip` ((H, W, 3) uint8 RGB) and the state of the margin after them.

    The margin runs from the last dot to the first column that is mostly foreground or
    off the background's shade (the pane's border, or what lies beyond the pane), or to
    the strip's end. It is seen through thin lines that cross the whole strip (a
    crosshair along the dots' row joins them all into one blob; one down the newest
    dot hides it).
    """
    lines = find_lines(back.foreground(strip), (0, 0), None, _SURVEY_LINE)
    return _survey(paint_out(strip, lines) if lines else strip, back)


def _survey(strip: Image, back: Backdrop) -> Survey:
    blobs = find_blobs(strip, back.threshold, back=back)
    if not blobs:
        return Survey(blobs, bare_margin=False)
    last = blobs[-1]
    start = math.ceil(last.cx + last.w / 2 + _HALO)
    rest = back.foreground(strip[:, start:])
    walls = np.nonzero(_walls(strip[:, start:], back))[0]
    edge = start + int(walls[0]) if walls.size else None
    margin = rest[:, : walls[0]] if walls.size else rest
    return Survey(blobs, bare_margin=_bare(margin), edge=edge)


def still_a_wall(strip: Image, grid: Grid, back: Backdrop) -> bool:
    """Is the pane's edge the grid was learned with still there (not a box that went)?"""
    return grid.edge is None or bool(_walls(strip[:, grid.edge : grid.edge + 1], back).all())


def _walls(part: Image, back: Backdrop) -> npt.NDArray[np.bool_]:
    """Per column of `part`: is it (nearly) all off the background's shade?"""
    if not part.size:
        return np.zeros(part.shape[1], dtype=bool)
    off = rgb_distance(part, back.rgb) > _WALL_SHADE + 2 * back.noise
    walls: npt.NDArray[np.bool_] = off.mean(axis=0) >= _WALL
    return walls


def _bare(margin: npt.NDArray[np.bool_]) -> bool:
    """No mark in the margin bigger than a speck of JPEG ringing."""
    if not margin.any():
        return True
    _, _, stats, _ = cv2.connectedComponentsWithStats(margin.astype(np.uint8), connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) <= _SPECK


def learn_grid(blobs: list[Blob], edge: int | None = None) -> Grid | None:
    """The grid of a row of dots (left to right, one row), the rightmost at the live slot.

    The pitch is a least-squares fit of the whole dots' centres against their slot
    numbers, so a pitch that is not a whole number of pixels (bars 7.3 px apart) is still
    exact over a hundred slots; the live slot's centre comes from the same fit, so a dot
    cut by the strip's edge does not pull it. `evidence` counts the dots fitted.
    """
    if not blobs:
        return None
    whole = [b for b in blobs if not b.clipped]
    if not whole and blobs[-1].h > 2 * blobs[-1].w + 1:
        return None  # half a dot is at least half as wide as it is tall
    size = float(np.median([b.h for b in whole or blobs]))
    row = float(np.median([b.cy for b in whole or blobs]))
    last = blobs[-1].cx
    if len(whole) < 2:
        return Grid(x=last, pitch=None, size=size, row=row, edge=edge)
    xs = np.array([b.cx for b in whole])
    steps = np.diff(xs)
    rough = float(np.median(steps[steps < 1.5 * steps.min()]))  # neighbours' spacing
    if rough < 0.8 * size:
        return None  # two blobs closer than a dot: not a row of dots
    pitch, intercept = rough, last
    for _ in range(2):  # the rough pitch numbers the near dots; the fit, the far ones
        slots = np.round((intercept - xs) / pitch)
        if len(set(slots.tolist())) < 2:
            return None
        slope, intercept = np.polyfit(slots, xs, 1)
        pitch = -float(slope)
    residual = np.abs(xs - (intercept - pitch * slots))
    if pitch <= 0 or float(residual.max()) > max(1.5, 0.2 * pitch):
        return None  # not evenly spaced: not (only) a strip's dots
    return Grid(float(intercept), pitch, size, row, evidence=len(whole), edge=edge)


def _see_through(window: Image, grid: Grid, back: Backdrop, x0: int) -> tuple[Image, Lines]:
    fg = back.foreground(window)
    gaps = grid.gaps(x0, window.shape[1])
    lines = find_lines(fg, grid.band, gaps, max_line_width(grid.size), window)
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
    of the pixels within a quarter of a dot's size around the slot's centre. All slots at
    once: a whole strip's history is a few hundred of them."""
    cx = np.array([grid.slot_x(k) - x0 for k in ks], dtype=np.float64)
    if not cx.size:
        return []
    r = max(0.8, _CORE_SHARE * grid.size)
    height, width = window.shape[:2]
    offsets = np.arange(-math.ceil(r), math.ceil(r) + 2)
    rows = math.floor(grid.row) + offsets
    rows = rows[(rows >= 0) & (rows < height)]
    cols = np.floor(cx)[:, None] + offsets[None, :]  # (n, m)
    near = ((rows[None, :, None] - grid.row) ** 2 + (cols[:, None, :] - cx[:, None, None]) ** 2
            <= r * r) & ((cols >= 0) & (cols < width))[:, None, :]  # fmt: skip
    pixels = window[rows[None, :, None], np.clip(cols, 0, width - 1).astype(np.intp)[:, None, :]]
    n = len(cx)
    flat, mask = pixels.reshape(n, -1, 3).astype(np.float64), near.reshape(n, -1)
    count = mask.sum(axis=1)
    standing = (rgb_distance(pixels.reshape(n, -1, 3), back.rgb) > back.threshold) & mask
    present = standing.sum(axis=1) >= _PRESENT * np.maximum(count, 1)
    medians = _masked_median(flat, mask, count)
    return [
        Core(to_rgb(np.floor(m)), bool(p and c)) if c else Core((0, 0, 0), False)
        for m, p, c in zip(medians, present, count, strict=True)
    ]


def _masked_median(values: npt.NDArray[np.float64], mask: npt.NDArray[np.bool_],
                   count: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:  # fmt: skip
    """Per row of (n, m, 3) `values`, the per-channel median of the entries `mask` keeps."""
    ordered = np.sort(np.where(mask[:, :, None], values, np.inf), axis=1)
    lo = np.maximum((count - 1) // 2, 0)[:, None, None]
    hi = np.maximum(count // 2, 0)[:, None, None]
    a = np.take_along_axis(ordered, np.broadcast_to(lo, (len(count), 1, 3)), axis=1)[:, 0]
    b = np.take_along_axis(ordered, np.broadcast_to(hi, (len(count), 1, 3)), axis=1)[:, 0]
    return np.where(np.isfinite(a + b), (a + b) / 2, 0.0)
