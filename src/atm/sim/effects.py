"""What real screens do to a clean frame: sensor-free but lossy. For robustness corpora.

Each effect takes and returns an (H, W, 3) uint8 RGB frame, or a theme, and is
deterministic for a given `numpy.random.Generator`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from atm.capture.base import Image
from atm.sim.theme import Rgb, Theme
from atm.vision.image_io import decode, encode_jpeg


def jpeg(image: Image, quality: int) -> Image:
    """A JPEG round trip: blocking and ringing, and chroma smeared across dot edges."""
    return decode(encode_jpeg(image, quality))


def noise(image: Image, sigma: float, rng: np.random.Generator) -> Image:
    """Independent Gaussian noise per pixel and channel, clipped to 0..255."""
    noisy = image.astype(np.int16) + rng.normal(0, sigma, image.shape).round().astype(np.int16)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def drift(theme: Theme, amount: int, rng: np.random.Generator) -> Theme:
    """The same theme with every dot colour moved up to ±`amount` per channel.

    A monitor profile, a TradeStation update or a night-light filter moves the colours on
    screen away from what was calibrated; the config keeps the calibrated values.
    """
    shifted = tuple((name, _shift(rgb, amount, rng)) for name, rgb in theme.dots)
    return replace(theme, dots=shifted)


def _shift(rgb: Rgb, amount: int, rng: np.random.Generator) -> Rgb:
    moved = np.clip(np.asarray(rgb) + rng.integers(-amount, amount + 1, 3), 0, 255)
    return (int(moved[0]), int(moved[1]), int(moved[2]))
