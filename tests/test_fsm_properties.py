"""Properties of the state machine over random colour streams (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atm.colors import DOT_COLORS, MIRROR
from atm.fsm import Machine, Step

ARM = {"BUY": "turquoise", "SELL": "yellow"}
PRIME = {"BUY": "dark_green", "SELL": "dark_red"}

colors = st.lists(st.sampled_from(DOT_COLORS), max_size=300)
gaps = st.lists(st.integers(min_value=1, max_value=400), min_size=300, max_size=300)


def run(stream: list[str], gaps: list[int], lockout: float = 240) -> list[Step]:
    machine, ts, steps = Machine(lockout), 0.0, []
    for color, gap in zip(stream, gaps, strict=False):
        ts += gap
        steps.append(machine.step(color, ts))  # type: ignore[arg-type]
    return steps


@pytest.mark.slow
@settings(max_examples=300)
@given(colors, gaps)
def test_no_fire_without_arm_and_prime_since_the_last_fire(stream: list[str], g: list[int]) -> None:
    steps = run(stream, g)
    for i, step in enumerate(steps):
        if step.fire is None:
            continue
        d = step.fire
        before = steps[:i]
        last = max((j for j, s in enumerate(before) if s.fire == d), default=-1)
        since = before[last + 1 :]
        arm_at = max((j for j, s in enumerate(since) if s.color == ARM[d]), default=None)
        assert arm_at is not None, "fired without an arming dot"
        assert any(s.color == PRIME[d] for s in since[arm_at:]), "fired without priming"
        assert step.color == ("light_green" if d == "BUY" else "light_red")


@pytest.mark.slow
@settings(max_examples=300)
@given(colors, gaps)
def test_lockout_holds_per_direction_and_never_blocks_the_other(
    stream: list[str], g: list[int]
) -> None:
    steps = run(stream, g)
    last_sent: dict[str, float] = {}
    for step in steps:
        if step.fire is None:
            continue
        previous = last_sent.get(step.fire)
        expect_locked = previous is not None and step.ts - previous < 240
        assert step.locked == expect_locked
        if not step.locked:
            last_sent[step.fire] = step.ts


@pytest.mark.slow
@settings(max_examples=200)
@given(colors, gaps)
def test_sell_side_mirrors_buy_side(stream: list[str], g: list[int]) -> None:
    buy = run(stream, g)
    sell = run([MIRROR[c] for c in stream], g)  # type: ignore[index]
    flip = {"BUY": "SELL", "SELL": "BUY", None: None}
    assert [(s.action, flip[s.fire], s.locked) for s in buy] == [
        (s.action, s.fire, s.locked) for s in sell
    ]


@settings(max_examples=200)
@given(colors)
def test_repeating_a_colour_is_idempotent(stream: list[str]) -> None:
    """The loop reads the same dot many times per bar; a repeat must change nothing."""
    once = run(stream, [10] * len(stream), lockout=0)
    twice_stream = [c for c in stream for _ in (0, 1)]
    twice = run(twice_stream, [5] * len(twice_stream), lockout=0)
    assert [s.after for s in once] == [s.after for s in twice[1::2]]
    assert sum(1 for s in once if s.fire) == sum(1 for s in twice if s.fire)
