"""The live capture backend a config asks for."""

from __future__ import annotations

from atm.capture.base import LiveCapture
from atm.capture.screen import ScreenCapture
from atm.capture.window import WindowCapture
from atm.clock import Clock
from atm.config import Config


def open_capture(config: Config, clock: Clock) -> LiveCapture:
    """`capture.region` of the desktop, or of the `window_title` window when `follow_window`.

    With a `window_title` the window is also checked to exist and not be minimised even
    when the region is a fixed desktop rectangle: otherwise the loop would read whatever
    happens to be on the screen there and never say "cannot find chart".
    `capture.method = "print_window"` reads the window's own rendering instead (Windows),
    region relative to its client area, so a covering window does not matter.
    Nothing is grabbed yet: a missing display or window shows up at the first `grab()`.
    """
    region = config.capture.region
    if config.capture.method == "print_window":
        from atm.capture.rendered import RenderedWindowCapture

        return RenderedWindowCapture(config.window_title, region, clock)
    if config.window_title:
        follow = config.capture.follow_window
        return WindowCapture(config.window_title, region, clock, follow=follow)
    return ScreenCapture(region, clock)
