"""The state machine against the seed's table, pair by pair, written out here by hand."""

from __future__ import annotations

import itertools

import pytest

from atm.colors import DOT_COLORS
from atm.fsm import STATES, Machine, Step, transition

# The seed plan's table (BUY side) and its mirror (SELL side), transcribed independently of
# atm.fsm so that a typo in one is caught by the other. Pairs absent here stay put (noise).
# fmt: off
SEED = {
    ("IDLE", "turquoise"): ("ARMED_BUY", "arm"),
    ("IDLE", "yellow"): ("ARMED_SELL", "arm"),
    ("IDLE", "dark_green"): ("IDLE", "noise"),
    ("IDLE", "dark_red"): ("IDLE", "noise"),
    ("IDLE", "light_green"): ("IDLE", "phase_skip"),
    ("IDLE", "light_red"): ("IDLE", "phase_skip"),
    ("IDLE", "gray"): ("IDLE", "noise"),
    ("ARMED_BUY", "gray"): ("ARMED_BUY", "persist"),
    ("ARMED_BUY", "turquoise"): ("ARMED_BUY", "refresh"),
    ("ARMED_BUY", "dark_green"): ("PRIMED_BUY", "prime"),
    ("ARMED_BUY", "yellow"): ("ARMED_SELL", "rearm_opposite"),
    ("ARMED_BUY", "dark_red"): ("ARMED_BUY", "ignore"),
    ("ARMED_BUY", "light_green"): ("IDLE", "phase_skip"),
    ("ARMED_BUY", "light_red"): ("IDLE", "phase_skip"),
    ("PRIMED_BUY", "dark_green"): ("PRIMED_BUY", "accumulate"),
    ("PRIMED_BUY", "dark_red"): ("PRIMED_BUY", "ignore"),
    ("PRIMED_BUY", "light_green"): ("IDLE", "fire"),
    ("PRIMED_BUY", "light_red"): ("IDLE", "wrong_trigger"),
    ("PRIMED_BUY", "gray"): ("IDLE", "cooled"),
    ("PRIMED_BUY", "turquoise"): ("ARMED_BUY", "rearm"),
    ("PRIMED_BUY", "yellow"): ("ARMED_SELL", "rearm_opposite"),
    ("ARMED_SELL", "gray"): ("ARMED_SELL", "persist"),
    ("ARMED_SELL", "yellow"): ("ARMED_SELL", "refresh"),
    ("ARMED_SELL", "dark_red"): ("PRIMED_SELL", "prime"),
    ("ARMED_SELL", "turquoise"): ("ARMED_BUY", "rearm_opposite"),
    ("ARMED_SELL", "dark_green"): ("ARMED_SELL", "ignore"),
    ("ARMED_SELL", "light_red"): ("IDLE", "phase_skip"),
    ("ARMED_SELL", "light_green"): ("IDLE", "phase_skip"),
    ("PRIMED_SELL", "dark_red"): ("PRIMED_SELL", "accumulate"),
    ("PRIMED_SELL", "dark_green"): ("PRIMED_SELL", "ignore"),
    ("PRIMED_SELL", "light_red"): ("IDLE", "fire"),
    ("PRIMED_SELL", "light_green"): ("IDLE", "wrong_trigger"),
    ("PRIMED_SELL", "gray"): ("IDLE", "cooled"),
    ("PRIMED_SELL", "yellow"): ("ARMED_SELL", "rearm"),
    ("PRIMED_SELL", "turquoise"): ("ARMED_BUY", "rearm_opposite"),
}
# fmt: on


@pytest.mark.parametrize(("state", "color"), list(itertools.product(STATES, DOT_COLORS)))
def test_every_state_colour_pair_matches_the_seed(state: str, color: str) -> None:
    assert transition(state, color) == SEED.get((state, color), (state, "noise"))  # type: ignore[arg-type]


def test_the_seed_table_covers_every_pair() -> None:
    assert len(SEED) == len(STATES) * len(DOT_COLORS)


def feed(machine: Machine, colors: str, start: float = 0.0, step: float = 180.0) -> list[Step]:
    return [machine.step(c, start + i * step) for i, c in enumerate(colors.split())]  # type: ignore[arg-type]


def test_clean_buy_fires_once() -> None:
    steps = feed(Machine(240), "gray turquoise gray dark_green dark_green light_green gray")
    assert [s.fire for s in steps if s.fire] == ["BUY"]
    assert steps[5].action == "fire" and steps[5].after == "IDLE" and not steps[5].locked


def test_clean_sell_fires_once() -> None:
    steps = feed(Machine(240), "yellow dark_red light_red")
    assert [(s.fire, s.locked) for s in steps if s.fire] == [("SELL", False)]


def test_cooling_after_phase_two_kills_the_signal() -> None:
    steps = feed(Machine(240), "turquoise dark_green gray light_green")
    assert steps[2].action == "cooled"
    assert not any(s.fire for s in steps)


def test_phase_skip_never_fires() -> None:
    steps = feed(Machine(240), "turquoise light_green yellow light_red")
    assert [s.action for s in steps] == ["arm", "phase_skip", "arm", "phase_skip"]


def test_direction_flip_fires_the_new_direction() -> None:
    steps = feed(Machine(240), "turquoise dark_green yellow dark_red light_red")
    assert [s.fire for s in steps if s.fire] == ["SELL"]


def test_lockout_blocks_the_same_direction_only() -> None:
    machine = Machine(lockout_s=240)
    feed(machine, "turquoise dark_green light_green", start=0, step=10)  # BUY at t=20
    again = feed(machine, "turquoise dark_green light_green", start=100, step=10)  # t=120
    assert again[-1].fire == "BUY" and again[-1].locked
    sell = feed(machine, "yellow dark_red light_red", start=130, step=10)
    assert sell[-1].fire == "SELL" and not sell[-1].locked
    late = feed(machine, "turquoise dark_green light_green", start=300, step=10)  # t=320
    assert late[-1].fire == "BUY" and not late[-1].locked


def test_locked_trigger_still_moves_the_machine() -> None:
    machine = Machine(lockout_s=240)
    feed(machine, "turquoise dark_green light_green", step=10)
    locked = feed(machine, "turquoise dark_green light_green", start=40, step=10)[-1]
    assert locked.locked and locked.after == "IDLE"
    assert machine.fires == 1


def test_since_marks_when_the_episode_armed() -> None:
    machine = Machine(240)
    feed(machine, "gray turquoise gray dark_green", start=1000, step=60)
    assert machine.state == "PRIMED_BUY" and machine.since == 1060
    machine.step("gray", 2000)
    assert machine.since is None


def test_a_fire_seen_again_on_its_bar_is_a_duplicate_whatever_the_lockout() -> None:
    """Issue 11: FIREs are idempotent by bar. A FIRE takes three bars, so a second one of
    the same side within a bar of the first is that bar seen again (after a scroll-back,
    a resync), even with no lockout configured."""
    machine = Machine(lockout_s=0, bar_s=180)
    feed(machine, "turquoise dark_green")
    first = machine.step("light_green", 1000.0)
    assert first.fire == "BUY" and first.sends
    feed(machine, "turquoise dark_green")
    again = machine.step("light_green", 1100.0)
    assert again.fire == "BUY" and again.duplicate and not again.sends
    feed(machine, "turquoise dark_green")
    later = machine.step("light_green", 1000.0 + 3 * 180)
    assert later.sends and not later.duplicate
    assert machine.fires == 2
