"""`atm report` on a year of use: the signals index, the journal, the figures, the page.

    python -m benchmarks.bench_report [--days N] [--quick]

Writes a synthetic workspace: DAYS audit files of a 6.5-hour session (a cycle line every
5 s, as the live loop writes them), 5 signals a day with their levels, and a journal of
3 taken trades, 1 skip and 1 false signal a day. Then times what `atm report` does: read
the audit for signals (every report reads all of it, for the go/no-go figures), read the
journal, compute a week's figures, and render that week's HTML page.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from atm.audit import AuditLog
from atm.journal import signals, store
from atm.journal.ids import signal_id
from atm.journal.record import FALSE_SIGNAL, Trade
from atm.journal.signals import signal_event
from atm.report.build import build, to_json
from atm.report.data import gather
from atm.report.html import render
from atm.report.period import week
from atm.workspace import Workspace
from benchmarks._common import expect, machine, parser

START = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)  # a Monday, 09:30 New York
CYCLES = int(6.5 * 3600 / 5)
CYCLE = {"window_found": True, "roi_ok": True, "rightmost_dot_color": "gray",
         "confidence": 0.97, "state": "IDLE", "transition": None, "trigger": None,
         "locked": False, "notified": False, "reason": "noise"}  # fmt: skip


def write_workspace(home: Path, days: int) -> int:
    """The audit and journal of `days` weekdays; returns the number of audit lines."""
    ws, lines = Workspace(home), 0
    day = START
    for _ in range(days):
        while day.weekday() > 4:
            day += timedelta(days=1)
        audit = AuditLog(ws.logs)
        for i in range(CYCLES):
            audit.write(day.timestamp() + 5 * i, CYCLE)
        for n in range(5):
            ts = day.timestamp() + 3600 * (n + 1)
            lines += _signal_day(ws, audit, ts, n)
        audit.close()
        lines += CYCLES
        day += timedelta(days=1)
    return lines


def _signal_day(ws: Workspace, audit: AuditLog, ts: float, n: int) -> int:
    direction = "BUY" if n % 2 else "SELL"
    sid = signal_id("DIA→US30", direction, ts)
    audit.write(ts, signal_event(sid, direction, "DIA→US30", color="light_green"))  # type: ignore[arg-type]
    sl = 480.0 if direction == "BUY" else 490.0
    found = {"sl": sl, "tp1": 486.0, "tp2": 487.0, "axis": "ocr"}
    audit.write(ts + 120, {"event": "levels_full", "levels": found, "signal": sid})
    when = datetime.fromtimestamp(ts, UTC)
    base = Trade(id=f"t{sid}", decision="taken", symbol="DIA→US30", recorded=when,
                 direction=direction, signal=sid, signal_time=when)  # type: ignore[arg-type]  # fmt: skip
    if n < 3:
        move = 1.0 if n % 3 else -0.6
        exit_ = 485.0 + move if direction == "BUY" else 485.0 - move
        trade = replace(base, entry=485.0, exit=exit_, size=10.0, sl=sl,
                        entry_time=when + timedelta(seconds=40))  # fmt: skip
    else:
        trade = replace(base, decision="skipped", reason=FALSE_SIGNAL if n == 4 else "")
    store.append(ws.journal, trade)
    return 2


def timed(what: str, fn: object) -> object:
    t = time.perf_counter()
    out = fn()  # type: ignore[operator]
    print(f"{what}: {time.perf_counter() - t:.2f} s")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--days", type=int, default=250, help="sessions of audit and journal")
    args = cli.parse_args(argv)
    days = 3 if args.quick else args.days
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        lines = timed("write the workspace", lambda: write_workspace(home, days))
        size = sum(p.stat().st_size for p in (home / "logs").glob("*.jsonl")) / 1e6
        print(f"{days} audit days: {lines} lines, {size:.0f} MB; journal {days * 5} records")
        ws = Workspace(home)
        found = timed("signals index (all audit files)", lambda: signals.load(ws.logs))
        print(f"  {len(found)} signals")  # type: ignore[arg-type]
        expect(len(found) == days * 5, f"{len(found)} signals indexed of {days * 5} written")  # type: ignore[arg-type]
        timed("journal read", lambda: store.read(ws.journal))
        span = week("2026-10", UTC)
        data = timed("gather a week (index + journal + samples)",
                     lambda: gather(ws, span, UTC, "UTC"))  # fmt: skip
        report = timed("figures of the week", lambda: build(data))  # type: ignore[arg-type]
        timed("--json", lambda: to_json(report))  # type: ignore[arg-type]
        page = timed("--html (matplotlib charts)", lambda: render(report, UTC, home / "r.html"))  # type: ignore[arg-type]
        expect("<h2>Signals</h2>" in str(page), "the report page has no signals section")


if __name__ == "__main__":
    main()
