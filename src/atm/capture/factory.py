"""The live capture backend a config asks for."""

from __future__ import annotations

from atm.capture.base import LiveCapture
from atm.capture.screen import ScreenCapture
from atm.capture.window import WindowCapture
from atm.clock import Clock
from atm.config import Config


def open_capture(config: Config, clock: Clock) -> LiveCapture:
    """`capture.region` of the desktop, or of the `window_title` window when `follow_window`.

    Nothing is grabbed yet: a missing display or window shows up at the first `grab()`.
    """
    region = config.capture.region
    if config.capture.follow_window:
        return WindowCapture(config.window_title, region, clock, follow=True)
    return ScreenCapture(region, clock)
