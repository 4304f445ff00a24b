"""The live slot: where the newest bar's dot must be, and what a frame shows there.

A strip's grid (the live slot's column, the pitch between bars, the dots' size and row)
is learned at run time from a clean view: one whose rightmost dot has bare background
after it, as a chart at its live edge has (`atm.vision.slots.learn_grid`). Until enough
dots were seen (the first frames of a short strip) each clean view fits it again. Then
every read is one of:

- `live`: a dot of the strip's size sits at the live slot, the margin after it is bare;
- `obstructed`: something lies over or across the slot — a box or a window over the
  slot or the margin, a blob of the wrong size there, nothing where the dot must be;
- `not_live`: dots in the margin (the chart is scrolled back) or between the slots (the
  strip moved, or the chart was zoomed);
- `empty`: no dot anywhere near the slot: the strip shows nothing to read.

Thin lines (a crosshair) are seen through first. Only a `live` read has a dot; the
caller never takes an older dot for the current bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from atm.colors import Rgb, to_rgb
from atm.types import Image
from atm.vision.background import Backdrop
from atm.vision.dots import Blob, strip_backdrop
from atm.vision.slots import (
    SETTLED,
    Core,
    Grid,
    SlotView,
    cores,
    learn_grid,
    look,
    still_a_wall,
    survey,
)

ReadStatus = Literal["live", "obstructed", "not_live", "empty"]
#: Why a read is not live, in the words the health alerts use (`atm.health`).
Cause = Literal["mouse", "window", "dot", "scrolled", "moved", "history", "frozen"]

#: Slots left of the live one read every cycle: evidence of a shift against the history.
NEIGHBOURS: Final = 6
#: Whole dots a grid is fitted to before it is settled (`atm.vision.slots.SETTLED`);
#: until then each clean view (the first frames of a session that starts with a short
#: strip) fits it again.
#: How long a wall tight after the last dot must stand before it is taken for the pane's
#: edge: two bars, longer than a toast or a passing tooltip stays.
WALL_WAIT_S: Final = 360.0
#: Share of the live slot and margin that may be covered by what is neither a dot nor a
#: thin line. A data tip or a toast covers most of it; JPEG ringing a fraction of 1 %.
FOREIGN_MAX: Final = 0.03
#: How far (RGB) the slot and margin's median may be from the strip's background: a light
#: toast over a white chart (243 vs 255: 21) is within the dots' contrast tolerance, but
#: bare background is within a few levels of itself even through JPEG.
SHADE_MAX: Final = 8.0


@dataclass(frozen=True, slots=True)
class SlotRead:
    """One read of a strip at its live slot. `blob` is set only when `status` is live;
    `neighbours` are the slots left of it, nearest first; `background` the strip's;
    `wide_margin`: the margin would show a chart scrolled back (`Grid.wide_margin`)."""

    status: ReadStatus
    cause: Cause | None = None
    blob: Blob | None = None
    neighbours: tuple[Core, ...] = ()
    background: Rgb = (0, 0, 0)
    seen_through: bool = False
    wide_margin: bool = False


class SlotReader:
    """Learns a strip's grid from clean views and reads its live slot."""

    def __init__(self, tolerance: float) -> None:
        self._tolerance = tolerance
        self.grid: Grid | None = None
        self._back: Backdrop | None = None  # the background the grid was learned on
        self._walled: tuple[tuple[int, int], float] | None = None  # (edge, slot), since

    def read(self, strip: Image, ts: float) -> SlotRead:
        """Read `strip` (the `dot_roi` crop, (H, W, 3) uint8 RGB) at its live slot."""
        if strip.size == 0:
            return SlotRead("empty")
        back = strip_backdrop(strip, self._tolerance)
        background = to_rgb(np.floor(back.rgb))
        if self.grid is not None and not still_a_wall(strip, self.grid, back):
            self.grid = None  # the "pane's edge" it was learned with was a box: learn again
        if self.grid is None or self.grid.evidence < SETTLED:
            found = self._learn(strip, back, ts)
            if self.grid is None:
                return SlotRead("obstructed" if found else "empty", "dot" if found else None)
        if self._covered(back):
            return SlotRead("obstructed", "window", background=background)
        view = look(strip, self.grid, back, NEIGHBOURS)
        status, cause = verdict(view, self.grid)
        blob = view.live if status == "live" else None
        wide = self.grid.wide_margin(strip.shape[1])
        return SlotRead(status, cause, blob, view.neighbours, background, bool(view.lines), wide)

    def slots(self, strip: Image) -> tuple[list[Core], Rgb] | None:
        """Every slot of `strip`, oldest first, the live one last; None before a grid."""
        if self.grid is None:
            return None
        back = strip_backdrop(strip, self._tolerance)
        _, found = cores(strip, self.grid, back)
        return found, to_rgb(np.floor(back.rgb))

    def _learn(self, strip: Image, back: Backdrop, ts: float) -> bool:
        """Learn (or complete) the grid from `strip` if its view is clean; were dots seen?"""
        seen = survey(strip, back)
        if seen.bare_margin:
            grid = learn_grid(seen.blobs, seen.edge)
            better = grid is not None and grid.evidence >= (self.grid.evidence if self.grid else 0)
            if grid is not None and better and self._settled(grid, ts):
                self.grid, self._back = grid, back
        return bool(seen.blobs)

    def _settled(self, grid: Grid, ts: float) -> bool:
        """A margin that ends at a wall less than a slot after the last dot may be a box
        over the newest dots (its edge falls within a slot of the last dot it leaves),
        not the pane's edge: it is taken only once it has stood still for `WALL_WAIT_S`."""
        if (
            grid.edge is None
            or grid.pitch is None
            or grid.edge - grid.x >= grid.pitch + grid.size / 2
        ):
            return True  # one dot alone (a chart's first bar) has no older ones to mistake
        key = (grid.edge, round(grid.x))
        if self._walled is None or self._walled[0] != key:
            self._walled = (key, ts)
        return ts - self._walled[1] >= WALL_WAIT_S

    def _covered(self, back: Backdrop) -> bool:
        """Has the strip's background itself changed: is most of the strip covered?"""
        if self._back is None:
            return False
        return float(np.linalg.norm(back.rgb - self._back.rgb)) > self._back.threshold


def verdict(view: SlotView, grid: Grid) -> tuple[ReadStatus, Cause | None]:
    """What a view of the live slot means: a live dot, or why not."""
    covered: Cause = "mouse" if view.lines.columns else "window"
    if view.foreign > FOREIGN_MAX or view.shade > SHADE_MAX:
        return "obstructed", covered
    if view.margin:
        return "not_live", "scrolled" if all(
            grid.on_grid(b.cx, snug=True) for b in view.margin
        ) else "moved"
    if view.live is None:
        if view.off_grid:
            return "not_live", "moved"
        if not any(c.present for c in view.neighbours):
            return "empty", None
        return "obstructed", "mouse" if view.lines else "dot"
    return "live", None
