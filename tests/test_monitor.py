"""Late start and catch-up (SPEC §3), on frames drawn by the simulator."""

from __future__ import annotations

import numpy as np
import pytest

from atm import config as config_mod
from atm.frame import Frame
from atm.monitor import Monitor
from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Candle, Scene, render
from atm.sim.theme import DARK
from atm.types import Image

LAYOUT = Layout.for_scale(1.0)
AXIS = PriceAxis.fit(480.0, 490.0, LAYOUT)
CONFIG = config_mod.from_dict(corpus_config(LAYOUT, DARK, AXIS))
BAR = CONFIG.chart.bar_minutes * 60
T0 = 1_700_000_000.0


def strip(colors: str) -> Image:
    dots = colors.split()
    candles = [Candle(485, 485.5, 484.5, 485.2)] * len(dots)
    image = render(Scene(LAYOUT, DARK, AXIS, candles, dots))
    return Frame(image, 0.0).crop(CONFIG.dot_roi)


BLANK = strip("")


def test_late_start_reports_an_armed_setup_and_since_when() -> None:
    monitor = Monitor(CONFIG)
    seen = monitor.observe(strip("gray gray turquoise gray gray"), T0)
    assert seen.late_start is not None
    assert seen.late_start.state == "ARMED_BUY"
    assert seen.late_start.since == pytest.approx(T0 - 2 * BAR)
    assert seen.step is None  # history is replayed silently: no transition to alert on


def test_late_start_in_a_quiet_market_says_nothing() -> None:
    seen = Monitor(CONFIG).observe(strip("gray yellow dark_red light_red gray"), T0)
    assert seen.late_start is None


def test_a_fire_in_the_history_is_not_alerted_but_starts_the_lockout() -> None:
    monitor = Monitor(CONFIG)
    first = monitor.observe(strip("turquoise dark_green light_green"), T0)
    assert first.late_start is None and monitor.machine.state == "IDLE"
    monitor.observe(strip("turquoise dark_green light_green turquoise"), T0 + 60)
    monitor.observe(strip("turquoise dark_green light_green turquoise dark_green"), T0 + 90)
    again = monitor.observe(
        strip("turquoise dark_green light_green turquoise dark_green light_green"), T0 + 120
    )
    assert again.step is not None and again.step.fire == "BUY" and again.step.locked


def blind(monitor: Monitor, ts: float, frames: int = 2) -> None:
    for i in range(frames):
        assert monitor.observe(BLANK, ts + i).detection.dot is None


def test_catchup_rearms_from_the_strip_after_blindness() -> None:
    monitor = Monitor(CONFIG)
    monitor.observe(strip("gray gray"), T0)
    blind(monitor, T0 + 5)
    seen = monitor.observe(strip("gray gray turquoise gray dark_green"), T0 + 600)
    assert seen.catchup is not None and seen.catchup.state == "ARMED_BUY"
    assert seen.step is not None and seen.step.action == "prime"
    assert monitor.machine.state == "PRIMED_BUY"


def test_residual_phase_two_dots_after_a_fire_never_rearm() -> None:
    """The second seed's bug: dark_green dots after a BUY looked like a missed arming."""
    monitor = Monitor(CONFIG)
    monitor.observe(strip("gray gray"), T0)
    blind(monitor, T0 + 5)
    seen = monitor.observe(
        strip("turquoise dark_green light_green dark_green dark_green"), T0 + 900
    )
    assert seen.catchup is None
    assert monitor.machine.state == "IDLE"


def test_a_buy_fire_does_not_stop_catchup_of_a_sell() -> None:
    monitor = Monitor(CONFIG)
    monitor.observe(strip("gray gray"), T0)
    blind(monitor, T0 + 5)
    seen = monitor.observe(
        strip("turquoise dark_green light_green yellow gray dark_red"), T0 + 1200
    )
    assert seen.catchup is not None and seen.catchup.state == "ARMED_SELL"
    assert monitor.machine.state == "PRIMED_SELL"


def test_without_blindness_phase_two_in_idle_stays_noise() -> None:
    monitor = Monitor(CONFIG)
    monitor.observe(strip("gray gray"), T0)
    seen = monitor.observe(strip("gray gray turquoise dark_green"), T0 + 5)
    assert seen.catchup is None and monitor.machine.state == "IDLE"


def test_the_caller_can_declare_blindness() -> None:
    monitor = Monitor(CONFIG)
    monitor.observe(strip("gray"), T0)
    monitor.mark_blind()  # e.g. the canary paused detection
    seen = monitor.observe(strip("gray turquoise dark_green"), T0 + 400)
    assert seen.catchup is not None


def test_black_frame_is_blindness_not_a_dot() -> None:
    monitor = Monitor(CONFIG)
    seen = monitor.observe(np.zeros_like(BLANK), T0)
    assert seen.detection.dot is None and seen.late_start is None
