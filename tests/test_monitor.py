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


def strip(colors: str, config: config_mod.Config = CONFIG) -> Image:
    dots = colors.split()
    candles = [Candle(485, 485.5, 484.5, 485.2)] * len(dots)
    image = render(Scene(LAYOUT, DARK, AXIS, candles, dots))
    return Frame(image, 0.0).crop(config.dot_roi)


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


# -- issue 11: the live slot, scroll-back, and FIREs idempotent by bar -----------------------

SETUP = "gray gray yellow gray turquoise gray dark_green"  # PRIMED_BUY at the end


def scrolled(colors: str, bars: int, config: config_mod.Config = CONFIG) -> Image:
    dots = colors.split()
    candles = [Candle(485, 485.5, 484.5, 485.2)] * len(dots)
    image = render(Scene(LAYOUT, DARK, AXIS, candles, dots, scroll=bars))
    return Frame(image, 0.0).crop(config.dot_roi)


def test_back_from_a_scroll_back_a_fire_already_sent_is_not_sent_again() -> None:
    monitor = Monitor(CONFIG)
    monitor.observe(strip(SETUP), T0)
    fired = monitor.observe(strip(SETUP + " light_green"), T0 + BAR)
    assert fired.step is not None and fired.step.sends
    away = monitor.observe(scrolled(SETUP + " light_green", 2), T0 + BAR + 20)
    assert (away.detection.status, away.detection.cause) == ("not_live", "scrolled")
    assert away.step is None and away.detection.dot is None
    back = monitor.observe(strip(SETUP + " light_green"), T0 + BAR + 40)
    assert back.step is not None and back.step.fire is None and back.catchup is None


def test_an_older_fire_bar_at_the_live_slot_never_fires() -> None:
    """With no margin in view (the strip cut at the live dot) only the history tells."""
    raw = corpus_config(LAYOUT, DARK, AXIS)
    raw["dot_roi"]["w"] = LAYOUT.bar_x(0) - LAYOUT.strip.x + 1
    tight = config_mod.from_dict(raw)
    colors = SETUP + " light_green gray gray turquoise gray dark_green"
    monitor = Monitor(tight)
    monitor.observe(strip(colors, tight), T0)
    assert monitor.machine.state == "PRIMED_BUY"
    for back in (1, 5):  # the light_green FIRE bar of old, then further back
        seen = monitor.observe(scrolled(colors, back, tight), T0 + 10 * back)
        assert seen.detection.status == "not_live" and seen.step is None
    assert monitor.machine.state == "PRIMED_BUY"


def test_a_setup_finished_while_scrolled_back_fires_on_return() -> None:
    """The prime bar passed unseen; the FIRE bar is seen after return: sent, once."""
    monitor = Monitor(CONFIG)
    monitor.observe(strip("gray gray yellow gray turquoise gray"), T0)
    assert monitor.machine.state == "ARMED_BUY"
    for k in range(1, 6):
        gone = monitor.observe(scrolled("gray gray yellow gray turquoise gray", 3), T0 + 40 * k)
        assert gone.step is None
    back = monitor.observe(strip(SETUP + " light_green"), T0 + 2 * BAR + 10)
    assert back.catchup is not None and back.catchup.state == "PRIMED_BUY"
    assert back.step is not None and back.step.fire == "BUY" and back.step.sends
    again = monitor.observe(strip(SETUP + " light_green"), T0 + 2 * BAR + 30)
    assert again.step is not None and again.step.fire is None


def test_a_fire_in_bars_missed_is_not_sent_and_not_sent_later() -> None:
    monitor = Monitor(CONFIG)
    monitor.observe(strip(SETUP), T0)
    blind(monitor, T0 + 20, 4)
    later = monitor.observe(strip(SETUP + " light_green dark_green gray"), T0 + 3 * BAR + 5)
    assert later.step is not None and later.step.fire is None  # never on historic dots
    assert monitor.machine.state == "IDLE"
    assert "BUY" in monitor.machine.last_fire  # ...but its lockout runs


def test_a_crosshair_on_the_newest_dot_is_read_through() -> None:
    from atm.sim.overlays import crosshair

    monitor = Monitor(CONFIG)
    monitor.observe(strip(SETUP), T0)
    dots = (SETUP + " light_green").split()
    candles = [Candle(485, 485.5, 484.5, 485.2)] * len(dots)
    image = render(Scene(LAYOUT, DARK, AXIS, candles, dots))
    crossed = crosshair(image, LAYOUT, DARK, AXIS, LAYOUT.bar_x(0), LAYOUT.dot_y)
    seen = monitor.observe(Frame(crossed, 0.0).crop(CONFIG.dot_roi), T0 + BAR)
    assert seen.detection.seen_through
    assert seen.step is not None and seen.step.fire == "BUY" and seen.step.sends


def test_fast_bars_under_a_slow_setting_still_fire_each_setup() -> None:
    """Bars every 2 s while the config says 3 minutes, and no lockout (the live chart test's
    settings): a second BUY four bars after the first is a FIRE, not the first seen again."""
    raw = corpus_config(LAYOUT, DARK, AXIS)
    raw["lockout"] = {"minutes": 0}
    monitor = Monitor(config_mod.from_dict(raw))
    colors = ["gray", "gray", "yellow", "gray", "gray", "gray", "yellow", "gray"]
    monitor.observe(strip(" ".join(colors)), T0)
    live = [
        "turquoise",
        "dark_green",
        "light_green",
        "gray",
        "turquoise",
        "dark_green",
        "light_green",
        "gray",
    ]
    sent = []
    for k, color in enumerate(live, start=1):
        colors.append(color)
        for t in (0.0, 0.5, 1.0, 1.5):
            seen = monitor.observe(strip(" ".join(colors)), T0 + 2 * k + t)
            if seen.step is not None and seen.step.sends:
                sent.append(k)
    assert sent == [3, 7]
