"""A frame and the one interface every capture backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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


class Capture(Protocol):
    def grab(self) -> Frame | None:
        """The next frame; None when a finite source (replay, simulator) has ended.

        Raises `atm.errors.CaptureError` when the screen or window cannot be read.
        """

    def close(self) -> None: ...


class LiveCapture(Capture, Protocol):
    """A screen or window capture: it can also grab a sub-rectangle alone, cheaply."""

    def grab_rect(self, x: int, y: int, w: int, h: int) -> Image:
        """(h, w, 3) uint8 RGB of that part of the capture region, now."""
