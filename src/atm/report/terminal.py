"""The report in the terminal (rich): funnel, statistics with their N, go/no-go."""

from __future__ import annotations

from typing import Final

from rich.console import Console
from rich.table import Table

from atm.report.build import Report
from atm.report.stats import Stat, TradeStats

#: Statistic → its label, in the order the tables show them.
STAT_LABELS: Final[dict[str, str]] = {
    "win_rate": "win rate",
    "avg_r": "average R",
    "avg_win_r": "average win (R)",
    "avg_loss_r": "average loss (R)",
    "expectancy_r": "expectancy (R)",
    "profit_factor": "profit factor",
    "pnl": "P&L (money, fees included)",
    "max_drawdown_r": "max drawdown (R)",
    "max_drawdown_money": "max drawdown (money)",
    "sqn": "SQN",
    "longest_losing_streak": "longest losing streak",
}
_FORMATS: Final = {
    "win_rate": ".1%", "pnl": "+,.2f", "avg_loss_r": ".2f", "max_drawdown_money": ",.2f",
    "max_drawdown_r": ".2f", "longest_losing_streak": ".0f", "profit_factor": ".2f",
    "sqn": ".2f",
}  # fmt: skip


def fmt_stat(name: str, stat: Stat) -> str:
    if stat.value is None:
        return "—"
    return format(stat.value, _FORMATS.get(name, "+.2f"))


def print_report(report: Report, console: Console) -> None:
    data = report.data
    console.print(f"[bold]ATM report {data.period.label}[/bold] ({data.zone or 'local time'})")
    for problem in data.problems:
        console.print(f"[yellow]warning: {problem}[/yellow]", markup=True, highlight=False)
    f = report.funnel
    console.print(
        f"Signals: fired {f.fired} → acknowledged {f.acknowledged} → taken {f.taken} / "
        f"skipped {f.skipped} / false {f.false}"
    )
    d, s = report.entry_delay, report.slippage
    console.print(
        f"Alert → entry: p50 {_n(d.p50)} s, p95 {_n(d.p95)} s (N={d.n}); "
        f"slippage: p50 {_n(s.p50)} ticks, p95 {_n(s.p95)} ticks (N={s.n})"
    )
    console.print(_stats(report.stats, f"Trades from signals ({report.open_trades} open)"))
    if report.own.trades:
        console.print(_stats(report.own, "Trades of your own (counted apart)"))
    if report.per_colour:
        table = Table("colour read", "precision", "N", title="Precision per colour")
        for colour, stat in report.per_colour.items():
            table.add_row(colour, fmt_stat("win_rate", stat), str(stat.n))
        console.print(table)
    _go(report, console)


def _stats(stats: TradeStats, title: str) -> Table:
    table = Table("statistic", "value", "N", title=title)
    table.add_row("trades (closed)", str(stats.trades), "")
    table.add_row("wins / losses", f"{stats.wins} / {stats.losses}", "")
    for name, label in STAT_LABELS.items():
        stat: Stat = getattr(stats, name)
        table.add_row(label, fmt_stat(name, stat), str(stat.n))
    return table


def _go(report: Report, console: Console) -> None:
    table = Table("bar", "figure (all time)", "met", title="Phase 2 go/no-go")
    for check in report.go.checks:
        met = {True: "yes", False: "no", None: "not enough data"}[check.passed]
        table.add_row(check.bar, check.figure, met)
    console.print(table)
    console.print(f"verdict: {report.go.verdict} (and docs/phase2-prop-firm-audit.md)")


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"
