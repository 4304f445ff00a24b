"""Capture of a covered chart window (Windows): the window draws itself into our bitmap.

mss copies the screen, so whatever lies in front of the chart is what it captures.
`PrintWindow(hwnd, hdc, PW_CLIENTONLY | PW_RENDERFULLCONTENT)` instead asks the window to
render its client area — DirectX and browser-based content included, since Windows 8.1 —
whatever covers it. It needs no focus and works on a window behind others, but not on
a minimised one (Windows stops rendering it), and the call can hang when the
application is busy: every call runs on a worker thread and is abandoned after
`timeout_s`, so a hung chart costs one failed grab, never a hung monitor.

The OS call sits behind `Renderer`; only `Win32Renderer` touches ctypes. It is not run
on Linux CI: the tests drive `RenderedWindowCapture` through a fake renderer.
"""

from __future__ import annotations

import ctypes
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from atm.capture.window import WindowInfo, find_window
from atm.clock import Clock
from atm.errors import CaptureError, WindowMinimized, WindowNotFound
from atm.frame import Frame
from atm.geometry import Rect, RoiLike
from atm.types import Image

PW_CLIENTONLY = 0x1
PW_RENDERFULLCONTENT = 0x2
#: A render slower than this is a hung application: the grab fails and is retried later.
TIMEOUT_S = 2.0


class Renderer(Protocol):
    """Draws a window's client area: (height, width, 3) uint8 RGB, or raises CaptureError."""

    def render(self, window: WindowInfo) -> Image: ...


class RenderedWindowCapture:
    """`capture.region` of the window whose title contains `title`, rendered by the window
    itself, so it is read even while another window covers it. The region is relative
    to the window's client area, as with `follow_window`."""

    def __init__(
        self,
        title: str,
        region: RoiLike,
        clock: Clock,
        *,
        renderer: Renderer | None = None,
        timeout_s: float = TIMEOUT_S,
        locate: Callable[[str], WindowInfo | None] = find_window,
    ) -> None:
        if not title:
            raise CaptureError("window_title is empty: the rendered capture needs the window")
        self.title, self.region = title, Rect.of(region)
        self._clock, self._locate, self._timeout = clock, locate, timeout_s
        self._renderer = renderer if renderer is not None else Win32Renderer()
        self._worker = _Worker()

    def grab(self) -> Frame:
        ts = self._clock.time()
        image = self._client()
        r = self.region
        return Frame(np.ascontiguousarray(image[r.y : r.bottom, r.x : r.right]), ts)

    def grab_rect(self, x: int, y: int, w: int, h: int) -> Image:
        """Part of the region, in region coordinates; the window renders whole either way."""
        part = Rect(x=self.region.x + x, y=self.region.y + y, w=w, h=h)
        if not self.region.contains(part):
            raise CaptureError(f"cannot grab {Rect(x, y, w, h)}: outside the capture region")
        return np.ascontiguousarray(self._client()[part.y : part.bottom, part.x : part.right])

    def close(self) -> None:
        self._worker.stop()

    def _client(self) -> Image:
        window = self._locate(self.title)
        if window is None:
            raise WindowNotFound(f"no window title contains {self.title!r}; is it open?")
        if window.is_minimized:
            raise WindowMinimized(f"window {window.title!r} is minimized; restore it")
        if not Rect(0, 0, window.width, window.height).contains(self.region):
            raise CaptureError(
                f"window {window.title!r} is {window.width}x{window.height} but capture.region "
                f"is {self.region}: enlarge the window or shrink the region"
            )
        image = self._worker.call(lambda: self._renderer.render(window), self._timeout)
        if image.shape[:2] != (window.height, window.width):
            got = f"{image.shape[1]}x{image.shape[0]}"
            raise CaptureError(f"window {window.title!r} rendered {got}, not its client size")
        return image


class _Worker:
    """One daemon thread that runs calls; a call past its timeout is abandoned with its
    thread (a hung PrintWindow cannot be interrupted) and the next call gets a new one."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Image], queue.Queue[Any]] | None] | None = None

    def call(self, job: Callable[[], Image], timeout: float) -> Image:
        if self._jobs is None:
            self._jobs = queue.Queue()
            threading.Thread(
                target=_serve, args=(self._jobs,), name="atm-render", daemon=True
            ).start()
        answer: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._jobs.put((job, answer))
        try:
            result = answer.get(timeout=timeout)
        except queue.Empty:
            self._jobs = None  # that thread is stuck in the call: leave it behind
            raise CaptureError(f"the chart window did not draw itself within {timeout:g} s "
                               "(is the application busy or hung?)") from None  # fmt: skip
        if isinstance(result, BaseException):
            raise result
        image: Image = result
        return image

    def stop(self) -> None:
        if self._jobs is not None:
            self._jobs.put(None)
            self._jobs = None


def _serve(jobs: queue.Queue[tuple[Callable[[], Image], queue.Queue[Any]] | None]) -> None:
    while (item := jobs.get()) is not None:
        job, answer = item
        try:
            answer.put(job())
        except BaseException as exc:  # handed to the caller, who raises it
            answer.put(exc)


class Win32Renderer:
    """PrintWindow into a compatible bitmap of the client area's size, read back with
    GetDIBits (not run on Linux CI; `windll` is injectable for that reason)."""

    def __init__(self, windll: Any = None) -> None:
        if windll is None and sys.platform != "win32":
            raise CaptureError('capture.method = "print_window" works on Windows only')
        self._dll = windll if windll is not None else getattr(ctypes, "windll")  # noqa: B009
        _declare(self._dll)

    def render(self, window: WindowInfo) -> Image:
        user32, gdi32 = self._dll.user32, self._dll.gdi32
        w, h = window.width, window.height
        screen_dc = user32.GetDC(None)
        dc = gdi32.CreateCompatibleDC(screen_dc)
        bitmap = gdi32.CreateCompatibleBitmap(screen_dc, w, h)
        try:
            old = gdi32.SelectObject(dc, bitmap)
            drawn = user32.PrintWindow(window.handle, dc, PW_CLIENTONLY | PW_RENDERFULLCONTENT)
            gdi32.SelectObject(dc, old)  # GetDIBits wants the bitmap out of any DC
            if not drawn:
                raise CaptureError(f"PrintWindow failed for {window.title!r}")
            return _bitmap_rgb(gdi32, dc, bitmap, w, h)
        finally:
            gdi32.DeleteObject(bitmap)
            gdi32.DeleteDC(dc)
            user32.ReleaseDC(None, screen_dc)


def _declare(dll: Any) -> None:
    """Handles are pointer-sized: without prototypes ctypes would cut them to 32 bits."""
    handle, i32 = ctypes.c_void_p, ctypes.c_int
    for fn, args, res in (
        (dll.user32.GetDC, [handle], handle),
        (dll.user32.ReleaseDC, [handle, handle], i32),
        (dll.user32.PrintWindow, [handle, handle, ctypes.c_uint], i32),
        (dll.gdi32.CreateCompatibleDC, [handle], handle),
        (dll.gdi32.CreateCompatibleBitmap, [handle, i32, i32], handle),
        (dll.gdi32.SelectObject, [handle, handle], handle),
        (dll.gdi32.DeleteObject, [handle], i32),
        (dll.gdi32.DeleteDC, [handle], i32),
        (dll.gdi32.GetDIBits,
         [handle, handle, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
          ctypes.c_uint], i32),
    ):  # fmt: skip
        fn.argtypes, fn.restype = args, res


def _bitmap_rgb(gdi32: Any, dc: int, bitmap: int, w: int, h: int) -> Image:
    """GetDIBits as top-down 32-bit BGRA (a negative height), returned as (h, w, 3) RGB."""
    # BITMAPINFOHEADER: size, width, height, planes | bit count << 16, BI_RGB, then zeros
    header = (ctypes.c_uint32 * 10)(40, w, (-h) & 0xFFFFFFFF, 1 | (32 << 16), 0, 0, 0, 0, 0, 0)
    buffer = ctypes.create_string_buffer(w * h * 4)
    if gdi32.GetDIBits(dc, bitmap, 0, h, buffer, header, 0) != h:
        raise CaptureError("GetDIBits did not return the whole window")
    bgra = np.frombuffer(buffer.raw, np.uint8).reshape(h, w, 4)
    rgb: Image = np.ascontiguousarray(bgra[..., 2::-1])
    return rgb
