"""Deterministic M2D sessions: a colour per bar with its ground-truth FIRE, and a price path.

A session is a chain of segments that each start and end with the state machine IDLE:
quiet stretches, setups that fire, cool, skip a phase, hit the wrong trigger, or flip
direction. Every setup is written for BUY and mirrored for SELL (SPEC §3), so the labels
follow from construction; tests check them against `atm.fsm.Machine`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from atm.colors import MIRROR, Color
from atm.sim.render import Candle, Levels
from atm.types import Direction

Beat = tuple[Color, Direction | None]  # one bar of a segment: colour, and the FIRE it makes

#: Bars between any two FIREs (4 × 3 min = 12 min): beyond the 4-minute lockout, and beyond
#: levels.timeout_min (10 min), so a FIRE never meets an earlier one's open Phase B.
MIN_FIRE_GAP: Final = 4
_IDLE_NOISE: Final[tuple[Color, ...]] = ("dark_green", "dark_red", "light_green", "light_red")


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: the colour of its dot, the FIRE it must raise, the segment it belongs to,
    and the SL/TP lines visible on the chart during it."""

    color: Color
    fire: Direction | None
    segment: str
    levels: Levels | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """Bars oldest first, one candle per bar; bar `i` starts `i * bar_seconds` after the first."""

    bars: tuple[Bar, ...]
    candles: tuple[Candle, ...]
    bar_seconds: float = 180.0
    seed: int = 0

    @property
    def colors(self) -> tuple[Color, ...]:
        return tuple(b.color for b in self.bars)

    def fires(self) -> list[tuple[int, Direction]]:
        """(bar index, direction) of every ground-truth FIRE."""
        return [(i, b.fire) for i, b in enumerate(self.bars) if b.fire is not None]

    def price_range(self) -> tuple[float, float]:
        """Lowest and highest price the chart must show: candles and every level line."""
        prices = [p for c in self.candles for p in (c.low, c.high)]
        for bar in self.bars:
            if bar.levels is not None:
                levels = (bar.levels.sl, bar.levels.tp1, bar.levels.tp2)
                prices += [p for p in levels if p is not None]
        return min(prices), max(prices)


def generate(
    bars: int,
    seed: int,
    *,
    bar_seconds: float = 180.0,
    base_price: float | None = None,
    trade_ratio: float = 0.7,
) -> Session:
    """A session of `bars` bars, identical for identical arguments.

    At 40 bars or more it holds at least one BUY and one SELL FIRE. `trade_ratio` is the
    share of FIREs after which SL/TP lines appear (the trader took the trade).
    """
    if bars < 1:
        raise ValueError(f"a session needs at least one bar, got {bars}")
    rng = random.Random(seed)
    beats = _compose(bars, rng)
    base = rng.uniform(480.0, 490.0) if base_price is None else base_price
    candles = _price_path(beats, base, rng)
    out = [Bar(color, fire, segment) for (color, fire), segment in beats]
    out = _with_levels(out, candles, rng, trade_ratio)
    return Session(bars=tuple(out), candles=tuple(candles), bar_seconds=bar_seconds, seed=seed)


# --- colours ------------------------------------------------------------------------


def _compose(bars: int, rng: random.Random) -> list[tuple[Beat, str]]:
    """Segments until `bars` are filled; the first two setups fire BUY and SELL in random order."""
    out: list[tuple[Beat, str]] = [(b, "quiet") for b in _quiet(rng, 1, 3)]
    first: list[Direction] = rng.sample(["BUY", "SELL"], 2)
    last_fire = -MIN_FIRE_GAP
    setups = 0
    while len(out) < bars:
        name, direction, beats = _pick_setup(rng, first[setups] if setups < 2 else None)
        setups += 1
        fire_at = next((k for k, (_, fire) in enumerate(beats) if fire), None)
        if fire_at is not None:
            # idle gray until the gap to the previous FIRE is long enough
            pad = max(0, last_fire + MIN_FIRE_GAP - len(out) - fire_at)
            out += [(("gray", None), "quiet")] * pad
            last_fire = len(out) + fire_at
        out += [(b, _label(name, direction)) for b in beats]
        out += [(b, "quiet") for b in _quiet(rng, 1, 4)]
    return out[:bars]


def _pick_setup(rng: random.Random, forced: Direction | None) -> tuple[str, Direction, list[Beat]]:
    """A forced FIRE in a compact form (so 40 bars always hold both), or a random setup."""
    if forced is not None:
        return "fire", forced, _fire(rng, forced, False)
    names = list(_SETUPS)
    name = rng.choices(names, weights=[_SETUPS[n][0] for n in names])[0]
    direction: Direction = rng.choice(["BUY", "SELL"])
    return name, direction, _SETUPS[name][1](rng, direction, True)


def _label(name: str, direction: Direction) -> str:
    """`fire_buy`, `cool_sell`, …; a flip names both sides: `flip_buy_sell`."""
    if name == "flip":
        return "flip_buy_sell" if direction == "BUY" else "flip_sell_buy"
    return f"{name}_{direction.lower()}"


def _side(color: Color, direction: Direction) -> Color:
    """A BUY-side colour as seen from `direction` (SELL mirrors turquoise↔yellow, …)."""
    return color if direction == "BUY" else MIRROR[color]


def _beats(colors: list[Color], direction: Direction) -> list[Beat]:
    return [(_side(c, direction), None) for c in colors]


def _quiet(rng: random.Random, lo: int, hi: int) -> list[Beat]:
    """Gray with the odd stray colour: noise to an IDLE machine, never an arming colour."""
    colors: list[Color] = []
    for _ in range(rng.randint(lo, hi)):
        colors.append(rng.choice(_IDLE_NOISE) if rng.random() < 0.2 else "gray")
    return [(c, None) for c in colors]


def _arming(rng: random.Random, direction: Direction, rich: bool) -> list[Beat]:
    """IDLE → ARMED: the arming colour, maybe repeated, gray allowed, a stray opposite phase-2."""
    colors: list[Color] = ["turquoise"] * rng.randint(1, 2)
    colors += ["gray"] * rng.randint(0, 2 if rich else 1)
    if rich and rng.random() < 0.2:
        colors.append("dark_red")  # ARMED_BUY ignores it: minority noise
    return _beats(colors, direction)


def _priming(rng: random.Random, direction: Direction, rich: bool) -> list[Beat]:
    """ARMED → PRIMED: phase-2 dots, maybe a stray opposite one, maybe a fresh rearm."""
    colors: list[Color] = ["dark_green"] * rng.randint(1, 2 if rich else 1)
    if rich and rng.random() < 0.2:
        colors += ["dark_red", "dark_green"]
    if rich and rng.random() < 0.15:
        colors += ["turquoise", "dark_green"]  # PRIMED → ARMED (rearm) → PRIMED again
    return _beats(colors, direction)


def _fire(rng: random.Random, direction: Direction, rich: bool) -> list[Beat]:
    """A setup that fires, then the indicator's usual after-image: more trigger-colour and
    phase-2 dots, which an IDLE machine must not act on."""
    trigger: list[Beat] = [(_side("light_green", direction), direction)]
    tail: list[Color] = ["light_green"] * rng.randint(0, 2)
    if rng.random() < 0.3:
        tail.append("dark_green")
    prefix = _arming(rng, direction, rich) + _priming(rng, direction, rich)
    return prefix + trigger + _beats(tail, direction)


def _cool(rng: random.Random, direction: Direction, rich: bool) -> list[Beat]:
    return (
        _arming(rng, direction, rich) + _priming(rng, direction, rich) + _beats(["gray"], direction)
    )


def _skip(rng: random.Random, direction: Direction, rich: bool) -> list[Beat]:
    """Arming colour straight to a trigger colour: phase skip, no FIRE."""
    trigger: Color = "light_green" if rng.random() < 0.8 else "light_red"
    return _arming(rng, direction, rich) + _beats([trigger], direction)


def _wrong_trigger(rng: random.Random, direction: Direction, rich: bool) -> list[Beat]:
    return (
        _arming(rng, direction, rich)
        + _priming(rng, direction, rich)
        + _beats(["light_red"], direction)
    )


def _flip(rng: random.Random, direction: Direction, rich: bool) -> list[Beat]:
    """Armed (or primed) one way, then the other side's arming colour: that side fires."""
    other: Direction = "SELL" if direction == "BUY" else "BUY"
    start = _arming(rng, direction, rich)
    if rng.random() < 0.5:
        start += _priming(rng, direction, rich)
    return start + _fire(rng, other, rich)


_Builder = Callable[[random.Random, Direction, bool], list[Beat]]
_SETUPS: Final[dict[str, tuple[float, _Builder]]] = {
    "fire": (0.4, _fire),
    "cool": (0.2, _cool),
    "skip": (0.15, _skip),
    "wrong_trigger": (0.1, _wrong_trigger),
    "flip": (0.15, _flip),
}


# --- prices -------------------------------------------------------------------------


def _price_path(beats: list[tuple[Beat, str]], base: float, rng: random.Random) -> list[Candle]:
    """A mean-reverting random walk of 3-minute DIA bars (typical range 5-30 cents) that
    leans the way of each FIRE for a few bars, as the indicator would have foreseen."""
    candles: list[Candle] = []
    price, lean, lean_left = base, 0.0, 0
    for (_, fire), _segment in beats:
        if fire is not None:
            lean, lean_left = (0.04 if fire == "BUY" else -0.04), rng.randint(3, 8)
        drift = 0.03 * (base - price) + (lean if lean_left > 0 else 0.0)
        lean_left -= 1
        close = price + rng.gauss(drift, 0.08)
        high = max(price, close) + abs(rng.gauss(0, 0.04))
        low = min(price, close) - abs(rng.gauss(0, 0.04))
        candles.append(Candle(*(round(p, 2) for p in (price, high, low, close))))
        price = round(close, 2)
    return candles


def _with_levels(
    bars: list[Bar], candles: list[Candle], rng: random.Random, trade_ratio: float
) -> list[Bar]:
    """SL/TP lines after a share of FIREs, from the next bar until the trade ends, and
    always gone before the next FIRE (a stale line would pass for the new trade's)."""
    fires = [i for i, b in enumerate(bars) if b.fire is not None]
    out = list(bars)
    for k, i in enumerate(fires):
        if rng.random() >= trade_ratio:
            continue
        sign = 1.0 if bars[i].fire == "BUY" else -1.0
        entry = candles[i].close
        tp1 = entry + sign * rng.uniform(0.2, 0.45)
        levels = Levels(
            sl=round(entry - sign * rng.uniform(0.4, 0.7), 2),
            tp1=round(tp1, 2),
            tp2=round(tp1 + sign * rng.uniform(0.3, 0.6), 2) if rng.random() < 0.85 else None,
        )
        end = min(i + rng.randint(3, 8), fires[k + 1] - 1 if k + 1 < len(fires) else len(bars) - 1)
        for j in range(i + 1, end + 1):
            out[j] = replace(out[j], levels=levels)
    return out
