"""What real screens and screenshots do to a clean frame. For robustness corpora.

Each effect takes and returns an (H, W, 3) uint8 RGB frame, or a theme, and is
deterministic for a given `numpy.random.Generator`. `Variation` bundles them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from atm.colors import Rgb, to_rgb
from atm.sim.theme import Theme
from atm.types import Image
from atm.vision.image_io import decode, encode_jpeg


def jpeg(image: Image, quality: int) -> Image:
    """A JPEG round trip: blocking and ringing, and chroma smeared across dot edges."""
    return decode(encode_jpeg(image, quality))


def noise(image: Image, sigma: float, rng: np.random.Generator) -> Image:
    """Independent Gaussian noise per pixel and channel, clipped to 0..255."""
    shake = rng.standard_normal(image.shape, dtype=np.float32) * np.float32(sigma)
    noisy = image.astype(np.float32) + shake
    return np.clip(noisy, 0, 255, out=noisy).round().astype(np.uint8)


def drift(theme: Theme, amount: int, rng: np.random.Generator) -> Theme:
    """The same theme with every dot colour moved up to ±`amount` per channel.

    A monitor profile, a TradeStation update or a night-light filter moves the colours on
    screen away from what was calibrated; the config keeps the calibrated values.
    """
    shifted = tuple((name, _shift(rgb, amount, rng)) for name, rgb in theme.dots)
    return replace(theme, dots=shifted)


def _shift(rgb: Rgb, amount: int, rng: np.random.Generator) -> Rgb:
    moved = np.clip(np.asarray(rgb) + rng.integers(-amount, amount + 1, 3), 0, 255)
    return to_rgb(moved)


@dataclass(frozen=True, slots=True)
class Variation:
    """How a corpus departs from the clean default render.

    `dot_radius` and `bar_spacing` are in pixels at 100 % (scaled with the DPI); `jpeg` is
    a quality (frames are then saved as .jpg); `noise` a per-channel sigma; `drift` the
    most each dot colour moves per channel from the calibrated value; `clip_edge` cuts the
    dot strip ROI through the middle of the current bar's dot (a half-visible dot).
    """

    dot_radius: float | None = None
    bar_spacing: float | None = None
    jpeg: int | None = None
    noise: float = 0.0
    drift: int = 0
    clip_edge: bool = False

    def degrade(self, image: Image, rng: np.random.Generator) -> Image:
        """Noise first, as a screen would show it; JPEG is applied when the file is saved."""
        return noise(image, self.noise, rng) if self.noise else image


#: Named robustness cases (issue 3's list): (DPI scale, theme, variation). The gate test
#: and the accuracy benchmark both run exactly these.
CATALOGUE: dict[str, tuple[float, str, Variation]] = {
    "dpi125": (1.25, "dark", Variation()),
    "dpi150-light": (1.5, "light", Variation()),
    "dpi200": (2.0, "dark", Variation()),
    "radius2-spacing6": (1.0, "dark", Variation(dot_radius=2, bar_spacing=6)),
    "radius5": (1.0, "light", Variation(dot_radius=5, bar_spacing=14)),
    "jpeg85": (1.0, "dark", Variation(jpeg=85)),
    "jpeg80-small-light": (1.0, "light", Variation(jpeg=80, dot_radius=2, bar_spacing=6)),
    "noise6": (1.0, "dark", Variation(noise=6)),
    "drift15": (1.0, "dark", Variation(drift=15)),
    "drift15-light": (1.0, "light", Variation(drift=15)),
    "half-visible-edge-dot": (1.0, "dark", Variation(clip_edge=True)),
    "everything": (
        1.5,
        "light",
        Variation(dot_radius=2, bar_spacing=6, jpeg=85, noise=3, drift=15, clip_edge=True),
    ),
}
