"""How far an observed dot colour is from a calibrated one, allowing for how screens blur.

A small dot is rarely its pure colour on screen: its core is blended with the background
(anti-aliasing, scaling) and JPEG's chroma subsampling washes its hue out while keeping
its brightness. So a reference is compared not as one point but as the set of colours it
can plausibly show as: luma blended with the background's by up to `LUMA_MIX`, chroma by
up to `CHROMA_MIX`. The distance is the plain RGB distance to the nearest member of that
set, so calibrated tolerances keep their meaning. The limits keep the sets of the seven
M2D colours at least ~60 RGB apart on black and on white backgrounds (see tests).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

LUMA_MIX = 0.15  # the core keeps at least 85 % of the dot's own brightness
CHROMA_MIX = 0.4  # and at least 60 % of its own chroma

# ITU-R BT.601 RGB → YCbCr (no offset): the space JPEG subsamples chroma in.
_TO_YCC = np.array(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
)
_TO_RGB = np.linalg.inv(_TO_YCC)

Floats = npt.NDArray[np.float64]


def distances(observed: Floats, references: Floats, background: Floats) -> Floats:
    """RGB distance from `observed` (3,) to each reference's plausible set; (n,) for (n, 3)."""
    obs, bg = _TO_YCC @ observed, _TO_YCC @ background
    refs = references @ _TO_YCC.T
    luma = _blend(obs[0] - bg[0], refs[:, 0] - bg[0], LUMA_MIX)
    chroma = _blend_vec(obs[1:] - bg[1:], refs[:, 1:] - bg[1:], CHROMA_MIX)
    nearest = np.column_stack([bg[0] + luma, bg[1:] + chroma]) @ _TO_RGB.T
    diff: Floats = np.linalg.norm(nearest - observed, axis=1)
    return diff


def _blend(obs: float, refs: Floats, mix: float) -> Floats:
    """The contrast `share * refs` (share in [1 - mix, 1]) closest to the observed one."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(refs != 0, obs / refs, 1.0)
    result: Floats = np.clip(share, 1 - mix, 1) * refs
    return result


def _blend_vec(obs: Floats, refs: Floats, mix: float) -> Floats:
    """As `_blend` for 2-D chroma vectors: the projection of `obs` on each, clipped."""
    norm = np.einsum("ij,ij->i", refs, refs)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(norm > 0, refs @ obs / norm, 1.0)
    result: Floats = np.clip(share, 1 - mix, 1)[:, None] * refs
    return result
