"""Window capture with pywinctl: find the chart window by title and follow it when it moves.

pywinctl is imported on first use, not with this module: on Linux it connects to the X
display named by DISPLAY *when imported* and keeps that connection for the life of the
process, and one of its dependencies (pymonctl) calls `sys.exit(1)` at import when the
`xrandr` tool is missing. Both surface here as `CaptureError`.

Rectangles are the window's **client area** (inside title bar and borders) where the
platform reports it: on Windows `GetWindowInfo().rcClient`; on X11 the application's
own window, which the window manager's frame surrounds. Elsewhere (macOS) it is the
window frame. `WindowInfo.area` says which one a rectangle is.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from atm.capture.screen import Grabber, sub_rect
from atm.clock import Clock
from atm.errors import CaptureError, WindowMinimized, WindowNotFound
from atm.frame import Frame
from atm.geometry import Rect, RoiLike
from atm.types import Image

RELOCATE_S = 2.0


@dataclass(frozen=True, slots=True)
class WindowInfo:
    """One top-level window as it was when found; `left, top` are desktop pixels."""

    title: str
    left: int
    top: int
    width: int
    height: int
    is_minimized: bool
    handle: int
    area: Literal["client", "frame"] = "client"

    @property
    def rect(self) -> Rect:
        return Rect(x=self.left, y=self.top, w=self.width, h=self.height)


def find_window(title_substring: str) -> WindowInfo | None:
    """The window whose title contains `title_substring` (case-sensitive), or None.

    With several matches a visible one beats a minimized one, then the largest wins:
    the chart is the big window, not a dialog that happens to share the name.
    Raises `CaptureError` when windows cannot be listed at all (no display, no pywinctl).
    """
    if not title_substring:
        return None
    pwc = _pywinctl()
    try:
        windows = pwc.getAllWindows()
    except Exception as exc:
        raise CaptureError(f"cannot list windows: {exc}") from exc
    matches = [info for win in windows if (info := _describe(win, title_substring))]
    if not matches:
        return None
    return max(matches, key=lambda w: (not w.is_minimized, w.width * w.height))


def activate(window: WindowInfo) -> str | None:
    """Restore the window if minimized and bring it to the front.

    Returns None when it is now the active window, else why not, for the log: a
    window manager may refuse to let a background process steal focus. Never raises.
    """
    try:
        win = _pywinctl().Window(window.handle)
        if win.isMinimized:
            win.restore(wait=True)
        if win.activate(wait=True):
            return None
    except Exception as exc:
        return f"cannot bring {window.title!r} to the front: {exc}"
    return f"{window.title!r} did not come to the front (the window manager refused focus)"


class WindowCapture:
    """`capture.region` of the window whose title contains `title`.

    With `follow`, the region is relative to the window's client area (see module
    docstring), so moving the window does not break detection; without it the region
    is a desktop rectangle and the window is only checked to exist and not be minimized.
    The window is looked up again at most every `relocate_s` seconds of `clock` time
    (and right after a failed grab), not every frame.
    """

    def __init__(
        self,
        title: str,
        region: RoiLike,
        clock: Clock,
        *,
        follow: bool = True,
        relocate_s: float = RELOCATE_S,
    ) -> None:
        if not title:
            raise CaptureError("window_title is empty: set it to part of the chart window's title")
        self.title = title
        self.region = Rect.of(region)
        self.follow = follow
        self._clock = clock
        self._relocate_s = relocate_s
        self._grabber = Grabber()
        self._window: WindowInfo | None = None
        self._located_at: float | None = None

    @property
    def window(self) -> WindowInfo | None:
        """The window as last located; None before the first grab or when it was missing."""
        return self._window

    def grab(self) -> Frame:
        """The whole region now; `WindowNotFound`, `WindowMinimized` or `CaptureError`."""
        ts = self._clock.time()
        return Frame(image=self._grab(self._desktop_region()), ts=ts)

    def grab_rect(self, x: int, y: int, w: int, h: int) -> Image:
        """Only part of the region, in region coordinates (like `dot_roi`): (h, w, 3) RGB."""
        return self._grab(sub_rect(self._desktop_region(), Rect(x=x, y=y, w=w, h=h)))

    def close(self) -> None:
        self._grabber.close()

    def _grab(self, rect: Rect) -> Image:
        try:
            return self._grabber.grab(rect)
        except CaptureError:
            self._located_at = None
            raise

    def _desktop_region(self) -> Rect:
        window = self._locate()
        if not self.follow:
            return self.region
        inside = Rect(x=0, y=0, w=window.width, h=window.height)
        if not inside.contains(self.region):
            raise CaptureError(
                f"window {window.title!r} is {window.width}x{window.height} but capture.region "
                f"is {self.region}: enlarge the window or shrink the region"
            )
        return self.region.offset(window.left, window.top)

    def _locate(self) -> WindowInfo:
        now = self._clock.time()
        if self._located_at is None or now - self._located_at >= self._relocate_s:
            self._window = find_window(self.title)
            self._located_at = now
        if self._window is None:
            raise WindowNotFound(f"no window title contains {self.title!r}; is it open?")
        if self._window.is_minimized:
            raise WindowMinimized(f"window {self._window.title!r} is minimized; restore it")
        return self._window


def _pywinctl() -> Any:
    try:
        # On import, pywinctl's ewmhlib connects to every socket in /tmp/.X11-unix and drops
        # the ones that fail (a dead X server's socket) without closing them. That leak is
        # theirs and harmless; its ResourceWarning must not surface as ours.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            module: ModuleType = importlib.import_module("pywinctl")
    except (Exception, SystemExit) as exc:
        hint = (
            " (on Linux it needs an X display in DISPLAY and the xrandr tool)"
            if sys.platform.startswith("linux")
            else ""
        )
        raise CaptureError(f"cannot use pywinctl to find windows{hint}: {exc!r}") from exc
    return module


def _describe(win: Any, title_substring: str) -> WindowInfo | None:
    # A window can close between listing and querying; it is then simply not a match.
    try:
        title = str(win.title)
        if title_substring not in title:
            return None
        left, top, width, height, area = _geometry(win)
        return WindowInfo(
            title=title,
            left=left,
            top=top,
            width=width,
            height=height,
            is_minimized=bool(win.isMinimized),
            handle=int(win.getHandle()),
            area=area,
        )
    except Exception:
        return None


def _geometry(win: Any) -> tuple[int, int, int, int, Literal["client", "frame"]]:
    if sys.platform == "win32":
        r = win.getClientFrame()
        return int(r.left), int(r.top), int(r.right - r.left), int(r.bottom - r.top), "client"
    box = win.box
    # On X11 pywinctl's box is already the client window, and its getClientFrame()
    # subtracts _NET_FRAME_EXTENTS a second time (seen under openbox), so box it is.
    area: Literal["client", "frame"] = "client" if sys.platform.startswith("linux") else "frame"
    return int(box.left), int(box.top), int(box.width), int(box.height), area
