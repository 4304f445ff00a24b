"""Trade statistics as pure functions over closed trades (P&L in money, R multiples).

Definitions (trades in time order; P&L includes fees; R = P&L / initial risk):

- win: P&L > 0; loss: P&L < 0; a trade at exactly 0 is neither, and ends a losing streak.
- win rate = wins / N.
- average R = mean of R over the trades that have one (a stop-loss was recorded).
- expectancy (R) = win rate × average winning R − loss rate × average losing R, over the
  trades with an R. It equals the average R; it is shown with its parts.
- profit factor = gross profit / gross loss (money); null while there is no loss.
- max drawdown = the largest fall of the cumulative curve (R, or money) from a previous
  peak, the curve starting at 0 before the first trade; a positive number.
- SQN = √N · mean R / standard deviation of R (sample, N − 1).
- longest losing streak = most losses in a row.

Every statistic carries its N and is None (null in JSON) below its minimum N, `MIN_N`:
one trade for what describes the trades seen, and 10 for SQN, whose standard deviation
over fewer trades is noise. None is never replaced by a made-up number.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

MIN_N: Final[dict[str, int]] = {
    "win_rate": 1,
    "avg_r": 1,
    "expectancy_r": 1,
    "profit_factor": 1,
    "pnl": 1,
    "max_drawdown_r": 1,
    "max_drawdown_money": 1,
    "longest_losing_streak": 1,
    "sqn": 10,
}


@dataclass(frozen=True, slots=True)
class Stat:
    value: float | None
    n: int

    def as_json(self) -> dict[str, float | int | None]:
        return {"value": self.value, "n": self.n}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one closed trade made: money (fees included) and R (None without a stop)."""

    pnl: float
    r: float | None


@dataclass(frozen=True, slots=True)
class TradeStats:
    trades: int
    wins: int
    losses: int
    win_rate: Stat
    avg_r: Stat
    avg_win_r: Stat
    avg_loss_r: Stat
    expectancy_r: Stat
    profit_factor: Stat
    pnl: Stat
    max_drawdown_r: Stat
    max_drawdown_money: Stat
    sqn: Stat
    longest_losing_streak: Stat


def _stat(name: str, n: int, value: float | None) -> Stat:
    return Stat(value if n >= MIN_N[name] else None, n)


def trade_stats(outcomes: Sequence[Outcome]) -> TradeStats:
    """Every statistic of `outcomes` (closed trades, oldest first)."""
    pnls = [o.pnl for o in outcomes]
    rs = [o.r for o in outcomes if o.r is not None]
    n, n_r = len(pnls), len(rs)
    wins = sum(p > 0 for p in pnls)
    losses = sum(p < 0 for p in pnls)
    win_r = [r for r in rs if r > 0]
    loss_r = [-r for r in rs if r < 0]
    return TradeStats(
        trades=n,
        wins=wins,
        losses=losses,
        win_rate=_stat("win_rate", n, wins / n if n else None),
        avg_r=_stat("avg_r", n_r, statistics.fmean(rs) if rs else None),
        avg_win_r=Stat(statistics.fmean(win_r) if win_r else None, len(win_r)),
        avg_loss_r=Stat(statistics.fmean(loss_r) if loss_r else None, len(loss_r)),
        expectancy_r=_stat("expectancy_r", n_r, expectancy(rs)),
        profit_factor=_stat("profit_factor", n, profit_factor(pnls)),
        pnl=_stat("pnl", n, math.fsum(pnls) if pnls else None),
        max_drawdown_r=_stat("max_drawdown_r", n_r, max_drawdown(rs) if rs else None),
        max_drawdown_money=_stat("max_drawdown_money", n, max_drawdown(pnls) if pnls else None),
        sqn=_stat("sqn", n_r, sqn(rs)),
        longest_losing_streak=_stat(
            "longest_losing_streak", n, float(losing_streak(pnls)) if pnls else None
        ),
    )


def expectancy(rs: Sequence[float]) -> float | None:
    if not rs:
        return None
    n = len(rs)
    wins = [r for r in rs if r > 0]
    losses = [-r for r in rs if r < 0]
    gain = len(wins) / n * statistics.fmean(wins) if wins else 0.0
    loss = len(losses) / n * statistics.fmean(losses) if losses else 0.0
    return gain - loss


def profit_factor(pnls: Sequence[float]) -> float | None:
    gross_loss = -math.fsum(p for p in pnls if p < 0)
    if gross_loss <= 0:
        return None  # no loss yet: infinite, which no one should read as a number
    return math.fsum(p for p in pnls if p > 0) / gross_loss


def cumulative(values: Sequence[float]) -> list[float]:
    """The curve after each trade, starting from 0 (so it has len(values) points)."""
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


def max_drawdown(values: Sequence[float]) -> float:
    peak = equity = 0.0
    worst = 0.0
    for v in values:
        equity += v
        peak = max(peak, equity)
        worst = max(worst, peak - equity)
    return worst


def sqn(rs: Sequence[float]) -> float | None:
    if len(rs) < 2:
        return None
    spread = statistics.stdev(rs)
    if spread == 0:
        return None  # every trade the same R: the ratio is undefined
    return math.sqrt(len(rs)) * statistics.fmean(rs) / spread


def losing_streak(pnls: Sequence[float]) -> int:
    longest = run = 0
    for p in pnls:
        run = run + 1 if p < 0 else 0
        longest = max(longest, run)
    return longest


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100), interpolating linearly between the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
