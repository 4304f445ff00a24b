"""Issue 11 on a real X display: a chart window whose toolbar clock ticks every second.

Live calibration (`atm calibrate --auto --yes`, three screenshots seconds apart) must keep
the canary off the clock, and `atm run` must never auto-pause, neither with that config
nor with an old config whose canary sits right on the clock (the canary then says it
gave up, once)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from atm.geometry import Rect
from atm.sim.corpus import corpus_config
from atm.sim.theme import DARK
from tests.fakes.clock import clock_box, clock_text, with_clock
from tests.fakes.discord import FakeDiscord
from tests.fakes.live_session import AXIS, LAYOUT, TITLE, frame
from tests.fakes.xvfb import ImageWindow, XServer

RUN_S = 15.0
CHART = np.asarray(frame(["gray", "turquoise", "gray", "yellow", "gray"] * 4))


class TickingWindow:
    """The simulator chart in a window, its clock advanced every second by a thread."""

    def __init__(self, display: str) -> None:
        self._t = 9 * 3600 + 30 * 60
        self.window = ImageWindow(display, self._image(), x=0, y=0, title=TITLE)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="clock", daemon=True)
        self._thread.start()

    def _image(self) -> np.ndarray:
        return with_clock(CHART, LAYOUT, DARK, clock_text(self._t), "alone")

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._t += 1
            self.window.show(self._image())

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.window.close()


@pytest.fixture
def ticking(display: XServer) -> Iterator[TickingWindow]:
    window = TickingWindow(display.display)
    yield window
    window.close()


def _atm(display: XServer, home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "atm", "--home", str(home), *args]


def _calibrate(display: XServer, home: Path) -> tuple[dict[str, object], str]:
    done = subprocess.run(
        _atm(display, home, "calibrate", "--auto", "--yes", "--delay", "0"),
        env=display.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    configs = home / "configs"
    path = configs / (configs / "current.txt").read_text().strip()
    return tomllib.loads(path.read_text()), done.stdout


def _run(display: XServer, home: Path, config: dict[str, object]) -> int:
    """`atm run` for `RUN_S` seconds with the given config, then SIGTERM; its exit code."""
    path = home / "live.toml"
    path.write_text(tomli_w.dumps(config))
    proc = subprocess.Popen(
        _atm(display, home, "run", "--config", str(path), "--startup-delay", "0"),
        env={**os.environ, "DISPLAY": display.display},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(RUN_S)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    return code


def _watched(config: dict[str, object], discord: FakeDiscord) -> dict[str, object]:
    """The calibrated config, checking the canary on every 1-s cycle, alerting Discord."""
    out = dict(config)
    out["loop"] = {"interval_s": 1.0}
    canary = dict(config["canary"])  # type: ignore[call-overload]
    out["canary"] = canary | {"every_cycles": 1}
    out["notify"] = {"discord": {"webhook_url": discord.webhook_url}}
    return out


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def test_a_ticking_clock_gets_no_canary_and_never_pauses_a_run(
    display: XServer, ticking: TickingWindow, tmp_path: Path, discord_server: FakeDiscord
) -> None:
    config, out = _calibrate(display, tmp_path)
    canary = config["canary"]
    assert isinstance(canary, dict) and canary.get("enabled", True)
    assert not _overlaps(Rect(**canary["roi"]), clock_box(LAYOUT, "alone"))
    assert "unchanged across 3 screenshots" in out
    assert "canary not at 1763,1 152x40: changed between the screenshots" in out

    assert _run(display, tmp_path, _watched(config, discord_server)) == 0
    posted = discord_server.contents()
    assert any(p.startswith("▶️ ATM started") for p in posted), posted
    assert not any("Layout changed" in p or "Canary off" in p for p in posted), posted
    assert not (tmp_path / "PAUSED").exists()


def test_an_old_config_with_the_canary_on_the_clock_never_pauses(
    display: XServer, ticking: TickingWindow, tmp_path: Path, discord_server: FakeDiscord
) -> None:
    old = _watched(corpus_config(LAYOUT, DARK, AXIS) | {"window_title": TITLE}, discord_server)
    old["canary"] = {"every_cycles": 1}  # SPEC's default region, over the clock; no baseline
    assert _overlaps(Rect(1765, 0, 150, 30), clock_box(LAYOUT, "alone"))
    assert _run(display, tmp_path, old) == 0
    posted = discord_server.contents()
    assert not any("Layout changed" in p for p in posted), posted
    assert sum(p.startswith("⚠️ Canary off: its region") for p in posted) == 1, posted
    assert not (tmp_path / "PAUSED").exists()
