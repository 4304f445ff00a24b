"""A chart nobody here drew (issue 11, item 8): TradingView's lightweight-charts in Chromium.

On the Xvfb screen a browser window shows candles, a price axis and an M2D dot strip in
a pane of its own. One screenshot (mss) goes through `atm calibrate --auto --yes`; then
`atm run` watches the real screen while the page draws a new bar every `DWELL_S`, and
every FIRE of the scripted colours must reach the fake Discord and Telegram, each with
its screenshot, and nothing else that says "signal". Dark and light, 100 % and 125 %;
the M2D pane has a background of its own, as a TradeStation subgraph has. One more case
keeps the library's own look, its grid running through the dots (a line along the dots'
row, lines down the time marks): the live slot is read through them (issue 11).

Per-signal latency (dot on screen → request at the fake service) is printed (`-s`) and
recorded as a test property; it is measured here, never asserted.
"""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import mss
import numpy as np
import pytest
import tomli_w
from PIL import Image

from atm.colors import Color
from atm.fsm import Machine
from atm.types import Direction
from tests.fakes.discord import FakeDiscord
from tests.fakes.proc import stop
from tests.fakes.telegram import FakeTelegram
from tests.fakes.web_chart import THEMES, Bar, ChartServer, Chromium, PageSettings, make_bars
from tests.fakes.xvfb import HEIGHT, WIDTH, XServer

TITLE = "SPY 1 min - lightweight-charts"
DWELL_S = 0.8  # one bar per this many seconds while `atm run` watches
START = 1_763_740_800  # the first bar's time, UTC seconds

# fmt: off
#: On screen before ATM starts: every colour, a BUY and a SELL long past, ending idle.
HISTORY: list[Color] = [
    "gray", "gray", "gray", "gray", "gray", "gray", "gray", "gray", "turquoise", "gray",
    "dark_green", "dark_green", "light_green", "gray", "gray", "gray", "yellow", "dark_red",
    "dark_red", "light_red", "gray", "gray", "gray", "gray",
]
#: Drawn one bar at a time while ATM watches: four FIREs, and a setup that cools off
#: (turquoise, dark green, gray) before a light green that must not fire.
LIVE: list[Color] = [
    "gray", "turquoise", "gray", "dark_green", "dark_green", "light_green", "gray", "gray",
    "yellow", "dark_red", "light_red", "gray", "turquoise", "dark_green", "gray",
    "light_green", "gray", "turquoise", "dark_green", "light_green", "gray", "yellow", "gray",
    "dark_red", "dark_red", "light_red", "gray", "gray",
]
# fmt: on

MARK = {"BUY": "🟢 BUY", "SELL": "🔴 SELL"}


def expected_fires() -> list[tuple[int, Direction]]:
    """(index in LIVE, direction) of every FIRE the state machine makes of the colours."""
    machine = Machine(lockout_s=0)
    for i, color in enumerate(HISTORY):
        machine.step(color, float(i))
    fires = []
    for i, color in enumerate(LIVE):
        step = machine.step(color, float(len(HISTORY) + i))
        if step.fire is not None:
            fires.append((i, step.fire))
    return fires


@dataclass(frozen=True, slots=True)
class Arrival:
    at: float  # monotonic time the message was first seen at the fake service
    text: str
    picture: bytes | None


@dataclass(slots=True)
class Inbox:
    """What the fake Discord and Telegram received, stamped when first seen (5 ms polls)."""

    discord: FakeDiscord
    telegram: FakeTelegram
    seen: dict[str, list[Arrival]] = field(default_factory=lambda: {"discord": [], "telegram": []})

    def pump_until(self, deadline: float) -> None:
        while True:
            self._collect()
            if time.monotonic() >= deadline:
                return
            time.sleep(0.005)

    def wait_for(self, needle: str, count: int, timeout: float) -> None:
        """Until both services hold `count` messages containing `needle` (or time runs out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._collect()
            if all(len(self.having(s, needle)) >= count for s in self.seen):
                return
            time.sleep(0.005)

    def having(self, service: str, needle: str) -> list[Arrival]:
        return [a for a in self.seen[service] if needle in a.text]

    def _collect(self) -> None:
        now = time.monotonic()
        with self.discord.lock:
            posted = list(self.discord.posted)
        with self.telegram.lock:
            sent = list(self.telegram.sent)
        for p in posted[len(self.seen["discord"]) :]:
            picture = next(iter(p.files.values())).data if p.files else None
            self.seen["discord"].append(Arrival(now, p.content, picture))
        for s in sent[len(self.seen["telegram"]) :]:
            self.seen["telegram"].append(Arrival(now, s.text, s.photo.data if s.photo else None))


def write_settings(home: Path, telegram: FakeTelegram) -> None:
    """The trader's settings before calibrating: what `atm calibrate` carries over."""
    configs = home / "configs"
    configs.mkdir(parents=True)
    data = {
        "schema": 1,
        "window_title": TITLE,
        "symbol_label": "SPY",
        "loop": {"interval_s": 1.0, "watch_interval_s": 0.25},
        "heartbeat": {"minutes": 60},
        "lockout": {"minutes": 0},  # setups follow each other within seconds here
        "levels": {"timeout_min": 0.01},  # and no trader draws SL/TP lines in between
        "notify": {"telegram": {"api_base": telegram.api_base}},
    }
    (configs / "settings.toml").write_text(tomli_w.dumps(data))
    (configs / "current.txt").write_text("settings.toml\n")


def secrets_env(discord: FakeDiscord, telegram: FakeTelegram) -> dict[str, str]:
    return {
        "ATM_DISCORD_URL": discord.webhook_url,
        "ATM_TG_TOKEN": telegram.token,
        "ATM_TG_CHAT": telegram.chat_id,
    }


def screenshot(path: Path, timeout: float = 10.0) -> Path:
    """The whole screen once two grabs 0.2 s apart agree (the window has settled)."""
    deadline = time.monotonic() + timeout
    with mss.MSS() as sct:
        last = None
        while True:
            shot = sct.grab(sct.monitors[1])
            pixels = np.frombuffer(shot.rgb, np.uint8).reshape(shot.height, shot.width, 3)
            if (last is not None and np.array_equal(pixels, last)) or time.monotonic() > deadline:
                Image.fromarray(pixels, "RGB").save(path)
                return path
            last = pixels
            time.sleep(0.2)


def atm(home: Path, *args: str) -> list[str]:
    """The command line of `atm --home HOME ARGS…` in this interpreter."""
    return [sys.executable, "-m", "atm", "--home", str(home), *args]


@dataclass(slots=True)
class Session:
    drawn: list[float] = field(default_factory=list)  # per LIVE bar: when the page drew it
    exit_code: int | None = None
    stderr: str = ""


def watch(
    home: Path, env: dict[str, str], chart: ChartServer, bars: list[Bar], inbox: Inbox
) -> Session:
    """`atm run` on the screen while the chart grows by `bars`, one per `DWELL_S`."""
    session = Session()
    proc = subprocess.Popen(
        atm(home, "run", "--startup-delay", "0"),
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        inbox.wait_for("ATM started", 1, timeout=60)
        for bar in bars:
            count = chart.append(bar)
            session.drawn.append(chart.wait_drawn(count, timeout=10))
            inbox.pump_until(session.drawn[-1] + DWELL_S)
        inbox.wait_for(" signal ", len(expected_fires()), timeout=10)
    finally:
        session.exit_code = stop(proc)
        session.stderr = proc.stderr.read() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
    inbox.pump_until(time.monotonic())
    return session


class WrongSignals(AssertionError):
    """A service's signals are not the scripted FIREs in order, each with its picture."""


def check_signals(service: str, inbox: Inbox, context: str) -> list[Arrival]:
    """The service's signal messages, once they are exactly the scripted FIREs."""
    signals = inbox.having(service, " signal ")
    got = [a.text.split(" signal ")[0] for a in signals]
    if got != [MARK[d] for _, d in expected_fires()]:
        raise WrongSignals(f"{service}: {[a.text for a in inbox.seen[service]]}\n{context}")
    for arrival in signals:
        assert arrival.picture is not None, arrival.text
        assert Image.open(io.BytesIO(arrival.picture)).width >= 640  # a screenshot
    warnings = [a.text for a in inbox.seen[service] if a.text.startswith("⚠️")]
    assert not warnings, warnings  # no pause, no lost sight, no capture trouble
    return signals


def calibrate(home: Path, shot: Path, env: dict[str, str]) -> str:
    """`atm calibrate --auto --yes --screenshot SHOT`: its report, once it found everything."""
    done = subprocess.run(
        atm(home, "calibrate", "--auto", "--yes", "--screenshot", str(shot)),
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "matches no class" not in done.stdout
    assert "colours not on screen" not in done.stdout  # all seven were seen
    return done.stdout


CASES = [
    pytest.param("dark", 1.0, True, id="dark-100"),
    pytest.param("light", 1.0, True, id="light-100"),
    pytest.param("dark", 1.25, True, id="dark-125"),
    pytest.param("light", 1.25, True, id="light-125"),
    pytest.param("dark", 1.0, False, id="dark-100-grid-through-strip"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("theme", "scale", "own_pane"), CASES)
def test_every_signal_of_a_lightweight_chart_arrives(
    theme: str,
    scale: float,
    own_pane: bool,
    display: XServer,
    chart_js: Path,
    tmp_path: Path,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    record_property: Callable[[str, object], None],
) -> None:
    home = tmp_path / "home"
    write_settings(home, telegram_server)
    bars = make_bars([*HISTORY, *LIVE], start=START, seed=7)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATM_")}
    display.xdotool("mousemove", str(WIDTH - 1), str(HEIGHT - 1))  # the pointer off the chart
    look = THEMES[theme] if own_pane else dataclasses.replace(THEMES[theme], strip=None)
    with (
        closing(ChartServer(chart_js, PageSettings(TITLE, look), bars[: len(HISTORY)])) as chart,
        closing(Chromium(display.display, chart.url, tmp_path, scale=scale)) as browser,
    ):
        try:
            chart.wait_drawn(len(HISTORY), timeout=60)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}; chromium said: {browser.log_text()}") from exc
        report = calibrate(home, screenshot(tmp_path / "chart.png"), env)
        inbox = Inbox(discord_server, telegram_server)
        run_env = {**env, **secrets_env(discord_server, telegram_server)}
        session = watch(home, run_env, chart, bars[len(HISTORY) :], inbox)
    record_property("calibration", report)
    for service in ("discord", "telegram"):
        signals = check_signals(service, inbox, f"{report}\n{session.stderr}")
        fired_at = [session.drawn[i] for i, _ in expected_fires()]
        latencies = [a.at - t for a, t in zip(signals, fired_at, strict=True)]
        record_property(f"{service}_latency_s", [round(x, 3) for x in latencies])
        print(f"\n{theme} {scale:.0%} {service}: latency s {[f'{x:.3f}' for x in latencies]}")
    assert session.exit_code == 0, session.stderr  # SIGTERM: stop ping, drain, clean exit
    fires = home / "logs" / "fires"
    assert list(fires.glob("*_BUY_*.png")) and list(fires.glob("*_SELL_*.png"))
