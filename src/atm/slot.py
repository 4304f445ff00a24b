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
from atm.vision.slots import Core, Grid, SlotView, cores, learn_grid, look, survey

ReadStatus = Literal["live", "obstructed", "not_live", "empty"]
#: Why a read is not live, in the words the health alerts use (`atm.health`).
Cause = Literal["mouse", "window", "dot", "scrolled", "moved", "history", "frozen"]

#: Slots left of the live one read every cycle: evidence of a shift against the history.
NEIGHBOURS: Final = 6
#: Whole dots a grid is fitted to before it is settled; until then each clean view (the
#: first frames of a session that starts with a short strip) fits it again.
ENOUGH_DOTS: Final = 20
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
    `neighbours` are the slots left of it, nearest first; `background` the strip's."""

    status: ReadStatus
    cause: Cause | None = None
    blob: Blob | None = None
    neighbours: tuple[Core, ...] = ()
    background: Rgb = (0, 0, 0)
    seen_through: bool = False


class SlotReader:
    """Learns a strip's grid from clean views and reads its live slot."""

    def __init__(self, tolerance: float) -> None:
        self._tolerance = tolerance
        self.grid: Grid | None = None
        self._back: Backdrop | None = None  # the background the grid was learned on

    def read(self, strip: Image) -> SlotRead:
        """Read `strip` (the `dot_roi` crop, (H, W, 3) uint8 RGB) at its live slot."""
        if strip.size == 0:
            return SlotRead("empty")
        back = strip_backdrop(strip, self._tolerance)
        background = to_rgb(np.floor(back.rgb))
        if self.grid is None or self.grid.evidence < ENOUGH_DOTS:
            found = self._learn(strip, back)
            if self.grid is None:
                return SlotRead("obstructed" if found else "empty", "dot" if found else None)
        if self._covered(back):
            return SlotRead("obstructed", "window", background=background)
        view = look(strip, self.grid, back, NEIGHBOURS)
        status, cause = verdict(view, self.grid)
        blob = view.live if status == "live" else None
        return SlotRead(status, cause, blob, view.neighbours, background, bool(view.lines))

    def slots(self, strip: Image) -> tuple[list[Core], Rgb] | None:
        """Every slot of `strip`, oldest first, the live one last; None before a grid."""
        if self.grid is None:
            return None
        back = strip_backdrop(strip, self._tolerance)
        _, found = cores(strip, self.grid, back)
        return found, to_rgb(np.floor(back.rgb))

    def _learn(self, strip: Image, back: Backdrop) -> bool:
        """Learn (or complete) the grid from `strip` if its view is clean; were dots seen?"""
        seen = survey(strip, back)
        if seen.bare_margin:
            grid = learn_grid(seen.blobs, seen.edge)
            if grid is not None and grid.evidence >= (self.grid.evidence if self.grid else 0):
                self.grid, self._back = grid, back
        return bool(seen.blobs)

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
        return "not_live", "scrolled" if all(grid.on_grid(b.cx) for b in view.margin) else "moved"
    if view.live is None:
        if view.off_grid:
            return "not_live", "moved"
        if not any(c.present for c in view.neighbours):
            return "empty", None
        return "obstructed", "mouse" if view.lines else "dot"
    return "live", None
