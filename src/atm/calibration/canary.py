"""Where the layout canary goes: a region above the chart with structure that never
changes on its own.

A canary over a clock, a price or a P&L pauses the monitor the first time it ticks
(issue 11: a toolbar clock paused a session a minute in). Each candidate region is judged:

- flat: nothing to hash (a plain title bar), skipped;
- changed: live, calibration takes screenshots a few seconds apart; a region whose pixels
  differ between them (or next to it) changes on its own;
- changing text: the words in and next to it are read (OCR); a time, a number of two or
  more digits, or a digit with a sign, currency or percent is a clock, a price or a P&L,
  even when it did not change between the screenshots (a minute clock ticks once a minute).

Candidates lie in bands as high as the canary, above the chart: first above its right end
(where the window buttons are) and its left end, as before, then sweeping right to left,
then higher bands. The first one without a flaw wins. From one screenshot nothing can be
seen changing, and the choice says it is not verified.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from atm.calibration import FLAT_STD, clip
from atm.geometry import Rect
from atm.types import Image
from atm.vision.axis import TextReader
from atm.vision.text import padded, text_boxes

Bools = npt.NDArray[np.bool_]

#: A pixel changed between two lossless screenshots when a channel moved this much.
CHANGE_LEVEL: Final = 8
#: Text next to a region (within this many pixels at 1080p) counts as in it: a clock
#: whose "9:59" becomes "10:00" grows sideways.
MARGIN_PX: Final = 8
#: Bands of candidates above the chart, nearest first.
BANDS: Final = 3
#: A time, two digits (with at most one separator between them: 16:42, 485.50, 12),
#: or a digit with a sign, currency or percent (+5, $5, 5 %): what ticks by itself.
_CHANGING: Final = re.compile(r"\d\W?\d|[+\-−$€£¥]\d|\d\s?[%$€£¥]")


@dataclass(frozen=True, slots=True)
class CanaryChoice:
    """Where the canary goes (None: nowhere steady was found) and why, for the user.

    `verified`: screenshots taken seconds apart showed the region unchanged; `rejected`
    one line per candidate turned down, with the reason.
    """

    roi: Rect | None
    why: str
    verified: bool
    rejected: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Word:
    """A word of text on the screenshot and what OCR read there."""

    box: Rect
    text: str


def changing(text: str) -> bool:
    """Whether `text` reads like something that changes on its own (a clock, a price)."""
    return _CHANGING.search(text) is not None


def choose_canary(
    shots: Sequence[Image],
    chart: Rect | None,
    axis: Rect | None,
    reader: TextReader | None,
    area: Rect | None = None,
) -> CanaryChoice:
    """The canary for screenshots `shots` ((H, W, 3) uint8 RGB, the first is the
    calibration's; more are the same screen seconds later), or None with the reason.
    `area`: the part of the screen that is this chart's when it shares it with others."""
    if chart is None or chart.y < 8:
        return CanaryChoice(None, "no room above the chart: the canary is off", False)
    image = shots[0]
    moved = changed(shots, chart.y)
    words = read_words(image, Rect(0, 0, image.shape[1], chart.y), reader)
    rejected: list[str] = []
    for roi in candidates(image.shape[1], image.shape[0], chart, axis, area):
        flaw = judge(image, roi, moved, words)
        if flaw is None:
            why = _why(_grown(roi, image), words, len(shots), reader)
            return CanaryChoice(roi, why, moved is not None, tuple(rejected))
        rejected.append(f"{roi}: {flaw}")
    return CanaryChoice(
        None,
        "no region above the chart holds still (each is flat, changed, or holds a clock or "
        "prices): the canary is off; mark one by hand with `atm calibrate`",
        moved is not None,
        tuple(rejected),
    )


def candidates(
    width: int, height: int, chart: Rect, axis: Rect | None, area: Rect | None = None
) -> list[Rect]:
    """Regions a canary may take, in order of preference (see the module docstring); with
    `area`, only those inside it (a neighbouring chart's title bar is not this one's)."""
    scale = height / 1080
    w = axis.w if axis is not None else round(150 * scale)
    right = axis.right if axis is not None else chart.right
    h = min(chart.y, round(40 * scale))
    step = max(1, w // 2)
    left = area.x if area is not None else 0
    sweep = [right - w, chart.x, *range(right - w - step, left, -step), left]
    out: list[Rect] = []
    for band in range(BANDS):
        y = chart.y - h * (band + 1)
        if y < 0:
            break
        for x in sweep:
            roi = clip(Rect(x, y, w, h), width, height)
            if roi not in out and (area is None or area.contains(roi)):
                out.append(roi)
    return out


def judge(
    image: Image,
    roi: Rect,
    moved: Bools | None,
    words: Sequence[Word],
    *,
    allow_flat: bool = False,
) -> str | None:
    """What is wrong with `roi` as a canary, or None. `moved` marks the pixels that changed
    between screenshots (None: one screenshot); `words` the text read around it."""
    crop = image[roi.y : roi.bottom, roi.x : roi.right]
    if not allow_flat and (crop.size == 0 or float(crop.std()) < FLAT_STD):
        return "flat, nothing to hash"
    near = _grown(roi, image)
    if moved is not None and bool(moved[near.y : near.bottom, near.x : near.right].any()):
        return "changed between the screenshots (something in it moves by itself)"
    for word in words:
        if near.overlaps(word.box) and changing(word.text):
            return f"holds {word.text.strip()!r}, which may change (a clock, a price?)"
    return None


def changed(shots: Sequence[Image], rows: int) -> Bools | None:
    """(rows, W) mask of the pixels of the top `rows` rows that differ between the first
    screenshot and any later one; None for a single screenshot. A later screenshot of
    another size (the screen changed) marks everything."""
    if len(shots) < 2:
        return None
    first = shots[0][:rows].astype(np.int16)
    out = np.zeros(first.shape[:2], dtype=bool)
    for other in shots[1:]:
        if other.shape != shots[0].shape:
            out[:] = True
            break
        diff = np.abs(other[:rows].astype(np.int16) - first).max(axis=2)
        out |= diff > CHANGE_LEVEL
    return out


def read_words(image: Image, area: Rect, reader: TextReader | None) -> list[Word]:
    """Every word of text inside `area` of `image`, read; [] without a reader."""
    if reader is None or area.h < 4 or area.w < 4:
        return []
    crop = image[area.y : area.bottom, area.x : area.right]
    boxes = text_boxes(crop)
    texts = reader.read([padded(crop, b) for b in boxes]) if boxes else []
    return [
        Word(Rect(area.x + left, area.y + top, right - left + 1, bottom - top + 1), text)
        for (top, bottom, left, right), text in zip(boxes, texts, strict=True)
    ]


def check_marked(shots: Sequence[Image], roi: Rect, reader: TextReader | None) -> str | None:
    """What is wrong with a canary region the user marked, or None. A flat one is allowed
    (its baseline is then set by the first frame it holds anything)."""
    near = _grown(roi, shots[0])
    moved = changed(shots, near.bottom)
    return judge(shots[0], roi, moved, read_words(shots[0], near, reader), allow_flat=True)


def _why(near: Rect, words: Sequence[Word], shots: int, reader: TextReader | None) -> str:
    """What the chosen region (grown by the margin: `near`) holds, and how it was checked."""
    inside = [w.text.strip() for w in words if near.overlaps(w.box) and w.text.strip()]
    what = f"holds {', '.join(repr(t) for t in inside)}" if inside else "holds no text"
    text = "no digits that tick" if reader is not None else "text not checked (no OCR)"
    if shots > 1:
        checked = f"unchanged across {shots} screenshots"
    else:
        checked = (
            "NOT verified: one screenshot cannot show what changes on its own; calibrate "
            "live (`atm calibrate --auto` with the chart on screen) to check"
        )
    return f"{what}; {text}; {checked}"


def _grown(roi: Rect, image: Image) -> Rect:
    """`roi` with the margin around it (text or change there counts as in it)."""
    m = max(2, round(MARGIN_PX * image.shape[0] / 1080))
    return Rect(max(roi.x - m, 0), max(roi.y - m, 0), roi.w + 2 * m, roi.h + 2 * m)
