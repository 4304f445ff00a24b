"""The covered-window capture, through its interface: a fake renderer stands in for the
Windows call (PrintWindow cannot run here); the timeout, the errors and the cropping are
the real code's."""

from __future__ import annotations

import ctypes
import threading
import time
from typing import Any

import numpy as np
import pytest

from atm.capture.rendered import RenderedWindowCapture, Win32Renderer
from atm.capture.window import WindowInfo
from atm.clock import ReplayClock
from atm.errors import CaptureError, WindowMinimized, WindowNotFound
from atm.geometry import Rect
from atm.types import Image

WINDOW = WindowInfo("TradeStation - DIA", left=500, top=300, width=320, height=200,
                    is_minimized=False, handle=0x1234)  # fmt: skip


def client_pixels(w: int = 320, h: int = 200) -> Image:
    rng = np.random.default_rng(5)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


class Painter:
    """Renders a fixed client area, or hangs while `hang` is set (a busy application)."""

    def __init__(self, image: Image) -> None:
        self.image, self.calls = image, 0
        self.hang = threading.Event()

    def render(self, window: WindowInfo) -> Image:
        self.calls += 1
        while self.hang.is_set():
            time.sleep(0.01)
        return self.image


def capture(painter: Painter, window: WindowInfo | None = WINDOW, **kw: Any) -> Any:
    return RenderedWindowCapture("DIA", Rect(20, 10, 200, 150), ReplayClock(7.0),
                                 renderer=painter, locate=lambda title: window, **kw)  # fmt: skip


def test_the_region_is_cut_from_the_windows_own_rendering() -> None:
    image = client_pixels()
    cap = capture(Painter(image))
    frame = cap.grab()
    assert frame.ts == 7.0
    np.testing.assert_array_equal(frame.image, image[10:160, 20:220])
    np.testing.assert_array_equal(cap.grab_rect(5, 100, 50, 20), image[110:130, 25:75])
    cap.close()


def test_a_hung_window_costs_one_failed_grab_not_a_hung_monitor() -> None:
    painter = Painter(client_pixels())
    cap = capture(painter, timeout_s=0.2)
    painter.hang.set()
    started = time.monotonic()
    with pytest.raises(CaptureError, match=r"did not draw itself within 0\.2 s"):
        cap.grab()
    assert time.monotonic() - started < 5.0  # bounded by the timeout, not by the hang
    painter.hang.clear()  # the application recovers: a fresh worker serves the next grab
    assert cap.grab().image.shape == (150, 200, 3)
    cap.close()


@pytest.mark.parametrize(
    ("window", "error", "match"),
    [
        (None, WindowNotFound, "no window title contains 'DIA'"),
        (WindowInfo("DIA", 0, 0, 320, 200, True, 1), WindowMinimized, "is minimized"),
        (WindowInfo("DIA", 0, 0, 100, 100, False, 1), CaptureError, "is 100x100 but"),
    ],
)
def test_missing_minimised_or_small_windows_say_so(
    window: WindowInfo | None, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        capture(Painter(client_pixels()), window).grab()


def test_a_rendering_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(CaptureError, match="rendered 100x50, not its client size"):
        capture(Painter(client_pixels(100, 50))).grab()


def test_off_windows_the_print_window_method_says_it_is_windows_only() -> None:
    with pytest.raises(CaptureError, match="works on Windows only"):
        Win32Renderer()


class _Fn:
    """A stand-in for one Windows API function (ctypes prototypes are set on it)."""

    def __init__(self, body: Any) -> None:
        self.body, self.argtypes, self.restype = body, None, None

    def __call__(self, *args: Any) -> Any:
        return self.body(*args)


class FakeWindll:
    """Only the Win32 calls PrintWindow capture makes; GetDIBits fills the buffer with the
    BGRA bytes a 32-bit top-down DIB of `rgb` would hold."""

    def __init__(self, rgb: Image) -> None:
        bgra = np.dstack([rgb[..., ::-1], np.full(rgb.shape[:2], 255, np.uint8)])

        def dibits(dc: Any, bmp: Any, start: int, lines: int, buf: Any, header: Any, u: int) -> int:
            assert header[1] == rgb.shape[1] and ctypes.c_int32(header[2]).value == -lines
            ctypes.memmove(buf, bgra.tobytes(), bgra.nbytes)
            return lines

        user = ("GetDC", "ReleaseDC", "PrintWindow")
        self.user32 = type("U", (), {n: _Fn(lambda *a: 1) for n in user})()
        names = ("CreateCompatibleDC", "CreateCompatibleBitmap", "SelectObject",
                 "DeleteObject", "DeleteDC")  # fmt: skip
        self.gdi32 = type("G", (), {n: _Fn(lambda *a: 1) for n in names})()
        self.gdi32.GetDIBits = _Fn(dibits)


def test_the_win32_renderer_turns_a_top_down_bgra_bitmap_into_rgb() -> None:
    rgb = client_pixels()
    dll = FakeWindll(rgb)
    np.testing.assert_array_equal(Win32Renderer(dll).render(WINDOW), rgb)
    assert dll.gdi32.GetDIBits.restype is ctypes.c_int  # prototypes declared: no 32-bit cut
    assert dll.user32.GetDC.restype is ctypes.c_void_p
