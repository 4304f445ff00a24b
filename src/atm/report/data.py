"""Everything a report reads from the workspace: journal, signals, labelled samples, days."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from atm.colors import DOT_COLORS
from atm.corpus import labelled_charts, load_labels
from atm.errors import InputError
from atm.journal import signals as signals_mod
from atm.journal import store
from atm.journal.record import Trade
from atm.journal.signals import Signal
from atm.report.period import Period
from atm.workspace import Workspace

#: A sample's name: its time, its chart when there are several, the colour read.
_SAMPLE = re.compile(rf"^(\d{{8}}_\d{{6}})_(?:.+_)?({'|'.join(DOT_COLORS)})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(slots=True)
class ReportData:
    """The inputs of one report. `signals` fall in the period; `history` is every signal up
    to its end (for the go/no-go figures); `trades` is the whole journal."""

    period: Period
    zone: str
    signals: list[Signal] = field(default_factory=list)
    history: list[Signal] = field(default_factory=list)
    trades: list[Trade] = field(default_factory=list)
    colour_pairs: list[tuple[str, str]] = field(default_factory=list)
    sessions: int = 0
    problems: list[str] = field(default_factory=list)


def gather(
    ws: Workspace, period: Period, zone: tzinfo, zone_name: str, journal: Path | None = None
) -> ReportData:
    """`journal` replaces the workspace's trades.jsonl (`--file`)."""
    path = journal or ws.journal
    ledger = store.read(path)
    history = [s for s in signals_mod.load(ws.logs, until=period.last_day) if s.ts < period.end]
    data = ReportData(period, zone_name)
    data.history = history
    data.signals = [s for s in history if period.contains(s.ts)]
    data.trades = ledger.trades
    data.problems = [p.describe(path) for p in ledger.problems]
    data.colour_pairs = _colour_pairs(ws.samples, period, zone, data.problems)
    data.sessions = _sessions(ws.logs, period.last_day)
    return data


def _colour_pairs(
    samples: Path, period: Period, zone: tzinfo, problems: list[str]
) -> list[tuple[str, str]]:
    """(colour the monitor read, labelled colour) for the labelled samples of the period."""
    if not samples.is_dir():
        return []
    try:
        labels = {
            n: v for c in labelled_charts(samples) for n, v in load_labels(samples, c).items()
        }
    except InputError as exc:
        problems.append(f"{exc}; precision per colour left out")
        return []
    pairs = []
    for name, label in sorted(labels.items()):
        match = _SAMPLE.match(Path(name).stem)
        if match is None or match.group(2) not in DOT_COLORS:
            continue
        try:
            when = datetime.strptime(match.group(1), "%Y%m%d_%H%M%S").replace(tzinfo=zone)
        except ValueError:
            continue
        if period.contains(when):
            pairs.append((match.group(2), label.color))
    return pairs


def _sessions(logs: Path, last: date) -> int:
    """Days the monitor ran (an audit file exists) up to `last`."""
    if not logs.is_dir():
        return 0
    count = 0
    for path in logs.glob("*.jsonl"):
        try:
            count += _DAY.match(path.stem) is not None and date.fromisoformat(path.stem) <= last
        except ValueError:
            continue  # a name like 2026-13-45
    return count
