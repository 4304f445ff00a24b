"""Health episodes: each kind alerts once when it begins and once when it ends."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from atm.health import Health, HealthEvent, duration
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import generate
from atm.sim.theme import DARK
from atm.types import Image

T0 = datetime(2026, 3, 9, 21, 3, 5, tzinfo=UTC).timestamp()
BAR = 180.0


@pytest.fixture(scope="module")
def bars() -> list[Image]:
    """Twelve successive bars of a dark chart: one frame per bar, as the simulator draws."""
    layout = Layout.for_scale(1.0)
    session = generate(12, seed=5)
    axis = PriceAxis.fit(*session.price_range(), layout)
    return [
        render(Scene(layout, DARK, axis, session.candles[: i + 1], session.colors[: i + 1]))
        for i in range(12)
    ]


def _health() -> Health:
    return Health(BAR, zone="UTC")


def _seen(h: Health, ts: float, image: Image, confidence: float | None = 0.9) -> list[HealthEvent]:
    return h.observe(ts, capture_ok=True, window_found=True, image=image, confidence=confidence)


def _started(events: list[HealthEvent]) -> list[str]:
    return [e.kind for e in events if e.started]


def _ended(events: list[HealthEvent]) -> list[str]:
    return [e.kind for e in events if not e.started]


def test_a_healthy_session_raises_nothing(bars: list[Image]) -> None:
    h = _health()
    # a cycle every 5 s for 12 bars: the frame changes once per bar
    for k in range(int(12 * BAR / 5)):
        ts = T0 + 5 * k
        assert _seen(h, ts, bars[int(k * 5 // BAR)]) == []
    assert h.ok and h.active == frozenset()


def test_lost_sight_needs_three_low_cycles_in_a_row(bars: list[Image]) -> None:
    h = _health()
    frame = bars[0]
    lows = [_seen(h, T0 + i, frame, c) for i, c in enumerate([0.2, 0.3, 0.9, 0.1, 0.4])]
    assert all(e == [] for e in lows)
    third = _seen(h, T0 + 5, frame, 0.0)  # no dot found counts as low
    assert _started(third) == ["lost_sight"]
    assert third[0].text == "⚠️ Bot lost sight: 3 cycles below confidence 0.50 since 21:03:08"
    assert third[0].since == T0 + 3
    assert all(_seen(h, T0 + 6 + i, frame, 0.1) == [] for i in range(10))
    assert h.active == {"lost_sight"} and not h.ok
    assert _seen(h, T0 + 30, frame, None) == []  # detection skipped: no news either way
    back = _seen(h, T0 + 123, frame, 0.8)
    assert _ended(back) == ["lost_sight"] and back[0].text == "✅ Sight back after 2 min"
    assert h.ok


def test_cannot_find_chart_only_after_60_s(bars: list[Image]) -> None:
    h = _health()
    missing = [
        h.observe(T0 + 5 * i, capture_ok=False, window_found=False, image=None, confidence=None)
        for i in range(12)
    ]
    assert all(e == [] for e in missing)  # 0 … 55 s
    at_60 = h.observe(T0 + 60, capture_ok=False, window_found=False, image=None, confidence=None)
    assert _started(at_60) == ["no_chart"]  # and not capture_failed: one cause, one alert
    assert at_60[0].text == "⚠️ Cannot find chart window for 60 s" and at_60[0].since == T0
    more = h.observe(T0 + 65, capture_ok=False, window_found=False, image=None, confidence=None)
    assert more == []
    back = _seen(h, T0 + 200, bars[0])
    assert _ended(back) == ["no_chart"]
    assert back[0].text == "✅ Chart window found again after 3 min"


def test_capture_failed_alerts_on_the_second_failure_in_a_row(bars: list[Image]) -> None:
    h = _health()

    def fail(ts: float) -> list[HealthEvent]:
        return h.observe(
            ts, capture_ok=False, window_found=True, image=None, confidence=None, error="BitBlt"
        )

    assert fail(T0) == []
    assert _seen(h, T0 + 5, bars[0]) == []  # one glitch: nothing
    assert fail(T0 + 10) == []
    second = fail(T0 + 15)
    assert _started(second) == ["capture_failed"] and second[0].since == T0 + 10
    assert second[0].text == "⚠️ Capture failed: BitBlt"
    assert fail(T0 + 20) == []
    assert _ended(_seen(h, T0 + 55, bars[0])) == ["capture_failed"]


def test_black_frame_from_a_real_black_array(bars: list[Image]) -> None:
    h = _health()
    black = np.zeros((1080, 1920, 3), np.uint8)
    assert _seen(h, T0, bars[0]) == []
    assert _seen(h, T0 + 5, black, 0.0) == []
    events = _seen(h, T0 + 10, black, 0.0)
    # the chart is not "frozen" and the dot is not "lost": the screen is black
    assert _started(events) == ["black_frame"]
    assert events[0].text == "⚠️ Black frame — screen locked or RDP minimised?"
    for k in range(3, 200):  # ten minutes of black: still one alert
        assert _seen(h, T0 + 5 * k, black, 0.0) == []
    back = _seen(h, T0 + 1000, bars[1])
    assert _ended(back) == ["black_frame"] and back[0].text.startswith("✅ Screen visible again")


def test_nearly_black_noise_is_black_but_a_dark_chart_is_not(bars: list[Image]) -> None:
    h = _health()
    rng = np.random.default_rng(0)
    dim = np.clip(rng.normal(4, 0.8, (720, 1280, 3)), 0, 255).astype(np.uint8)
    _seen(h, T0, dim)
    assert _started(_seen(h, T0 + 1, dim)) == ["black_frame"]
    h2 = _health()
    _seen(h2, T0, bars[0])
    assert _seen(h2, T0 + 1, bars[0]) == []  # DARK's chart background is pure black


def test_frozen_only_after_a_bar_period_and_margin(bars: list[Image]) -> None:
    h = _health()
    for k in range(49):  # 0 … 240 s of the same frame: a bar plus a minute is allowed
        assert _seen(h, T0 + 5 * k, bars[0]) == []
    events = _seen(h, T0 + 245, bars[0])
    assert _started(events) == ["frozen_frame"] and events[0].since == T0
    assert events[0].text == "⚠️ Chart frozen: no change for 4 min"
    assert _seen(h, T0 + 400, bars[0]) == []
    moved = _seen(h, T0 + 420, bars[1])
    assert (
        _ended(moved) == ["frozen_frame"] and moved[0].text == "✅ Chart moving again after 7 min"
    )


def test_a_gap_restarts_the_frozen_timer(bars: list[Image]) -> None:
    h = _health()
    black = np.zeros_like(bars[0])
    _seen(h, T0, bars[0])
    for k in range(1, 60):  # five minutes locked
        _seen(h, T0 + 5 * k, black)
    # the same chart as before the lock: not frozen yet, it was not watched meanwhile
    assert _ended(_seen(h, T0 + 300, bars[0])) == ["black_frame"]
    assert _seen(h, T0 + 500, bars[0]) == []
    assert _started(_seen(h, T0 + 545, bars[0])) == ["frozen_frame"]


def test_no_message_says_signal(bars: list[Image]) -> None:
    h = _health()
    texts: list[str] = []
    for k in range(80):
        texts += [e.text for e in _seen(h, T0 + 5 * k, bars[0], 0.1)]
    texts += [e.text for e in _seen(h, T0 + 500, bars[1], 0.9)]
    assert len(texts) == 4 and not any("signal" in t.lower() for t in texts)


def test_duration_reads_like_a_person_would_say_it() -> None:
    assert [duration(s) for s in (0, 45.4, 60, 119, 120, 240, 7199, 7500)] == [
        "0 s",
        "45 s",
        "60 s",
        "119 s",
        "2 min",
        "4 min",
        "2 h 00 min",
        "2 h 05 min",
    ]


def test_rejects_a_nonpositive_bar_period() -> None:
    with pytest.raises(ValueError, match="bar_seconds"):
        Health(0)


def _hidden(h: Health, ts: float, image: Image, cause: str) -> list[HealthEvent]:
    return h.observe(
        ts, capture_ok=True, window_found=True, image=image, confidence=None, hidden=cause
    )


@pytest.mark.parametrize(
    ("cause", "words", "back"),
    [
        ("mouse", "The mouse is over the M2D strip", "✅ The M2D strip is clear again after"),
        ("window", "A window covers the M2D strip", "✅ The M2D strip is clear again after"),
        ("scrolled", "The chart is scrolled back — scroll to the live edge",
         "✅ The chart is back at the live edge after"),
        ("moved", "The M2D strip is not where it was", "✅ The M2D strip is back in place after"),
    ],
)  # fmt: skip
def test_what_hides_the_live_dot_is_named_once(
    bars: list[Image], cause: str, words: str, back: str
) -> None:
    h = _health()
    assert _hidden(h, T0, bars[0], cause) == [] and _hidden(h, T0 + 5, bars[1], cause) == []
    third = _hidden(h, T0 + 10, bars[2], cause)
    assert _started(third) == ["hidden"] and words in third[0].text
    assert "signal" not in third[0].text.lower()  # SPEC §6: only triggers say "signal"
    assert all(_hidden(h, T0 + 15 + 5 * i, bars[i % 12], "window") == [] for i in range(30))
    ended = _seen(h, T0 + 250, bars[3], 0.9)
    assert _ended(ended) == ["hidden"] and ended[0].text.startswith(back)
    assert "4 min" in ended[0].text


def test_a_frame_or_two_hidden_is_silent_and_not_lost_sight(bars: list[Image]) -> None:
    h = _health()
    for k in range(40):  # every third cycle a toast: never three in a row
        ts, frame = T0 + 5 * k, bars[k % 12]
        events = _hidden(h, ts, frame, "window") if k % 3 else _seen(h, ts, frame, 0.9)
        assert events == []
    # hidden cycles are not lost sight: two low cycles, one hidden, one low is no alert
    assert _seen(h, T0 + 300, bars[0], 0.1) == [] and _seen(h, T0 + 301, bars[1], 0.1) == []
    assert _hidden(h, T0 + 302, bars[2], "mouse") == []
    assert _seen(h, T0 + 303, bars[3], 0.1) == []
