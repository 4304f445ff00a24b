"""The background of a region and how far each pixel departs from it.

A region's background is the per-channel median of (a sample of) its pixels: dots, candles,
text and grid lines are a minority wherever this is used. Every caller reads it here and
differs only in how densely it samples (`step`, rows × columns) and in where foreground
starts (`backdrop`: the larger of the caller's floor, its tolerance, and `noise_factor`
times the median distance from the background, its noise):

==========================  ======  ============  ========================================
caller                      step    foreground    why
==========================  ======  ============  ========================================
detector (`vision.dots`)    2 × 3   tolerance,    runs every cycle on the whole strip: a
                                    3.5 × noise   sparse sample keeps it off the budget
auto-detection              1 × 1   25,           judges bands a few rows high (a pane's
(`calibration.strip`,               3.5 × noise   edge, one dot's row): every pixel counts
`calibration.panes`)
dot click (`calibration     1 × 1   20,           a click's few dozen pixels around; only
.sampling.sample_dot`)              4 × noise     what clearly stands out is the dot
background click            1 × 1   (none)        the 5 × 5 patch under the click is the
(`sample_patch`)                                  colour; a rim pixel or two is outvoted
lines and axis              8 × 8   (none)        a chart crop is large, and lines are
(`vision.lines`, `.axis`)                         scored by colour share, not by threshold
==========================  ======  ============  ========================================

Two measures of departure, for two jobs: `rgb_distance` (Euclidean, float) is what a
dot's contrast and the noise floor are judged by; `max_channel_difference` (the most
different channel, uint8, via OpenCV) is what tells bare background and text ink on a
chart, cheaply over large crops.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from atm.types import Image

#: (H, W) or (3,) float32: distances, or an RGB colour as floats.
Floats = npt.NDArray[np.float32]

#: Foreground starts this many times the background's median distance (noise) away.
NOISE_FACTOR = 3.5


@dataclass(frozen=True, slots=True)
class Backdrop:
    """A background colour (RGB float32), the distance above which a pixel is foreground,
    and the background's `noise` (the median distance of the sample from it)."""

    rgb: Floats
    threshold: float
    noise: float = 0.0

    def foreground(self, pixels: Image) -> npt.NDArray[np.bool_]:
        """(H, W) mask of the pixels of `pixels` farther than `threshold` from `rgb`."""
        mask: npt.NDArray[np.bool_] = rgb_distance(pixels, self.rgb) > self.threshold
        return mask

    def share(self, pixels: Image, axis: int) -> npt.NDArray[np.float64]:
        """Per column (axis=0) or row (axis=1): the share of pixels that are background."""
        near = rgb_distance(pixels, self.rgb) <= self.threshold
        share: npt.NDArray[np.float64] = near.mean(axis=axis)
        return share


def background(pixels: Image, step: tuple[int, int] = (1, 1)) -> Floats:
    """Per-channel median of every `step` = (rows, columns)-th pixel of `pixels`
    ((H, W, 3) uint8 RGB): its background, where the background is the majority."""
    sample = pixels[:: step[0], :: step[1]].reshape(-1, 3)
    rgb: Floats = np.median(sample, axis=0).astype(np.float32)
    return rgb


def backdrop(
    pixels: Image,
    tolerance: float,
    *,
    step: tuple[int, int] = (1, 1),
    noise_factor: float = NOISE_FACTOR,
) -> Backdrop:
    """The background of `pixels` and a foreground threshold that adapts to noise.

    A noisy capture (JPEG, scaling, dithering) lifts plain background pixels over the
    calibrated `tolerance`; the threshold rises with the sample's median distance from
    the background (`noise_factor` times it), so noise specks never become foreground.
    """
    sample = pixels[:: step[0], :: step[1]]
    rgb = background(sample)
    noise = float(np.median(rgb_distance(sample, rgb)))
    return Backdrop(rgb=rgb, threshold=max(tolerance, noise_factor * noise), noise=noise)


def rgb_distance(pixels: Image, rgb: Floats) -> Floats:
    """(H, W) float32 Euclidean RGB distance of each pixel of `pixels` from `rgb`."""
    diff = pixels.astype(np.float32) - rgb
    dist: Floats = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    return dist


def max_channel_difference(pixels: Image, rgb: Floats) -> npt.NDArray[np.uint8]:
    """(H, W) uint8: how far each pixel is from `rgb` (rounded) in its most different channel."""
    diff = cv2.absdiff(pixels, np.broadcast_to(rgb.round().astype(np.uint8), pixels.shape))
    out: npt.NDArray[np.uint8] = np.maximum(np.maximum(diff[..., 0], diff[..., 1]), diff[..., 2])
    return out
