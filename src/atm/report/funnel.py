"""What became of the signals, how fast and at what price they were taken, and whether
the detector's colours were right — pure functions over signals, records and labels.

- funnel: fired (signals sent) → acknowledged (a journal record exists for it) → taken /
  skipped / false (skipped with reason false_signal).
- entry delay: alert → entry, seconds, over taken trades with both times; p50 and p95
  (linear interpolation; p95 needs 20 delays, below that it is just the largest).
- slippage: entry against the traded instrument's price at the alert, in ticks, positive
  when the fill was worse; only where that price is known.
- precision per colour: of the labelled samples the monitor read as colour c (the colour
  in the sample's file name), the share whose label says c.
- false-FIRE rate: false / acknowledged (an unanswered signal says nothing either way).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from atm.journal.outcome import entry_delay_s, slippage_ticks
from atm.journal.record import Trade
from atm.journal.signals import Signal
from atm.report.stats import Stat, percentile

MIN_P95: Final = 20


@dataclass(frozen=True, slots=True)
class Funnel:
    fired: int = 0
    acknowledged: int = 0
    taken: int = 0
    skipped: int = 0
    false: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "fired": self.fired,
            "acknowledged": self.acknowledged,
            "taken": self.taken,
            "skipped": self.skipped,
            "false": self.false,
        }


@dataclass(frozen=True, slots=True)
class Spread:
    """A distribution summarised: p50, p95 (None below `MIN_P95`), mean, and its N."""

    p50: float | None
    p95: float | None
    mean: float | None
    n: int

    def as_json(self) -> dict[str, float | int | None]:
        return {"p50": self.p50, "p95": self.p95, "mean": self.mean, "n": self.n}


def funnel(signals: Sequence[Signal], records: dict[str, Trade]) -> Funnel:
    """`records` by signal id; only the records of `signals` count."""
    decided = [records[s.id] for s in signals if s.id in records]
    taken = sum(t.decision == "taken" for t in decided)
    false = sum(t.false_signal for t in decided)
    return Funnel(len(signals), len(decided), taken, len(decided) - taken - false, false)


def spread(values: Sequence[float]) -> Spread:
    n = len(values)
    return Spread(
        percentile(values, 50),
        percentile(values, 95) if n >= MIN_P95 else None,
        sum(values) / n if n else None,
        n,
    )


def entry_delays(trades: Iterable[Trade]) -> Spread:
    return spread([d for t in trades if (d := entry_delay_s(t)) is not None])


def slippage(trades: Iterable[Trade]) -> Spread:
    return spread([s for t in trades if (s := slippage_ticks(t)) is not None])


def colour_precision(pairs: Iterable[tuple[str, str]]) -> dict[str, Stat]:
    """(read colour, labelled colour) pairs → precision per read colour, with its N."""
    seen: dict[str, list[bool]] = {}
    for read, truth in pairs:
        seen.setdefault(read, []).append(read == truth)
    return {c: Stat(sum(hits) / len(hits), len(hits)) for c, hits in sorted(seen.items())}


def false_fire_rate(f: Funnel) -> Stat:
    return Stat(f.false / f.acknowledged if f.acknowledged else None, f.acknowledged)
