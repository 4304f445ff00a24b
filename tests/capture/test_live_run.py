"""`atm run` on a real screen: Xvfb shows changing simulator frames in a window, the
monitor captures the screen with mss, and the alerts reach the fake Discord."""

from __future__ import annotations

from pathlib import Path

from fake_discord import FakeDiscord
from live_session import run_live_session
from xvfb import XServer

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
    assert list((tmp_path / "logs" / "fires").glob("*_BUY.png"))
    assert list((tmp_path / "samples").glob("*_light_green.png"))  # a sample per change
