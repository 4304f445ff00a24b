"""The M2D phased state machine: the seed's transition table as data, plus lockout.

`BUY_SIDE` is the seed plan's table ("State Machine Spec") row by row, so it can be read
against the seed; the SELL side is derived by `mirror`, never written twice. Every
(state, colour) pair is covered; `transition` is the pure lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from atm.colors import MIRROR, Color
from atm.types import Direction

State = Literal["IDLE", "ARMED_BUY", "PRIMED_BUY", "ARMED_SELL", "PRIMED_SELL"]
Action = Literal[
    "arm",  # IDLE → ARMED on the arming colour
    "refresh",  # arming colour again while ARMED
    "persist",  # gray while ARMED is fine before any phase-2 dot
    "prime",  # first phase-2 dot
    "accumulate",  # more phase-2 dots
    "ignore",  # the other side's phase-2 dot: minority noise
    "fire",  # trigger colour after phase 2
    "wrong_trigger",  # the other side's trigger colour while PRIMED
    "cooled",  # gray after phase 2: the signal died
    "rearm",  # arming colour while PRIMED starts over
    "rearm_opposite",  # the other side's arming colour flips direction
    "phase_skip",  # trigger colour without phase 2
    "noise",  # anything else: stay put
]

STATES: Final[tuple[State, ...]] = ("IDLE", "ARMED_BUY", "PRIMED_BUY", "ARMED_SELL", "PRIMED_SELL")

# fmt: off
#: (from, colour, to, action) for IDLE and the BUY side, as in the seed's table.
BUY_SIDE: Final[tuple[tuple[State, Color, State, Action], ...]] = (
    ("IDLE",       "turquoise",   "ARMED_BUY",  "arm"),
    ("IDLE",       "dark_green",  "IDLE",       "noise"),
    ("IDLE",       "light_green", "IDLE",       "phase_skip"),
    ("IDLE",       "gray",        "IDLE",       "noise"),
    ("ARMED_BUY",  "gray",        "ARMED_BUY",  "persist"),
    ("ARMED_BUY",  "turquoise",   "ARMED_BUY",  "refresh"),
    ("ARMED_BUY",  "dark_green",  "PRIMED_BUY", "prime"),
    ("ARMED_BUY",  "yellow",      "ARMED_SELL", "rearm_opposite"),
    ("ARMED_BUY",  "dark_red",    "ARMED_BUY",  "ignore"),
    ("ARMED_BUY",  "light_green", "IDLE",       "phase_skip"),
    ("ARMED_BUY",  "light_red",   "IDLE",       "phase_skip"),
    ("PRIMED_BUY", "dark_green",  "PRIMED_BUY", "accumulate"),
    ("PRIMED_BUY", "dark_red",    "PRIMED_BUY", "ignore"),
    ("PRIMED_BUY", "light_green", "IDLE",       "fire"),
    ("PRIMED_BUY", "light_red",   "IDLE",       "wrong_trigger"),
    ("PRIMED_BUY", "gray",        "IDLE",       "cooled"),
    ("PRIMED_BUY", "turquoise",   "ARMED_BUY",  "rearm"),
    ("PRIMED_BUY", "yellow",      "ARMED_SELL", "rearm_opposite"),
)
# fmt: on

_STATE_MIRROR: Final[dict[State, State]] = {
    "IDLE": "IDLE",
    "ARMED_BUY": "ARMED_SELL",
    "PRIMED_BUY": "PRIMED_SELL",
    "ARMED_SELL": "ARMED_BUY",
    "PRIMED_SELL": "PRIMED_BUY",
}


def mirror(
    rows: tuple[tuple[State, Color, State, Action], ...],
) -> tuple[tuple[State, Color, State, Action], ...]:
    """The SELL side of the BUY rows: turquoise↔yellow, dark_green↔dark_red, light_*, BUY↔SELL."""
    return tuple((_STATE_MIRROR[a], MIRROR[c], _STATE_MIRROR[b], act) for a, c, b, act in rows)


TABLE: Final[dict[tuple[State, Color], tuple[State, Action]]] = {
    (a, c): (b, act) for a, c, b, act in BUY_SIDE + mirror(BUY_SIDE)
}


#: Actions that (re)start the arming clock; the seed calls it "log/refresh arm_ts".
_ARM_ACTIONS: Final = frozenset({"arm", "refresh", "rearm", "rearm_opposite"})


def transition(state: State, color: Color) -> tuple[State, Action]:
    """Pure lookup; a pair the table does not list stays put as `noise`."""
    return TABLE.get((state, color), (state, "noise"))


def direction_of(state: State) -> Direction | None:
    return "BUY" if state.endswith("BUY") else "SELL" if state.endswith("SELL") else None


@dataclass(frozen=True, slots=True)
class Step:
    """One colour through the machine. `fire` is set on a trigger, even a locked one or a
    `duplicate` (the bar of a FIRE already made, seen again)."""

    ts: float
    before: State
    color: Color
    after: State
    action: Action
    fire: Direction | None = None
    locked: bool = False
    duplicate: bool = False

    @property
    def sends(self) -> bool:
        """A trigger to send: neither locked out nor a FIRE already made."""
        return self.fire is not None and not self.locked and not self.duplicate

    @property
    def changed(self) -> bool:
        return self.before != self.after


class Machine:
    """The table plus per-direction lockout and the bookkeeping alerts need.

    A trigger inside the lockout moves the machine as usual and is reported with
    `locked=True`; the lockout runs from the last *unlocked* FIRE of that direction.
    A trigger less than `bar_s` after the last one of its direction is the same bar seen
    again (a FIRE takes three bars: arm, prime, trigger) and is reported `duplicate`,
    whatever the lockout: FIREs are idempotent by bar.
    """

    def __init__(self, lockout_s: float, bar_s: float = 0.0) -> None:
        self.lockout_s = lockout_s
        self.bar_s = bar_s
        self.state: State = "IDLE"
        self.since: float | None = None  # when the current ARMED/PRIMED episode began
        self.last_fire: dict[Direction, float] = {}
        self.fires = 0

    def step(self, color: Color, ts: float) -> Step:
        before = self.state
        after, action = transition(before, color)
        fire = direction_of(before) if action == "fire" else None
        locked = fire is not None and self.is_locked(fire, ts)
        duplicate = fire is not None and not locked and self._same_bar(fire, ts)
        if fire is not None and not locked and not duplicate:
            self.last_fire[fire] = ts
            self.fires += 1
        if after == "IDLE":
            self.since = None
        elif action in _ARM_ACTIONS:
            self.since = ts
        self.state = after
        return Step(ts, before, color, after, action, fire, locked, duplicate)

    def is_locked(self, direction: Direction, ts: float) -> bool:
        last = self.last_fire.get(direction)
        return last is not None and ts - last < self.lockout_s

    def _same_bar(self, direction: Direction, ts: float) -> bool:
        last = self.last_fire.get(direction)
        return last is not None and abs(ts - last) < self.bar_s
