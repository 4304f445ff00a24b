"""Where the text is in a crop: one box per word, found by its ink, and padded for OCR.

The price axis (`atm.vision.axis`) reads its labels from these boxes; calibration reads the
window's title bar and toolbar with them, to keep the canary off clocks and prices.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from atm.types import Image
from atm.vision.background import background, max_channel_difference
from atm.vision.lines import SAMPLE_STEP, runs

Bools = npt.NDArray[np.bool_]
#: (top, bottom, left, right), inclusive pixel rows and columns of the crop.
Box = tuple[int, int, int, int]

#: Text is this far from the background: a share of the strongest contrast in the crop.
INK_SHARE: Final = 0.35
MIN_INK: Final = 40.0
MIN_TEXT_H, MAX_TEXT_H = 4, 64


def ink(crop: Image, covered: Bools | None = None) -> Bools:
    """(H, W) mask of the text's pixels in `crop` ((H, W, 3) uint8 RGB), judged on the rows
    not `covered` (a tag's colour would set the bar above faint text)."""
    away = max_channel_difference(crop, background(crop, SAMPLE_STEP))
    shown = away if covered is None else away[~covered]
    mask: Bools = away > max(MIN_INK, INK_SHARE * float(shown.max() if shown.size else 0))
    return mask


def text_boxes(crop: Image, covered: Bools | None = None) -> list[Box]:
    """Each word of text in `crop` ((H, W, 3) uint8 RGB) on rows not `covered` ((H,) bool);
    a line of text touching a covered row is partly hidden and left out."""
    hidden = np.zeros(crop.shape[0], dtype=bool) if covered is None else covered
    mask = ink(crop, hidden)
    rows = (mask.sum(axis=1) >= 2) & ~hidden
    boxes = []
    for top, bottom in runs(rows):
        height = bottom - top + 1
        if not MIN_TEXT_H <= height <= MAX_TEXT_H:
            continue
        if hidden[max(top - 1, 0)] or hidden[min(bottom + 1, len(hidden) - 1)]:
            continue
        cols: Bools = np.any(mask[top : bottom + 1], axis=0)
        for left, right in _words(cols, gap=max(6, height)):
            boxes.append((top, bottom, left, right))
    return boxes


def _words(cols: Bools, gap: int) -> list[tuple[int, int]]:
    """Column runs merged across gaps narrower than `gap`: one box per word."""
    words: list[tuple[int, int]] = []
    for a, b in runs(cols):
        if words and a - words[-1][1] - 1 < gap:
            words[-1] = (words[-1][0], b)
        else:
            words.append((a, b))
    return words


def padded(image: Image, box: Box) -> Image:
    """The box with a margin of background around it, as OCR engines expect."""
    top, bottom, left, right = box
    pad = max(3, (bottom - top + 1) // 2)
    h = image.shape[0]
    return image[max(top - pad, 0) : min(bottom + pad + 1, h), max(left - pad, 0) : right + pad + 1]
