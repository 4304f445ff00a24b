"""Phase 2 go/no-go: the figures the seeds ask for before any automation, and the bar each
must clear. The prop firm's terms (docs/phase2-prop-firm-audit.md) decide the rest.

Bars, and why:
- 20 sessions watched: the seeds' "Faza 1 proven over 20+ sessions".
- 30 closed trades from signals: below that the expectancy's sign is mostly luck.
- expectancy above 0 R: the signals must make money when taken by hand first.
- false-FIRE rate at most 5 %: an automated entry cannot look at the screenshot.
- slippage measured on 20 trades: automation changes the fill; know today's first.

Any bar without enough data makes the verdict "insufficient data", never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from atm.report.funnel import Spread
from atm.report.stats import Stat

Verdict = Literal["insufficient data", "figures support phase 2", "figures do not support phase 2"]
MIN_SESSIONS: Final = 20
MIN_TRADES: Final = 30
MAX_FALSE_RATE: Final = 0.05
MIN_SLIPPAGE_N: Final = 20


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    bar: str
    figure: str
    passed: bool | None  # None: not enough data to say


@dataclass(frozen=True, slots=True)
class GoNoGo:
    sessions: int
    false_fire_rate: Stat
    slippage: Spread
    expectancy_r: Stat
    checks: tuple[Check, ...]

    @property
    def verdict(self) -> Verdict:
        if any(c.passed is None for c in self.checks):
            return "insufficient data"
        if all(c.passed for c in self.checks):
            return "figures support phase 2"
        return "figures do not support phase 2"

    def as_json(self) -> dict[str, object]:
        return {
            "sessions": self.sessions,
            "false_fire_rate": self.false_fire_rate.as_json(),
            "slippage_ticks": self.slippage.as_json(),
            "expectancy_r": self.expectancy_r.as_json(),
            "checks": [
                {"name": c.name, "bar": c.bar, "figure": c.figure, "passed": c.passed}
                for c in self.checks
            ],
            "verdict": self.verdict,
        }


def evaluate(sessions: int, false_rate: Stat, slip: Spread, expectancy: Stat) -> GoNoGo:
    """`expectancy` over signal trades and `false_rate` over acknowledged signals, all time."""
    enough = expectancy.n >= MIN_TRADES
    checks = (
        Check("sessions", f"≥ {MIN_SESSIONS} sessions watched", str(sessions),
              True if sessions >= MIN_SESSIONS else None),
        Check("expectancy", f"expectancy > 0 R over ≥ {MIN_TRADES} trades",
              _figure(expectancy.value, "R", expectancy.n),
              (expectancy.value or 0) > 0 if enough and expectancy.value is not None else None),
        Check("false_fire", f"false-FIRE rate ≤ {MAX_FALSE_RATE:.0%}",
              _figure(false_rate.value, "%", false_rate.n),
              None if false_rate.value is None else false_rate.value <= MAX_FALSE_RATE),
        Check("slippage", f"slippage measured on ≥ {MIN_SLIPPAGE_N} trades",
              _figure(slip.p50, "ticks (median)", slip.n),
              True if slip.n >= MIN_SLIPPAGE_N else None),
    )  # fmt: skip
    return GoNoGo(sessions, false_rate, slip, expectancy, checks)


def _figure(value: float | None, unit: str, n: int) -> str:
    if value is None:
        return f"— (N={n})"
    shown = f"{value:.1%}" if unit == "%" else f"{value:+.2f} {unit}"
    return f"{shown} (N={n})"
