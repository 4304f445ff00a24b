"""Fixtures over the fakes: the HTTP services, the X display, windows that show images.

The root conftest loads this module as a plugin, so every test folder can use them.
One Xvfb serves the whole session: pywinctl connects to DISPLAY when it is first
imported and keeps that connection, so a second server would be invisible to it.
Without Xvfb, xdotool, openbox or xrandr the tests skip, unless CI is set: then they
fail, because CI must install them.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pytest

from tests.fakes.discord import FakeDiscord
from tests.fakes.healthcheck import FakeHealthcheck
from tests.fakes.telegram import FakeTelegram
from tests.fakes.xvfb import ImageWindow, ShowImage, XServer, missing_tools

PACKAGES = "xvfb xdotool openbox x11-xserver-utils"


@pytest.fixture
def discord_server() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


@pytest.fixture
def telegram_server() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def healthcheck_server() -> Iterator[FakeHealthcheck]:
    with FakeHealthcheck() as server:
        yield server


def require_x() -> None:
    """Skip (fail under CI) unless this machine can run the real-window tests."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the real-window tests run on Linux/X11 only")
    missing = missing_tools()
    if missing:
        reason = f"needs {', '.join(missing)}: apt-get install {PACKAGES}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must install the X test tools; {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def x_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XServer]:
    require_x()
    server = XServer(tmp_path_factory.mktemp("xserver")).start()
    yield server
    server.stop()


@pytest.fixture
def display(x_server: XServer, monkeypatch: pytest.MonkeyPatch) -> XServer:
    """The session's X server, with DISPLAY pointing at it for this test."""
    monkeypatch.setenv("DISPLAY", x_server.display)
    return x_server


@pytest.fixture
def show_image(display: XServer) -> Iterator[ShowImage]:
    """`show_image(rgb, x=, y=, title=None, decorated=False)` → an `ImageWindow`, closed after."""
    windows: list[ImageWindow] = []

    def show(
        image: npt.NDArray[np.uint8],
        *,
        x: int,
        y: int,
        title: str | None = None,
        decorated: bool = False,
    ) -> ImageWindow:
        name = title or f"atm-test-{uuid.uuid4().hex[:8]}"
        window = ImageWindow(display.display, image, x=x, y=y, title=name, decorated=decorated)
        windows.append(window)
        return window

    yield show
    for window in windows:
        window.close()
