"""Auto-detection on a screen of several charts: one `Proposal` per dot strip found.

`strip.find_dot_rows` offers every row that may be a strip, best first. The best one is a
strip, as on a screen of one chart; another is one only when it has a chart pane of its
own and neither it nor that pane overlaps a strip already taken or its pane (a row of
candles can look like dots). Each chart's price axis and canary are then looked for in
its own part of the screen (`areas`): left of the next chart's strip, right of the
previous chart's price axis, below the strip of the chart above — a neighbour's title bar
is not this chart's canary. With one strip the proposal is exactly `auto.propose`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from atm.calibration import Proposal
from atm.calibration.auto import nothing_found, propose_from
from atm.calibration.panes import find_axis, find_chart
from atm.calibration.strip import Spot, Strip, find_dot_rows, find_strip
from atm.geometry import Rect
from atm.types import Image
from atm.vision.axis import TextReader


@dataclass(frozen=True, slots=True)
class Found:
    """A dot strip taken: its dots, its ROI and pane, and the chart pane above it."""

    run: list[Spot]
    strip: Strip
    chart: Rect | None


def propose_charts(
    image: Image, *, later: Sequence[Image] = (), reader: TextReader | None = None
) -> tuple[Proposal, ...]:
    """One proposal per dot strip of `image` ((H, W, 3) uint8 RGB), left to right, then
    top to bottom; a single one saying what is missing when there is no strip."""
    found = find_strips(image)
    if not found:
        return (nothing_found(image),)
    if len(found) == 1:
        return (propose_from(image, found[0].run, later=later, reader=reader),)
    found.sort(key=lambda f: (f.strip.roi.x, f.strip.roi.y))
    return tuple(
        propose_from(image, f.run, later=later, reader=reader, area=area)
        for f, area in zip(found, areas(image, found), strict=True)
    )


def find_strips(image: Image) -> list[Found]:
    """The dot strips of `image`, best first (see the module docstring)."""
    found: list[Found] = []
    for run in find_dot_rows(image):
        strip = find_strip(image, run)
        chart = find_chart(image, strip)
        if found and (chart is None or any(_clash(strip, chart, f) for f in found)):
            continue
        found.append(Found(run, strip, chart))
    return found


def _clash(strip: Strip, chart: Rect, other: Found) -> bool:
    theirs = [other.strip.roi] + ([other.chart] if other.chart is not None else [])
    return any(mine.overlaps(it) for mine in (strip.roi, chart) for it in theirs)


def areas(image: Image, found: Sequence[Found]) -> list[Rect]:
    """Each chart's part of the screen: from the right end of the nearest chart left of it
    (its price axis, else its strip's pane) to the nearest strip right of it, from below
    the nearest strip above it to the bottom."""
    height, width = image.shape[:2]
    ends = [_right_end(image, f, _next_left(f, found, width)) for f in found]
    out: list[Rect] = []
    for f in found:
        roi = f.strip.roi
        right = _next_left(f, found, width)
        left = max([end for o, end in zip(found, ends, strict=True) if _left_of(o, f)], default=0)
        under = f.chart.y if f.chart is not None else roi.y
        above = [o.strip.roi.bottom for o in found if _above(o, f, under)]
        top = max(above, default=0)
        out.append(Rect(left, top, max(1, right - left), height - top))
    return out


def _next_left(f: Found, found: Sequence[Found], width: int) -> int:
    """The first column of the nearest strip right of `f`'s (the screen's width if none)."""
    return min([o.strip.roi.x for o in found if _left_of(f, o)], default=width)


def _right_end(image: Image, f: Found, end: int) -> int:
    """The column right of `f`'s chart: past its price axis, else its strip's pane."""
    axis = find_axis(image, f.strip, f.chart, end) if f.chart is not None else None
    return axis.right if axis is not None else f.strip.pane_right


def _left_of(a: Found, b: Found) -> bool:
    return a.strip.roi.right <= b.strip.roi.x


def _above(a: Found, b: Found, top: int) -> bool:
    """Is `a`'s strip above row `top` of `b`'s chart, in columns `b` shares?"""
    ra, rb = a.strip.roi, b.strip.roi
    return a is not b and ra.bottom <= top and ra.x < rb.right and rb.x < ra.right
