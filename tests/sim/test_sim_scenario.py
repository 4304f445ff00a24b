"""Simulated sessions: deterministic, realistic, and labelled exactly as the state machine fires."""

from __future__ import annotations

import itertools

import pytest

from atm.colors import DOT_COLORS
from atm.fsm import Machine
from atm.sim.scenario import MIN_FIRE_GAP, Session, generate
from atm.types import Direction

LOCKOUT_S = 4 * 60


def _machine_fires(session: Session) -> list[tuple[int, Direction]]:
    """FIREs the real state machine sends over the session's colours, one step per bar."""
    machine = Machine(LOCKOUT_S)
    fires = []
    for i, bar in enumerate(session.bars):
        step = machine.step(bar.color, i * session.bar_seconds)
        if step.fire is not None and not step.locked:
            fires.append((i, step.fire))
    return fires


def test_same_seed_same_session_other_seed_other_session() -> None:
    assert generate(120, seed=5) == generate(120, seed=5)
    assert generate(120, seed=5).colors != generate(120, seed=6).colors
    assert generate(120, seed=5).candles != generate(120, seed=6).candles


@pytest.mark.parametrize("bars", [1, 7, 40, 97, 300])
def test_ground_truth_agrees_with_the_state_machine(bars: int) -> None:
    for seed in range(150):
        session = generate(bars, seed)
        assert len(session.bars) == len(session.candles) == bars
        assert _machine_fires(session) == session.fires(), f"seed {seed}"


def test_no_labelled_fire_is_locked_out() -> None:
    """Every labelled FIRE is a real alert: the machine never reports it as locked."""
    for seed in range(100):
        session = generate(200, seed)
        machine = Machine(LOCKOUT_S)
        locked = [
            i
            for i, bar in enumerate(session.bars)
            if machine.step(bar.color, i * session.bar_seconds).locked
        ]
        assert locked == [], f"seed {seed}"
        at = [i for i, _ in session.fires()]
        assert all(b - a >= MIN_FIRE_GAP for a, b in itertools.pairwise(at))


@pytest.mark.parametrize("bars", [40, 41, 60])
def test_every_session_of_40_bars_fires_both_ways(bars: int) -> None:
    for seed in range(300):
        directions = {d for _, d in generate(bars, seed).fires()}
        assert directions == {"BUY", "SELL"}, f"seed {seed}"


def test_long_sessions_hold_every_kind_of_segment() -> None:
    session = generate(600, seed=11)
    kinds = {bar.segment.split("_")[0] for bar in session.bars}
    assert {"quiet", "fire", "cool", "skip", "wrong", "flip"} <= kinds
    assert set(session.colors) == set(DOT_COLORS)
    assert session.fires()[0][1] in ("BUY", "SELL")


def test_candles_are_a_plausible_three_minute_path() -> None:
    session = generate(300, seed=3)
    for prev, c in zip(session.candles, session.candles[1:], strict=False):
        assert c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high
        assert c.open == prev.close
        assert c.high - c.low < 1.5
    lo, hi = session.price_range()
    assert 470 < lo < hi < 500


def test_levels_follow_their_fire_and_are_gone_when_the_next_fires() -> None:
    """Lines only after a FIRE, on the right sides of the entry; never on a FIRE's own bar,
    where a stale line would pass for the new trade's."""
    for seed in range(40):
        session = generate(200, seed)
        fires = session.fires()
        assert all(session.bars[i].levels is None for i, _ in fires)
        assert all(bar.levels is None for bar in session.bars[: fires[0][0] + 1])
        for k, (i, direction) in enumerate(fires):
            nxt = fires[k + 1][0] if k + 1 < len(fires) else len(session.bars)
            for bar in session.bars[i + 1 : nxt]:
                if bar.levels is None:
                    continue
                levels, entry = bar.levels, session.candles[i].close
                assert levels.sl is not None and levels.tp1 is not None
                if direction == "BUY":
                    assert levels.sl < entry < levels.tp1
                else:
                    assert levels.sl > entry > levels.tp1


def test_bad_bar_count_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one bar"):
        generate(0, seed=1)
