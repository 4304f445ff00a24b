"""A report from its data: statistics, funnel, go/no-go, table rows — pure, no I/O.

`to_json` gives the object `atm report --json` prints. Trades linked to a signal are the
report's subject ("do these signals make money when I take them"); trades taken on your
own are counted apart under `own_trades`. A trade belongs to the period of its entry time
(else its signal's time, else when it was recorded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from statistics import fmean
from typing import Any

from atm.journal.outcome import pnl, r_multiple
from atm.journal.record import Trade
from atm.journal.signals import Signal
from atm.report import funnel as fun
from atm.report.data import ReportData
from atm.report.gonogo import GoNoGo, evaluate
from atm.report.stats import MIN_N, Outcome, Stat, TradeStats, cumulative, trade_stats


@dataclass(frozen=True, slots=True)
class Row:
    """One record of the period, as the tables show it."""

    trade: Trade
    pnl: float | None
    r: float | None
    signal: Signal | None


@dataclass(frozen=True, slots=True)
class Report:
    data: ReportData
    stats: TradeStats
    own: TradeStats
    open_trades: int
    funnel: fun.Funnel
    entry_delay: fun.Spread
    slippage: fun.Spread
    per_colour: dict[str, Stat]
    go: GoNoGo
    rows: tuple[Row, ...]

    @property
    def closed(self) -> list[Row]:
        """Closed trades linked to a signal, oldest first: the curve and histogram."""
        return [r for r in self.rows if r.pnl is not None and r.trade.signal is not None]

    @property
    def equity_r(self) -> list[float]:
        return cumulative([r.r for r in self.closed if r.r is not None])


def build(data: ReportData) -> Report:
    signals = {s.id: s for s in data.history}
    in_period = sorted((t for t in data.trades if data.period.contains(t.when)), key=_when)
    rows = tuple(Row(t, pnl(t), r_multiple(t), signals.get(t.signal or "")) for t in in_period)
    by_signal = {t.signal: t for t in data.trades if t.signal is not None}
    taken = [t for t in in_period if t.signal is not None and t.decision == "taken"]
    stats = trade_stats(_outcomes(r for r in rows if r.trade.signal is not None))
    all_time = [t for t in data.trades if t.signal is not None and t.when < data.period.end]
    history_stats = trade_stats(_outcomes(_row(t) for t in sorted(all_time, key=_when)))
    history_funnel = fun.funnel(data.history, by_signal)
    return Report(
        data=data,
        stats=stats,
        own=trade_stats(_outcomes(r for r in rows if r.trade.signal is None)),
        open_trades=sum(r.trade.decision == "taken" and r.pnl is None for r in rows),
        funnel=fun.funnel(data.signals, by_signal),
        entry_delay=fun.entry_delays(taken),
        slippage=fun.slippage(taken),
        per_colour=fun.colour_precision(data.colour_pairs),
        go=evaluate(
            data.sessions,
            fun.false_fire_rate(history_funnel),
            fun.slippage(t for t in all_time if t.decision == "taken"),
            history_stats.expectancy_r,
        ),
        rows=rows,
    )


def heat(rows: Iterable[Row], zone: tzinfo) -> dict[tuple[int, int], tuple[float, int]]:
    """Mean R and N by (weekday, hour) of entry in `zone`, over trades with both."""
    cells: dict[tuple[int, int], list[float]] = {}
    for row in rows:
        if row.r is not None and row.trade.entry_time is not None:
            when = row.trade.entry_time.astimezone(zone)
            cells.setdefault((when.weekday(), when.hour), []).append(row.r)
    return {key: (fmean(rs), len(rs)) for key, rs in cells.items()}


def _when(trade: Trade) -> datetime:
    return trade.when


def _row(trade: Trade) -> Row:
    return Row(trade, pnl(trade), r_multiple(trade), None)


def _outcomes(rows: Iterable[Row]) -> list[Outcome]:
    return [Outcome(r.pnl, r.r) for r in rows if r.pnl is not None]


def to_json(report: Report) -> dict[str, Any]:
    """The `--json` object: the issue's keys first, then what else the report shows."""
    s = report.stats
    return {
        "period": {
            "label": report.data.period.label,
            "from": report.data.period.start.isoformat(),
            "to": report.data.period.end.isoformat(),
            "timezone": report.data.zone or "local",
        },
        "trades": s.trades,
        "wins": s.wins,
        "losses": s.losses,
        **_stats_json(s),
        "signals": report.funnel.as_json(),
        "entry_delay_s": report.entry_delay.as_json(),
        "per_colour_precision": {c: v.as_json() for c, v in report.per_colour.items()},
        "slippage_ticks": report.slippage.as_json(),
        "open_trades": report.open_trades,
        "own_trades": _own_json(report.own),
        "go_no_go": report.go.as_json(),
        "min_n": dict(MIN_N),
        "problems": list(report.data.problems),
    }


_STAT_NAMES = (
    "win_rate", "avg_r", "avg_win_r", "avg_loss_r", "expectancy_r", "profit_factor", "pnl",
    "max_drawdown_r", "max_drawdown_money", "sqn", "longest_losing_streak",
)  # fmt: skip


def _stats_json(s: TradeStats) -> dict[str, Any]:
    return {name: getattr(s, name).as_json() for name in _STAT_NAMES}


def _own_json(s: TradeStats) -> dict[str, Any]:
    return {"trades": s.trades, "wins": s.wins, "losses": s.losses, **_stats_json(s)}
