"""Drive `atm run` on a real X display: show simulator frames in a window, measure when
the fake Discord receives each trigger. Used by the Xvfb test and by the live benchmark."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Candle, Scene, render
from atm.sim.theme import DARK
from tests.fakes.discord import FakeDiscord
from tests.fakes.proc import cpu_seconds, stop
from tests.fakes.xvfb import ImageWindow

TITLE = "TradeStation - ATM live test"
LAYOUT = Layout.for_scale(1.0)
AXIS = PriceAxis.fit(480.0, 490.0, LAYOUT)


@dataclass(slots=True)
class LiveResult:
    latencies: list[float] = field(default_factory=list)  # dot shown → request received, s
    triggers: list[str] = field(default_factory=list)
    exit_code: int | None = None
    cpu_s: float = 0.0  # the monitor's own CPU time while the strip changed every dwell
    wall_s: float = 0.0
    idle_cpu_s: float = 0.0  # and while the chart stood still (a bar in progress)
    idle_wall_s: float = 0.0
    posted: list[str] = field(default_factory=list)


def write_config(
    home: Path, discord: FakeDiscord, interval_s: float, watch_s: float | None = None
) -> Path:
    """The session's config; `watch_s` None keeps the product's `loop.watch_interval_s`."""
    data = corpus_config(LAYOUT, DARK, AXIS)
    data["window_title"] = TITLE
    data["loop"] = {"interval_s": interval_s}
    if watch_s is not None:
        data["loop"]["watch_interval_s"] = watch_s
    data["heartbeat"] = {"minutes": 60}
    data["lockout"] = {"minutes": 0}  # setups follow each other within seconds here
    data["levels"] |= {"timeout_min": 0.01}  # and no trader draws SL/TP lines in between
    data["notify"] = {"discord": {"webhook_url": discord.webhook_url}}
    path = home / "live.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def frame(dots: list[str]) -> object:
    candles = [Candle(485, 485.4, 484.6, 485.1)] * len(dots)
    return render(Scene(LAYOUT, DARK, AXIS, candles, dots))


def run_live_session(
    display: str,
    home: Path,
    discord: FakeDiscord,
    colors: list[str],
    *,
    dwell_s: float = 0.6,
    interval_s: float = 1.0,
    watch_s: float | None = None,
    idle_s: float = 0.0,
) -> LiveResult:
    """Show the strip growing one dot per `dwell_s` and time every trigger alert; then
    hold the chart still for `idle_s` and measure what watching alone costs."""
    config = write_config(home, discord, interval_s, watch_s)
    result = LiveResult()
    history = colors[:5]
    window = ImageWindow(display, frame(history), x=0, y=0, title=TITLE)  # type: ignore[arg-type]
    env = {**os.environ, "DISPLAY": display}
    args = [sys.executable, "-m", "atm", "--home", str(home), "run", "--config", str(config),
            "--startup-delay", "0"]  # fmt: skip
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(discord, "ATM started", 30.0)
        started = time.monotonic()
        cpu_before = cpu_seconds(proc.pid)
        for color in colors[5:]:
            history = [*history, color]
            window.show(frame(history))  # type: ignore[arg-type]
            shown = time.monotonic()
            if color in ("light_green", "light_red") and _fires(history):
                text = _wait_for(discord, " signal ", 10.0, after=len(result.triggers))
                result.latencies.append(time.monotonic() - shown)
                result.triggers.append(text)
            time.sleep(max(0.0, dwell_s - (time.monotonic() - shown)))
        result.cpu_s = cpu_seconds(proc.pid) - cpu_before
        result.wall_s = time.monotonic() - started
        if idle_s > 0:
            cpu_before, started = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(idle_s)
            result.idle_cpu_s = cpu_seconds(proc.pid) - cpu_before
            result.idle_wall_s = time.monotonic() - started
    finally:
        result.exit_code = stop(proc)
        if proc.stderr is not None:
            proc.stderr.close()
        window.close()
    result.posted = discord.contents()
    return result


def _fires(history: list[str]) -> bool:
    from atm.fsm import Machine

    machine = Machine(lockout_s=0)
    steps = [machine.step(c, float(i)) for i, c in enumerate(history)]  # type: ignore[arg-type]
    return steps[-1].fire is not None


def _wait_for(discord: FakeDiscord, needle: str, timeout: float, after: int = 0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in discord.contents() if needle in c]
        if len(found) > after:
            return found[after]
        time.sleep(0.005)
    raise AssertionError(f"no message with {needle!r} within {timeout} s: {discord.contents()}")
