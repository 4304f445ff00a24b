"""ScreenCapture against a real X server: exact pixels, channel order, sub-rectangles, errors."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from atm.capture.factory import open_capture
from atm.capture.screen import ScreenCapture
from atm.capture.window import WindowCapture
from atm.clock import ReplayClock
from atm.config import CaptureSettings, Config, Roi
from atm.errors import CaptureError
from atm.geometry import Rect
from tests.fakes.xvfb import ShowImage, XServer, pattern


def test_grab_returns_the_exact_rgb_pixels_on_screen(show_image: ShowImage) -> None:
    image = pattern()
    show_image(image, x=100, y=150)
    capture = ScreenCapture(Rect(100, 150, 300, 200), ReplayClock(1234.5))
    try:
        frame = capture.grab()
    finally:
        capture.close()
    assert frame.image.shape == (200, 300, 3)
    assert frame.image.dtype == np.uint8
    assert frame.image.flags["C_CONTIGUOUS"]
    assert tuple(frame.image[0, 0]) == (255, 0, 0)  # red stays red: RGB, not BGR
    np.testing.assert_array_equal(frame.image, image)
    assert frame.ts == 1234.5


def test_grab_rect_returns_only_that_part_in_region_coordinates(show_image: ShowImage) -> None:
    image = pattern(seed=1)
    show_image(image, x=500, y=300)
    capture = ScreenCapture(Roi(x=480, y=290, w=400, h=300), ReplayClock())
    part = capture.grab_rect(30, 20, 120, 40)
    capture.close()
    np.testing.assert_array_equal(part, image[10:50, 10:130])


def test_each_grab_sees_the_current_screen(show_image: ShowImage) -> None:
    first, second = pattern(seed=2), pattern(seed=3)[::-1].copy()
    window = show_image(first, x=0, y=0)
    capture = ScreenCapture(Rect(0, 0, 300, 200), ReplayClock())
    np.testing.assert_array_equal(capture.grab().image, first)
    window.show(second)
    np.testing.assert_array_equal(capture.grab().image, second)
    capture.close()


def test_each_thread_grabs_with_its_own_connection(show_image: ShowImage) -> None:
    image = pattern(seed=4)
    show_image(image, x=40, y=60)
    capture = ScreenCapture(Rect(40, 60, 300, 200), ReplayClock())
    results: list[np.ndarray] = []
    worker = threading.Thread(target=lambda: results.append(capture.grab().image))
    worker.start()
    worker.join(timeout=10)
    results.append(capture.grab().image)
    capture.close()
    assert len(results) == 2
    for grabbed in results:
        np.testing.assert_array_equal(grabbed, image)


@pytest.mark.parametrize(
    "region",
    [Rect(1900, 0, 100, 100), Rect(0, 1000, 1920, 81), Rect(-10, 0, 100, 100)],
    ids=["right", "bottom", "left"],
)
def test_off_screen_region_is_a_capture_error(display: XServer, region: Rect) -> None:
    capture = ScreenCapture(region, ReplayClock())
    with pytest.raises(CaptureError, match=rf"cannot grab {region}: .*off-screen"):
        capture.grab()
    capture.close()


def test_a_sub_rectangle_outside_the_region_is_a_capture_error(display: XServer) -> None:
    capture = ScreenCapture(Rect(0, 0, 100, 100), ReplayClock())
    with pytest.raises(CaptureError, match=r"not inside the capture region \(100x100\)"):
        capture.grab_rect(90, 0, 20, 10)
    capture.close()


def test_capture_recovers_after_a_failed_grab(show_image: ShowImage) -> None:
    image = pattern(seed=5)
    show_image(image, x=0, y=0)
    capture = ScreenCapture(Rect(0, 0, 300, 200), ReplayClock())
    with pytest.raises(CaptureError):
        capture.grab_rect(0, 0, 400, 10)
    with pytest.raises(CaptureError):
        ScreenCapture(Rect(1800, 0, 300, 10), ReplayClock()).grab()
    np.testing.assert_array_equal(capture.grab().image, image)
    capture.close()


def test_no_display_is_a_capture_error(display: XServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":987")
    capture = ScreenCapture(Rect(0, 0, 10, 10), ReplayClock())
    with pytest.raises(CaptureError, match="cannot open the screen"):
        capture.grab()


def test_open_capture_follows_the_config() -> None:
    clock = ReplayClock()
    screen = open_capture(Config(window_title=""), clock)
    fixed = open_capture(Config(), clock)
    follow = open_capture(Config(capture=CaptureSettings(follow_window=True)), clock)
    assert isinstance(screen, ScreenCapture)
    assert screen.region == Rect(0, 0, 1920, 1080)
    # a title makes the fixed rectangle check that the chart window is still there
    assert isinstance(fixed, WindowCapture)
    assert (fixed.title, fixed.follow) == ("TradeStation", False)
    assert isinstance(follow, WindowCapture)
    assert (follow.title, follow.follow) == ("TradeStation", True)
