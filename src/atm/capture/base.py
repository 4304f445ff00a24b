"""The one interface every capture backend implements."""

from __future__ import annotations

from typing import Protocol

from atm.frame import Frame
from atm.types import Image


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
