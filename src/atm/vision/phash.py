"""64-bit perceptual hash (DCT pHash) of an image region, and the Hamming distance between two.

The canary hashes a stable part of the chart window (SPEC §1): the same layout gives the
same hash whatever the market does, a moved or covered window gives a distant one.

On a nearly flat region, such as a title bar with three window buttons, many DCT
coefficients lie within a grey level or two of the median, so pixel noise flips a few
bits (in pairs: exactly half of the coefficients stay above the median). A 3×3 box blur
before the resize averages that noise away where the reduction to 32×32 averages little
(a 30-pixel-high region is barely reduced vertically); the reference pHash filters too.
Measured on the simulator's canary region at 100–200 % DPI: live captures are lossless and
hash identically; JPEG 75 moves ≤ 2 bits, noise σ=3 plus JPEG 85 ≤ 8, noise σ=6 a median of
4 and rarely 10. A layout shifted by 20–40 px or a window over the region moves ≥ 22.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from atm.types import Image

BITS = 64
_SIDE = 32  # the image is reduced to 32×32 before the DCT
_KEEP = 8  # the 8×8 lowest frequencies make the 64 bits
_HEX = re.compile(r"[0-9a-fA-F]{16}")


def phash(image: Image) -> int:
    """The pHash of `image`, (H, W, 3) uint8 RGB, as a 64-bit int.

    Grey levels stay float32 through blur and resize: rounding them to uint8 alone flips
    the bits of coefficients that lie near the median in a flat region.
    Bit 63 is the DC coefficient and bit 0 the (7, 7) one, in row-major order.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"expected a non-empty (H, W, 3) RGB image, got shape {image.shape}")
    gray = cv2.cvtColor(image.astype(np.float32), cv2.COLOR_RGB2GRAY)
    smooth = cv2.blur(gray, (3, 3), borderType=cv2.BORDER_REPLICATE)
    small = cv2.resize(smooth, (_SIDE, _SIDE), interpolation=cv2.INTER_AREA)
    coefficients = cv2.dct(small)[:_KEEP, :_KEEP].ravel()
    # The DC term is the mean brightness: left out of the median so that a darker or
    # brighter region does not tilt every other bit.
    median = np.median(coefficients[1:])
    packed = np.packbits(coefficients > median)
    return int.from_bytes(packed.tobytes(), "big")


def to_hex(h: int) -> str:
    """16 lowercase hex digits, the form `canary.baseline_phash` takes in the config."""
    if not 0 <= h < 1 << BITS:
        raise ValueError(f"not a 64-bit hash: {h}")
    return f"{h:016x}"


def from_hex(text: str) -> int:
    """The hash written as 16 hex digits (either case); ValueError for anything else."""
    if not _HEX.fullmatch(text):
        raise ValueError(f"expected 16 hex digits, got {text!r}")
    return int(text, 16)


def distance(a: int, b: int) -> int:
    """Hamming distance: how many of the 64 bits differ (0 = same, 32 ≈ unrelated)."""
    return (a ^ b).bit_count()
