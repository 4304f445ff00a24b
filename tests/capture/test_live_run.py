"""`atm run` on a real screen: Xvfb shows changing simulator frames in a window, the
monitor captures the screen with mss, and the alerts reach the fake Discord."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.discord import FakeDiscord
from tests.fakes.live_session import TITLE, frame, run_live_session, write_config
from tests.fakes.xvfb import ImageWindow, XServer

# fmt: off
SESSION = [
    "gray", "gray", "gray", "gray", "gray", "gray", "turquoise", "gray", "dark_green",
    "dark_green", "light_green", "gray", "gray", "yellow", "dark_red", "light_red", "gray", "gray",
]
# fmt: on


def test_live_run_alerts_from_the_screen(
    display: XServer, tmp_path: Path, discord_server: FakeDiscord
) -> None:
    result = run_live_session(display.display, tmp_path, discord_server, SESSION, dwell_s=0.6)
    assert [t.split(" signal ")[0] for t in result.triggers] == ["🟢 BUY", "🔴 SELL"]
    assert result.exit_code == 0  # SIGTERM: stop ping, drain, clean exit
    assert any(c.startswith("⏹️ ATM stopped") for c in result.posted)
    shots = [p for p in discord_server.posted if " signal " in p.content]
    assert all(p.files for p in shots)  # each trigger carries its screenshot
    assert list((tmp_path / "logs" / "fires").glob("*_BUY_*.png"))
    assert list((tmp_path / "samples").glob("*_light_green.png"))  # a sample per change


def test_live_debug_reads_the_screen(
    display: XServer, tmp_path: Path, discord_server: FakeDiscord
) -> None:
    config = write_config(tmp_path, discord_server, interval_s=5.0)
    image = frame(["gray", "turquoise", "dark_green", "light_green"])
    with ImageWindow(display.display, image, x=0, y=0, title=TITLE):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "atm",
                "--home",
                str(tmp_path),
                "debug",
                "--config",
                str(config),
                "--delay",
                "0",
                "--json",
            ],
            env={**os.environ, "DISPLAY": display.display},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["dot"]["found"] and report["dot"]["color"] == "light_green"
    assert Path(report["annotated"]).exists()
