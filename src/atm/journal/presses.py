"""What a Taken / Skipped / False signal press means for the journal and the corpus.

- Taken: a journal stub — direction, symbol, signal time, SL/TP if Phase B has read them —
  to be completed with `atm journal` (entry, exit, size).
- Skipped: a skipped record.
- False signal: a skipped record with reason `false_signal`, and the FIRE frame copied to
  `samples/` and labelled "not a fire", so the next `atm dryrun samples` counts the FIRE
  the monitor made there as a false positive.

A press is idempotent: its record's id follows from the signal's, and pressing the same
button again changes nothing, so a press replayed after a crash adds no twin. Pressing
another button changes a press-made record; a record written with `atm journal` or an
import is the trader's word and a press never overwrites it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from atm.colors import DOT_COLORS
from atm.config.journal import SymbolJournal
from atm.corpus import NONE, Label, load_labels, save_labels
from atm.journal.choices import LABELS, Choice
from atm.journal.entry import for_signal
from atm.journal.record import FALSE_SIGNAL, Trade
from atm.journal.signals import Signal


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to write for a press: the record (None: nothing changes) and what to tell the
    trader in Telegram's answer."""

    trade: Trade | None
    answer: str


def decide(
    choice: Choice,
    signal: Signal,
    existing: Trade | None,
    settings: SymbolJournal,
    now: datetime,
) -> Verdict:
    """The record a press asks for, given what the journal already holds for the signal."""
    if existing is not None and existing.source != "telegram":
        return Verdict(None, f"already in the journal as {existing.id}; atm journal edit to change")
    trade = for_signal(signal, settings, now, "telegram")
    if choice != "taken":
        trade = replace(trade, decision="skipped", reason=FALSE_SIGNAL if choice == "false" else "")
    if existing is not None and _same(existing, trade):
        return Verdict(None, f"{LABELS[choice]}: already recorded")
    return Verdict(trade, f"{LABELS[choice]}: recorded as {trade.id}")


def _same(a: Trade, b: Trade) -> bool:
    return (a.decision, a.reason) == (b.decision, b.reason)


def sample_name(signal: Signal) -> str:
    """The name the runner gives a sample of that frame: `YYYYMMDD_HHMMSS_<colour>.png`
    (`YYYYMMDD_HHMMSS_<chart>_<colour>.png` with several charts)."""
    chart = f"{signal.chart}_" if signal.chart else ""
    return f"{signal.ts:%Y%m%d_%H%M%S}_{chart}{signal.color or 'unknown'}.png"


def label_not_fire(samples: Path, signal: Signal, on: bool) -> Path | None:
    """Put the FIRE frame in `samples/` labelled "not a fire" (`on`), or clear that mark.

    The frame is the raw one the runner kept beside the annotated screenshot; if the live
    run already saved it as a sample, that file is reused. Returns the sample's path, or
    None when there is no frame to label (the runner kept none).
    """
    name = sample_name(signal)
    target = samples / name
    labels = load_labels(samples, signal.chart) if samples.is_dir() else {}
    if not on:
        old = labels.get(name)
        if old is not None and old.not_fire:
            labels[name] = replace(old, not_fire=False)
            save_labels(samples, labels, signal.chart)
        return target if target.exists() else None
    if not target.exists():
        source = Path(signal.frame) if signal.frame else None
        if source is None or not source.is_file():
            return None
        samples.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    color = signal.color if signal.color in DOT_COLORS else NONE
    labels[name] = Label(color=color, not_fire=True)
    save_labels(samples, labels, signal.chart)
    return target
