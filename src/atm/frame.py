"""A frame: what every layer above capture sees of the screen at one instant."""

from __future__ import annotations

from dataclasses import dataclass

from atm.errors import CaptureError
from atm.geometry import RoiLike
from atm.types import Image


@dataclass(frozen=True, slots=True)
class Frame:
    """The capture region at one instant.

    `image` is (H, W, 3) uint8 **RGB** (OpenCV's BGR never leaves `atm.vision`).
    `ts` is epoch seconds when it was taken (for replay: parsed from the file name).
    """

    image: Image
    ts: float
    name: str = ""
    #: Where `image` sits in the capture region: (0, 0) for a whole frame; a strip grabbed
    #: alone (the cheap per-cycle read) has the strip's own corner and `partial` set.
    origin: tuple[int, int] = (0, 0)
    partial: bool = False

    def crop(self, roi: RoiLike) -> Image:
        """The `roi` part (capture-region coordinates) of this frame, as a view."""
        x, y = roi.x - self.origin[0], roi.y - self.origin[1]
        height, width = self.image.shape[:2]
        if x < 0 or y < 0 or x + roi.w > width or y + roi.h > height:
            raise CaptureError(
                f"the frame ({width}x{height} at {self.origin}) does not cover "
                f"{roi.x},{roi.y} {roi.w}x{roi.h}: does the config match this screen?"
            )
        return self.image[y : y + roi.h, x : x + roi.w]
