"""Two chart windows side by side on a real X screen (different symbols, scales and
themes), one `atm run`: each chart's signals reach the fake Discord and Telegram with its
own symbol and screenshot; moving one chart's layout pauses that chart alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w

from atm.fsm import Machine
from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Candle, Scene, render
from atm.sim.theme import DARK, LIGHT, Theme
from atm.types import Image
from tests.fakes.discord import FakeDiscord
from tests.fakes.fixtures import require_x
from tests.fakes.proc import stop
from tests.fakes.telegram import CHAT_ID, FakeTelegram
from tests.fakes.two_charts import shifted
from tests.fakes.xvfb import ImageWindow, XServer

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]

# fmt: off
BUY = ["turquoise", "gray", "dark_green", "light_green", "gray"]
SELL = ["yellow", "dark_red", "dark_red", "light_red", "gray"]
# fmt: on


@dataclass
class Chart:
    name: str
    symbol: str
    layout: Layout
    theme: Theme
    x: int  # where its window sits on the screen
    script: list[str]  # the colours it shows, one per step after its first five

    @property
    def axis(self) -> PriceAxis:
        return PriceAxis.fit(480.0, 490.0, self.layout)

    def image(self, dots: list[str], moved: bool = False) -> Image:
        candles = [Candle(485, 485.4, 484.6, 485.1)] * len(dots)
        image = render(Scene(self.layout, self.theme, self.axis, candles, dots))
        if moved:  # the layout above the chart changed: another toolbar, say
            c = self.layout.canary
            image[c.y : c.y + c.h, c.x : c.x + c.w] = np.roll(
                image[c.y : c.y + c.h, c.x : c.x + c.w], c.w // 3, axis=1
            )[:, ::-1]
        return image

    def table(self) -> dict[str, Any]:
        own = corpus_config(self.layout, self.theme, self.axis)
        keys = ("dot_roi", "chart_roi", "colors", "y_axis", "canary")
        table: dict[str, Any] = {"name": self.name, "symbol_label": self.symbol}
        table |= shifted({k: own[k] for k in keys}, self.x)
        table["canary"] |= {"every_cycles": 1, "settle_s": 2.0}
        return table


DIA = Chart(
    "DIA",
    "DIA→US30",
    Layout.for_scale(1.0),
    DARK,
    0,
    ["gray"] * 2 + BUY + ["gray"] * 6 + SELL + ["gray"] * 4,
)
GLD = Chart(
    "GLD",
    "GLD→XAUUSD",
    Layout.for_scale(0.75),
    LIGHT,
    1920,
    SELL + ["gray"] * 2 + BUY + ["gray"] + SELL + ["gray"] * 4,
)
#: From this step on GLD's layout is changed: it pauses, so its last SELL is not sent,
#: while DIA's SELL, later still, is.
MOVE_AT = 12


@pytest.fixture(scope="module")
def wide_screen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XServer]:
    """A screen wide enough for both windows side by side, as two monitors would be."""
    require_x()
    width = DIA.layout.width + GLD.layout.width
    server = XServer(tmp_path_factory.mktemp("wide"), size=(width, DIA.layout.height)).start()
    yield server
    server.stop()


def fires(history: list[str]) -> str | None:
    machine = Machine(lockout_s=0)
    steps = [machine.step(c, float(i)) for i, c in enumerate(history)]  # type: ignore[arg-type]
    return steps[-1].fire


def expected(chart: Chart, until: int) -> list[str]:
    history, out = ["gray"] * 5, []
    for color in chart.script[:until]:
        history.append(color)
        direction = fires(history)
        if direction:
            out.append(f"{direction} signal {chart.symbol}")
    return out


def write_config(home: Path, discord: FakeDiscord, telegram: FakeTelegram) -> Path:
    data = {
        "window_title": "",  # one desktop capture for both windows
        "capture": {
            "region": {"x": 0, "y": 0, "w": GLD.x + GLD.layout.width, "h": DIA.layout.height}
        },
        "loop": {"interval_s": 1.0},
        "lockout": {"minutes": 0},
        "levels": {"timeout_min": 0.01},
        "heartbeat": {"minutes": 60},
        "notify": {
            "discord": {"webhook_url": discord.webhook_url},
            "telegram": {
                "token": telegram.token,
                "chat_id": CHAT_ID,
                "api_base": telegram.api_base,
            },
        },
        "charts": [DIA.table(), GLD.table()],
    }
    path = home / "charts.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def wait_for(discord: FakeDiscord, needle: str, count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(needle in c for c in discord.contents()) >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{count}× {needle!r} not seen: {discord.contents()}")


def test_two_charts_alert_apart_and_pause_apart(
    wide_screen: XServer,
    tmp_path: Path,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
) -> None:
    config = write_config(tmp_path, discord_server, telegram_server)
    histories = {c.name: ["gray"] * 5 for c in (DIA, GLD)}
    windows = {
        c.name: ImageWindow(
            wide_screen.display,
            c.image(histories[c.name]),
            x=c.x,
            y=0,
            title=f"TradeStation - {c.name}",
        )
        for c in (DIA, GLD)
    }
    args = [
        sys.executable,
        "-m",
        "atm",
        "--home",
        str(tmp_path),
        "run",
        "--config",
        str(config),
        "--startup-delay",
        "0",
    ]
    env = {**os.environ, "DISPLAY": wide_screen.display}
    log = (tmp_path / "run.log").open("wb")
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(discord_server, "ATM started", 1, timeout=30.0)
        for step in range(len(DIA.script)):
            for chart in (DIA, GLD):
                histories[chart.name].append(chart.script[step])
                moved = chart is GLD and step >= MOVE_AT
                windows[chart.name].show(chart.image(histories[chart.name], moved))
            if step == MOVE_AT:
                time.sleep(4.0)  # GLD's changed layout holds still: its pause comes
            time.sleep(1.2)
        wait_for(discord_server, "signal DIA→US30", len(expected(DIA, len(DIA.script))))
    finally:
        code = stop(proc)
        log.close()
        for window in windows.values():
            window.close()
    assert code == 0, (tmp_path / "run.log").read_text()
    for chart in (DIA, GLD):
        got = [p for p in discord_server.posted if f" signal {chart.symbol} " in p.content]
        seen = [p.content.split(" ", 1)[1].split(" | ")[0] for p in got]
        until = len(chart.script) if chart is DIA else MOVE_AT
        assert seen == expected(chart, until), chart.name
        assert all(p.files for p in got)  # each with its screenshot
        tg = [s for s in telegram_server.sent if f" signal {chart.symbol} " in s.text]
        assert len(tg) == len(got) and all(s.photo is not None for s in tg)
    assert len(expected(GLD, len(GLD.script))) > len(expected(GLD, MOVE_AT))  # one was missed
    contents = discord_server.contents()
    assert sum(c.startswith("GLD→XAUUSD: ⚠️ Layout changed") for c in contents) == 1
    assert (tmp_path / "PAUSED-GLD").exists() and not (tmp_path / "PAUSED-DIA").exists()
