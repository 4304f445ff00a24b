"""The report's figures computed independently, the long way, from hand-written trades.

Nothing here calls atm: each figure is spelled out from its definition in the README.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Hand:
    """A trade as written by hand: side, prices, size, stop and fees (point value 1)."""

    side: str
    entry: float
    exit: float
    size: float
    sl: float
    fees: float

    @property
    def pnl(self) -> float:
        move = self.exit - self.entry if self.side == "BUY" else self.entry - self.exit
        return move * self.size - self.fees

    @property
    def r(self) -> float:
        return self.pnl / (abs(self.entry - self.sl) * self.size)


def figures(trades: list[Hand]) -> dict[str, float | int | None]:
    pnls = [t.pnl for t in trades]
    rs = [t.r for t in trades]
    n = len(trades)
    mean = sum(rs) / n
    spread = math.sqrt(sum((r - mean) ** 2 for r in rs) / (n - 1))
    gains = sum(p for p in pnls if p > 0)
    pains = -sum(p for p in pnls if p < 0)
    return {
        "trades": n,
        "wins": sum(1 for p in pnls if p > 0),
        "losses": sum(1 for p in pnls if p < 0),
        "win_rate": sum(1 for p in pnls if p > 0) / n,
        "avg_r": mean,
        "expectancy_r": mean,
        "profit_factor": gains / pains,
        "pnl": sum(pnls),
        "max_drawdown_r": _drawdown(rs),
        "max_drawdown_money": _drawdown(pnls),
        "sqn": math.sqrt(n) * mean / spread if n >= 10 else None,
        "longest_losing_streak": _streak(pnls),
    }


def _drawdown(values: list[float]) -> float:
    worst, peak, total = 0.0, 0.0, 0.0
    for v in values:
        total += v
        if total > peak:
            peak = total
        if peak - total > worst:
            worst = peak - total
    return worst


def _streak(pnls: list[float]) -> int:
    best = run = 0
    for p in pnls:
        if p < 0:
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best
