"""Window finding and window-following capture against a real X server with openbox."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from atm.capture.window import WindowCapture, activate, find_window
from atm.clock import ReplayClock
from atm.errors import CaptureError, WindowMinimized, WindowNotFound
from atm.geometry import Rect
from tests.fakes.xvfb import ShowImage, XServer, pattern


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def repainted(capture: WindowCapture, image: np.ndarray, timeout_s: float = 15.0) -> bool:
    """Whether the window shows `image` within `timeout_s`: a raised or restored window
    is drawn by its application a moment later, as on any desktop (later still on a
    loaded CI machine: the wait ends as soon as it shows)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if np.array_equal(capture.grab().image, image):
            return True
        time.sleep(0.02)
    return False


def test_find_window_by_title_substring(show_image: ShowImage) -> None:
    title = unique("ATM test") + " - Chart Analysis"
    show_image(pattern(), x=120, y=80, title=title)
    found = find_window(title[3:14])
    assert found is not None
    assert found.title == title
    assert (found.left, found.top, found.width, found.height) == (120, 80, 300, 200)
    assert not found.is_minimized
    assert found.area == "client"


def test_a_missing_window_is_none_and_window_not_found(display: XServer) -> None:
    title = unique("no such window")
    assert find_window(title) is None
    capture = WindowCapture(title, Rect(0, 0, 10, 10), ReplayClock())
    with pytest.raises(WindowNotFound, match=f"no window title contains '{title}'") as caught:
        capture.grab()
    assert isinstance(caught.value, CaptureError)


def test_follow_uses_the_client_area_inside_the_frame(show_image: ShowImage) -> None:
    image = pattern(seed=6)
    title = unique("framed")
    show_image(image, x=200, y=100, title=title, decorated=True)
    found = find_window(title)
    assert found is not None and (found.left, found.top) != (200, 100)  # the title bar
    capture = WindowCapture(title, Rect(0, 0, 300, 200), ReplayClock())
    np.testing.assert_array_equal(capture.grab().image, image)
    np.testing.assert_array_equal(capture.grab_rect(10, 20, 100, 50), image[20:70, 10:110])
    capture.close()


def test_follow_keeps_the_image_when_the_window_moves(
    show_image: ShowImage, display: XServer
) -> None:
    image = pattern(seed=7)
    title = unique("moving")
    show_image(image, x=50, y=50, title=title)
    clock = ReplayClock(100.0)
    capture = WindowCapture(title, Rect(10, 20, 250, 150), clock, relocate_s=2.0)
    np.testing.assert_array_equal(capture.grab().image, image[20:170, 10:260])

    display.xdotool("search", "--name", title, "windowmove", "--sync", "900", "600")
    clock.set(101.0)  # within relocate_s: the old position is still used
    assert not np.array_equal(capture.grab().image, image[20:170, 10:260])
    clock.set(102.0)
    np.testing.assert_array_equal(capture.grab().image, image[20:170, 10:260])
    assert capture.window is not None and (capture.window.left, capture.window.top) == (900, 600)
    capture.close()


def test_region_larger_than_the_window_is_a_capture_error(show_image: ShowImage) -> None:
    title = unique("small")
    show_image(pattern(), x=0, y=0, title=title)
    capture = WindowCapture(title, Rect(0, 0, 400, 200), ReplayClock())
    with pytest.raises(CaptureError, match=r"is 300x200 but capture.region is 0,0 400x200"):
        capture.grab()


def test_without_follow_the_region_is_on_the_desktop(show_image: ShowImage) -> None:
    image = pattern(seed=8)
    title = unique("fixed")
    show_image(image, x=300, y=300, title=title)
    capture = WindowCapture(title, Rect(300, 300, 300, 200), ReplayClock(), follow=False)
    np.testing.assert_array_equal(capture.grab().image, image)
    capture.close()


def test_minimized_window_then_activate_restores_it(
    show_image: ShowImage, display: XServer
) -> None:
    image = pattern(seed=9)
    title = unique("minimized")
    show_image(image, x=400, y=200, title=title, decorated=True)  # openbox won't iconify splashes
    clock = ReplayClock()
    capture = WindowCapture(title, Rect(0, 0, 300, 200), clock, relocate_s=1.0)
    display.xdotool("search", "--name", title, "windowminimize", "--sync")
    with pytest.raises(WindowMinimized, match="is minimized"):
        capture.grab()
    window = capture.window
    assert window is not None and window.is_minimized
    assert activate(window) is None
    clock.set(1.0)
    assert capture.grab().ts == 1.0  # found again, no longer minimized
    assert repainted(capture, image)
    capture.close()


def test_activate_brings_a_covered_window_to_the_front(show_image: ShowImage) -> None:
    below, above = pattern(seed=10), pattern(seed=11)
    title = unique("covered")
    show_image(below, x=700, y=100, title=title)
    show_image(above, x=700, y=100)
    capture = WindowCapture(title, Rect(0, 0, 300, 200), ReplayClock())
    np.testing.assert_array_equal(capture.grab().image, above)
    window = find_window(title)
    assert window is not None
    assert activate(window) is None
    assert repainted(capture, below)
    capture.close()


def test_activate_reports_a_closed_window_instead_of_raising(show_image: ShowImage) -> None:
    title = unique("closing")
    window = show_image(pattern(), x=0, y=0, title=title)
    found = find_window(title)
    assert found is not None
    window.close()
    problem = activate(found)
    assert problem is not None and title in problem


@pytest.fixture
def stale_x_socket() -> Iterator[Path]:
    """A socket file in /tmp/.X11-unix that nothing listens on, as a killed X server leaves."""
    folder = Path("/tmp/.X11-unix")
    if not folder.is_dir():
        pytest.skip("no /tmp/.X11-unix on this machine")
    path = folder / f"X{4000 + os.getpid() % 1000}"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
    yield path
    path.unlink(missing_ok=True)


def test_a_dead_x_servers_socket_leaks_no_warning(display: XServer, stale_x_socket: Path) -> None:
    # pywinctl connects to every display socket on import; the failed connection to the
    # dead one must not reach a run as a ResourceWarning (pytest makes those errors).
    code = "from atm.capture.window import find_window; print(find_window('no such window'))"
    run = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        env=display.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode, run.stdout.strip()) == (0, "None"), run.stderr
    assert "ResourceWarning" not in run.stderr, run.stderr
