"""The report as one self-contained HTML file: charts as inline SVG images, thumbnails as
inline PNGs, styles in the page. Nothing is fetched from a network; the only links are
to the full screenshots in the workspace, relative to the page."""

from __future__ import annotations

import base64
import io
import os
from datetime import tzinfo
from html import escape
from pathlib import Path

from atm.journal.ids import short
from atm.report import charts
from atm.report.build import Report, Row, heat
from atm.report.stats import MIN_N, Stat, TradeStats
from atm.report.terminal import STAT_LABELS, fmt_stat

_THUMB_WIDTH = 240

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:4px 8px}
th{background:#f3f5f8;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:flex;flex-wrap:wrap;gap:16px}.grid img{max-width:100%;border:1px solid #eee}
.muted{color:#777;font-size:12px}.win{color:#2e7d32}.loss{color:#c62828}
.verdict{font-weight:bold;padding:6px 10px;background:#fff8e1;display:inline-block}
img.thumb{width:160px;border:1px solid #ccc}
"""


def render(report: Report, zone: tzinfo, page: Path) -> str:
    """The whole page; `page` is where it will be written (links are relative to it)."""
    data = report.data
    sections = [
        f"<h1>ATM report — {escape(data.period.label)}</h1>",
        f"<p class=muted>{escape(data.period.start.isoformat())} to "
        f"{escape(data.period.end.isoformat())} ({escape(data.zone or 'local time')})</p>",
        _problems(data.problems),
        "<h2>Signals</h2>",
        _funnel(report),
        "<h2>Trades from signals</h2>",
        _charts(report, zone, _stats_table(report.stats, "stats")),
        "<h2>Trades</h2>",
        _trades(report.rows, zone, page),
        "<h2>Trades of your own (counted apart)</h2>",
        _stats_table(report.own, "own"),
        "<h2>Precision per colour (labelled samples)</h2>",
        _colours(report.per_colour),
        "<h2>Phase 2 go/no-go</h2>",
        _go(report),
        "<h2>Definitions</h2>",
        _definitions(),
    ]
    body = "\n".join(s for s in sections if s)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>ATM report {escape(data.period.label)}</title><style>{_STYLE}</style>"
        f"</head><body>\n{body}\n</body></html>\n"
    )


def _img(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def _funnel(report: Report) -> str:
    f = report.funnel
    stages = [("fired", f.fired), ("acknowledged", f.acknowledged), ("taken", f.taken),
              ("skipped", f.skipped), ("false", f.false)]  # fmt: skip
    rows = "".join(f"<tr><th>{n}</th><td class=num>{v}</td></tr>" for n, v in stages)
    delay, slip = report.entry_delay, report.slippage
    extra = (
        f"<tr><th>alert → entry p50 / p95 (s)</th><td class=num>{_n(delay.p50)} / "
        f"{_n(delay.p95)} (N={delay.n})</td></tr>"
        f"<tr><th>slippage p50 / p95 (ticks)</th><td class=num>{_n(slip.p50)} / "
        f"{_n(slip.p95)} (N={slip.n})</td></tr>"
    )
    table = f"<table id=funnel>{rows}{extra}</table>"
    return f"<div class=grid>{table}{_img(charts.funnel(stages), 'signal funnel')}</div>"


def _stats_table(stats: TradeStats, table_id: str) -> str:
    head = "<tr><th>statistic</th><th>value</th><th>N</th><th>min N</th></tr>"
    rows = [f"<tr><th>trades (closed)</th><td class=num>{stats.trades}</td><td></td><td></td></tr>",
            f"<tr><th>wins / losses</th><td class=num>{stats.wins} / {stats.losses}</td>"
            "<td></td><td></td></tr>"]  # fmt: skip
    for name, label in STAT_LABELS.items():
        stat: Stat = getattr(stats, name)
        rows.append(
            f"<tr><th>{escape(label)}</th><td class=num>{escape(fmt_stat(name, stat))}</td>"
            f"<td class=num>{stat.n}</td><td class=num>{MIN_N.get(name, 1)}</td></tr>"
        )
    return f"<table id={table_id}>{head}{''.join(rows)}</table>"


def _charts(report: Report, zone: tzinfo, table: str) -> str:
    closed = report.closed
    rs = [r.r for r in closed if r.r is not None]
    cells = heat(closed, zone)
    return (
        f"<div class=grid>{table}"
        + _img(charts.equity_curve(report.equity_r), "equity curve in R")
        + _img(charts.r_histogram(rs), "R histogram")
        + _img(charts.heatmap(cells, report.data.zone), "mean R by weekday and hour")
        + "</div>"
    )


def _trades(rows: tuple[Row, ...], zone: tzinfo, page: Path) -> str:
    head = ("<tr><th>screenshot</th><th>id</th><th>entry time</th><th>signal</th><th>side</th>"
            "<th>instrument</th><th>decision</th><th>entry</th><th>exit</th><th>size</th>"
            "<th>SL</th><th>P&amp;L</th><th>R</th><th>note</th></tr>")  # fmt: skip
    body = [_trade_row(row, zone, page) for row in rows]
    if not body:
        body = ["<tr><td colspan=14 class=muted>no records in this period</td></tr>"]
    return f"<table id=trades>{head}{''.join(body)}</table>"


def _trade_row(row: Row, zone: tzinfo, page: Path) -> str:
    t = row.trade
    css = {True: " class=win", False: " class=loss", None: ""}[None if not row.pnl else row.pnl > 0]
    decision = "false signal" if t.false_signal else t.decision + (
        " (open)" if t.decision == "taken" and not t.closed else "")  # fmt: skip
    when = t.when.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    cells = [
        _thumb(row, page), escape(t.id), when,
        f"#{escape(short(t.signal))}" if t.signal else "own", t.direction or "",
        escape(t.instrument or t.symbol), decision, _n(t.entry), _n(t.exit), _n(t.size),
        _n(t.sl), _n(row.pnl, "+.2f"), _n(row.r, "+.2f"), escape(t.note),
    ]  # fmt: skip
    return f"<tr{css}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _thumb(row: Row, page: Path) -> str:
    """A small inline copy of the signal's screenshot, linking to the full one."""
    shot = Path(row.signal.screenshot) if row.signal and row.signal.screenshot else None
    if shot is None or not shot.is_file():
        return ""
    try:
        from PIL import Image

        with Image.open(shot) as image:
            image.thumbnail((_THUMB_WIDTH, _THUMB_WIDTH))
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except OSError:
        return ""
    data = base64.b64encode(out.getvalue()).decode("ascii")
    href = Path(os.path.relpath(shot.resolve(), page.resolve().parent)).as_posix()
    return (f'<a href="{escape(href)}"><img class=thumb alt="signal screenshot" '
            f'src="data:image/png;base64,{data}"></a>')  # fmt: skip


def _colours(per_colour: dict[str, Stat]) -> str:
    if not per_colour:
        return "<p class=muted>no labelled samples in this period (atm label samples)</p>"
    rows = "".join(
        f"<tr><th>{escape(c)}</th><td class=num>{_n(s.value, '.1%')}</td>"
        f"<td class=num>{s.n}</td></tr>"
        for c, s in per_colour.items()
    )
    head = "<tr><th>colour read</th><th>precision</th><th>N</th></tr>"
    return f"<table id=colours>{head}{rows}</table>"


def _go(report: Report) -> str:
    go = report.go
    rows = "".join(
        f"<tr><th>{escape(c.bar)}</th><td>{escape(c.figure)}</td>"
        f"<td>{'yes' if c.passed else ('no' if c.passed is False else 'not enough data')}</td></tr>"
        for c in go.checks
    )
    return (
        f"<p class=verdict>{escape(go.verdict)}</p>"
        "<table id=gonogo><tr><th>bar</th><th>figure (all time)</th><th>met</th></tr>"
        f"{rows}</table>"
        "<p class=muted>Before any automation, the prop firm's terms must allow it: "
        "docs/phase2-prop-firm-audit.md.</p>"
    )


def _problems(problems: list[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{escape(p)}</li>" for p in problems)
    return f"<p class=loss>Lines skipped while reading:</p><ul>{items}</ul>"


def _definitions() -> str:
    return (
        "<ul class=muted>"
        "<li>R = P&amp;L / initial risk, both in money; risk = |entry − SL| × size × point value; "
        "P&amp;L includes fees.</li>"
        "<li>Expectancy (R) = win rate × average win (R) − loss rate × average loss (R).</li>"
        "<li>SQN = √N · mean R / standard deviation of R (sample); shown from N = "
        f"{MIN_N['sqn']}.</li>"
        "<li>Max drawdown: largest fall of the cumulative curve from an earlier peak.</li>"
        "<li>A statistic below its minimum N is shown as — (null), never as a guess.</li>"
        "</ul>"
    )


def _n(value: float | None, fmt: str = "g") -> str:
    return "—" if value is None else format(value, fmt)
