"""Drive `atm run` on a real X display: show simulator frames in windows, measure when
the fake Discord receives each trigger. Used by the Xvfb tests and by the live benchmark.

One chart (`run_live_session`) or several (`drive` with a `LiveChart` per window, and a
config from `tests.fakes.live_charts`): every step shows each window's next dot, then
waits for every trigger that step fires, each timed from its own window's dot.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Candle, Scene, render
from atm.sim.theme import DARK
from atm.types import Image
from tests.fakes.discord import FakeDiscord, Posted
from tests.fakes.proc import cpu_seconds, stop
from tests.fakes.xvfb import ImageWindow

TITLE = "TradeStation - ATM live test"
LAYOUT = Layout.for_scale(1.0)
AXIS = PriceAxis.fit(480.0, 490.0, LAYOUT)


@dataclass(frozen=True, slots=True)
class LiveChart:
    """A simulator chart window at (x, y) whose strip shows `colors`, one per step (the
    first five at once); its triggers are the messages naming `symbol`."""

    title: str
    symbol: str
    colors: tuple[str, ...]
    x: int = 0
    y: int = 0
    layout: Layout = LAYOUT


@dataclass(slots=True)
class LiveResult:
    latencies: list[float] = field(default_factory=list)  # dot shown → request received, s
    triggers: list[str] = field(default_factory=list)
    by_chart: dict[str, list[float]] = field(default_factory=dict)  # latencies per symbol
    exit_code: int | None = None
    cpu_s: float = 0.0  # the monitor's own CPU time while the strip changed every dwell
    wall_s: float = 0.0
    idle_cpu_s: float = 0.0  # and while the chart stood still (a bar in progress)
    idle_wall_s: float = 0.0
    posted: list[str] = field(default_factory=list)


def session_keys(discord: FakeDiscord, interval_s: float, watch_s: float | None) -> dict[str, Any]:
    """The keys every live session shares: loop, alerts to `discord`, no lockout, no wait
    for levels. `watch_s` None keeps the product's `loop.watch_interval_s`."""
    loop: dict[str, float] = {"interval_s": interval_s}
    if watch_s is not None:
        loop["watch_interval_s"] = watch_s
    return {
        "loop": loop,
        "heartbeat": {"minutes": 60},
        "lockout": {"minutes": 0},  # setups follow each other within seconds here
        "levels": {"timeout_min": 0.01},  # and no trader draws SL/TP lines in between
        "notify": {"discord": {"webhook_url": discord.webhook_url}},
    }


def write_config(
    home: Path, discord: FakeDiscord, interval_s: float, watch_s: float | None = None
) -> Path:
    """The one-chart session's config: the window titled `TITLE`."""
    data = corpus_config(LAYOUT, DARK, AXIS)
    keys = session_keys(discord, interval_s, watch_s)
    data |= keys | {"window_title": TITLE, "levels": data["levels"] | keys["levels"]}
    path = home / "live.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def axis(layout: Layout) -> PriceAxis:
    """The price axis every live chart shows, fitted to `layout`."""
    return AXIS if layout == LAYOUT else PriceAxis.fit(480.0, 490.0, layout)


def frame(dots: Sequence[str], layout: Layout = LAYOUT) -> Image:
    candles = [Candle(485, 485.4, 484.6, 485.1)] * len(dots)
    return render(Scene(layout, DARK, axis(layout), candles, list(dots)))


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
    """One chart window titled `TITLE`, its config written by `write_config`."""
    config = write_config(home, discord, interval_s, watch_s)
    chart = LiveChart(TITLE, "", tuple(colors))
    return drive(display, home, config, discord, [chart], dwell_s=dwell_s, idle_s=idle_s)


def drive(
    display: str,
    home: Path,
    config: Path,
    discord: FakeDiscord,
    charts: Sequence[LiveChart],
    *,
    dwell_s: float,
    idle_s: float = 0.0,
) -> LiveResult:
    """`atm run --config config` while every chart's strip grows one dot per `dwell_s`,
    timing every trigger alert; then every chart holds still for `idle_s` and what
    watching alone costs is measured."""
    result = LiveResult(by_chart={c.symbol: [] for c in charts})
    windows = [ImageWindow(display, frame(c.colors[:5], c.layout), x=c.x, y=c.y, title=c.title)
               for c in charts]  # fmt: skip
    env = {**os.environ, "DISPLAY": display}
    args = [sys.executable, "-m", "atm", "--home", str(home), "run", "--config", str(config),
            "--startup-delay", "0"]  # fmt: skip
    log = (home / "run.log").open("wb")  # read by whoever needs to know why a run failed
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(discord, "ATM started", 30.0)
        started, cpu_before = time.monotonic(), cpu_seconds(proc.pid)
        for step in range(5, max(len(c.colors) for c in charts)):
            begun = time.monotonic()
            _step(discord, charts, windows, step, result)
            time.sleep(max(0.0, dwell_s - (time.monotonic() - begun)))
        result.cpu_s = cpu_seconds(proc.pid) - cpu_before
        result.wall_s = time.monotonic() - started
        if idle_s > 0:
            cpu_before, started = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(idle_s)
            result.idle_cpu_s = cpu_seconds(proc.pid) - cpu_before
            result.idle_wall_s = time.monotonic() - started
    finally:
        result.exit_code = stop(proc)
        log.close()
        for window in windows:
            window.close()
    result.posted = discord.contents()
    return result


def _step(
    discord: FakeDiscord,
    charts: Sequence[LiveChart],
    windows: Sequence[ImageWindow],
    step: int,
    result: LiveResult,
) -> None:
    """Show each chart's dot `step` on every window at once, as bars close together on
    charts of one timeframe (a chart whose script has ended stands still), then wait for
    the triggers they fire, each timed from its window's dot to the request's arrival."""
    moving = [(c, w, c.colors[: step + 1]) for c, w in zip(charts, windows, strict=True)
              if step < len(c.colors)]  # fmt: skip
    for chart, window, history in moving:
        window.post(frame(history, chart.layout))
    shown: dict[str, float] = {}
    for chart, window, history in moving:
        at = window.shown()
        if history[-1] in ("light_green", "light_red") and _fires(history):
            shown[chart.symbol] = at
    for symbol in shown:
        posted = _await(discord, f" signal {symbol}", len(result.by_chart[symbol]))
        result.by_chart[symbol].append(posted.received - shown[symbol])
        result.latencies.append(result.by_chart[symbol][-1])
        result.triggers.append(posted.content)


def _await(discord: FakeDiscord, needle: str, had: int) -> Posted:
    """The next message with `needle` after the `had` ones already seen."""
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        with discord.lock:
            found = [p for p in discord.posted if needle in p.content]
        if len(found) > had:
            return found[had]
        time.sleep(0.005)
    raise AssertionError(f"no message with {needle!r} within 10 s: {discord.contents()}")


def _fires(history: Sequence[str]) -> bool:
    from atm.fsm import Machine

    machine = Machine(lockout_s=0)
    steps = [machine.step(c, float(i)) for i, c in enumerate(history)]  # type: ignore[arg-type]
    return steps[-1].fire is not None


def _wait_for(discord: FakeDiscord, needle: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(needle in c for c in discord.contents()):
            return
        time.sleep(0.005)
    raise AssertionError(f"no message with {needle!r} within {timeout} s: {discord.contents()}")
