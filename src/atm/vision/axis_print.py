"""A fingerprint of the price axis column: does it still show what it showed at calibration?

The calibration's `y_axis.points` map rows to prices only while the axis is as it was
then; once the chart rescales they are wrong (by 0.34 on the issue's charts). Without a
reading of the labels (no OCR, or labels it cannot read) this tells whether they still
hold: the ink of the labels, row by row, against the calibration's.

Each row of the column is stored as a 16-bit digest of where its text pixels are (0: no
text). Rows covered by a box drawn across the column (an SL/TP price tag, the last-price
marker) are marked hidden and compared nowhere: such boxes come and go with the trade and
the price, not with the scale. A rescale moves the labels or changes their digits, so
many rows of ink differ; an unchanged axis on a lossless capture differs in none.
"""

from __future__ import annotations

import base64
import zlib
from typing import Final

import numpy as np
import numpy.typing as npt

from atm.types import Image
from atm.vision.background import background, max_channel_difference
from atm.vision.lines import SAMPLE_STEP
from atm.vision.text import MIN_INK, ink

Rows = npt.NDArray[np.uint16]

#: A row's value when a box drawn across the column covers it.
HIDDEN: Final = 0xFFFF
#: A row is a box across the column (hidden) when this share of it is off the background.
_BOX_SHARE: Final = 0.6
#: Rows next to a box are its anti-aliased edge: hidden too.
_BOX_EDGE: Final = 2
#: Fewer rows of ink than this in common: the axis cannot be judged (mostly hidden).
MIN_ROWS: Final = 12
#: The axis changed when more than this share of the rows of ink in common differ. An
#: unchanged axis on a lossless capture differs in none; a shift by one label step, the
#: subtlest rescale (labels on the same rows, one digit changed), in ~70 %.
CHANGED_SHARE: Final = 0.2


def rows(axis_crop: Image) -> Rows:
    """Per row of `axis_crop` ((H, W, 3) uint8 RGB): a 16-bit digest of where its text
    pixels are (0: none), or `HIDDEN` under a box."""
    away = max_channel_difference(axis_crop, background(axis_crop, SAMPLE_STEP))
    boxed = (away > MIN_INK).mean(axis=1) >= _BOX_SHARE
    hidden = boxed.copy()
    for shift in range(1, _BOX_EDGE + 1):
        hidden[shift:] |= boxed[:-shift]
        hidden[:-shift] |= boxed[shift:]
    mask = ink(axis_crop, hidden)
    packed = np.packbits(mask, axis=1)
    out = np.zeros(mask.shape[0], dtype=np.uint16)
    for y in np.flatnonzero(mask.any(axis=1) & ~hidden):
        digest = zlib.crc32(packed[y].tobytes()) & 0xFFFF
        out[y] = digest if digest not in (0, HIDDEN) else 1
    out[hidden] = HIDDEN
    return out


def fingerprint(axis_crop: Image) -> str:
    """The fingerprint of `axis_crop` as printable text (for the config)."""
    return base64.b64encode(zlib.compress(rows(axis_crop).astype("<u2").tobytes(), 9)).decode(
        "ascii"
    )


def decode(text: str) -> Rows:
    """The rows of a fingerprint; `ValueError` when it is not one."""
    try:
        raw = zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True))
    except (ValueError, zlib.error) as exc:
        raise ValueError(f"not an axis fingerprint ({exc})") from None
    if len(raw) % 2:
        raise ValueError("not an axis fingerprint (odd length)")
    return np.frombuffer(raw, dtype="<u2").astype(np.uint16)


def unchanged(axis_crop: Image, calibrated: str) -> bool | None:
    """True when `axis_crop` shows the axis of the fingerprint `calibrated`, False when it
    changed (or is another size), None when too little of it is visible to tell."""
    then, now = decode(calibrated), rows(axis_crop)
    if then.shape != now.shape:
        return False
    both = (then != HIDDEN) & (now != HIDDEN) & ((then > 0) | (now > 0))
    if int(both.sum()) < MIN_ROWS:
        return None
    return float(np.mean(then[both] != now[both])) <= CHANGED_SHARE
