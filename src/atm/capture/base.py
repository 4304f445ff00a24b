"""A frame and the one interface every capture backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]  # (H, W, 3) uint8, RGB channel order


@dataclass(frozen=True, slots=True)
class Frame:
    """The capture region at one instant.

    `image` is (H, W, 3) uint8 **RGB** (OpenCV's BGR never leaves `atm.vision`).
    `ts` is epoch seconds when it was taken (for replay: parsed from the file name).
    """

    image: Image
    ts: float
    name: str = ""


class Capture(Protocol):
    def grab(self) -> Frame | None:
        """The next frame; None when a finite source (replay, simulator) has ended.

        Raises `atm.errors.CaptureError` when the screen or window cannot be read.
        """

    def close(self) -> None: ...
