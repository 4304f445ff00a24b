"""The signals index: every FIRE that was sent, read back from the audit logs.

The runner writes one `signal` event per trigger it sends (id, direction, symbol, the
colour read, the annotated screenshot and the raw frame), Phase B adds `levels_full` /
`levels_partial` events carrying the signal id, and the Telegram poller adds `press`
events. This module reads them back; it never writes. Lines that are not JSON (a torn
last line, a disk error) are skipped: the audit is evidence, not a journal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from atm.types import Direction

#: Audit events this index reads; every other line is skipped before it is parsed.
SIGNAL, PRESS = "signal", "press"
LEVEL_EVENTS = ("levels_full", "levels_partial")
_EVENT = b'"event":'  # the key as any JSON writer puts it (a space after the colon or not)


@dataclass(frozen=True, slots=True)
class Levels:
    sl: float | None
    tp1: float | None
    tp2: float | None
    partial: bool

    def describe(self) -> str:
        parts = [f"{k}={v:g}" for k, v in (("SL", self.sl), ("TP1", self.tp1), ("TP2", self.tp2))
                 if v is not None]  # fmt: skip
        return " ".join(parts) + (" (partial)" if self.partial else "")


@dataclass(frozen=True, slots=True)
class Signal:
    """A FIRE that was sent: what the monitor saw, and what was done about it."""

    id: str
    ts: datetime
    direction: Direction
    symbol: str
    color: str | None = None
    screenshot: str | None = None
    frame: str | None = None
    price: float | None = None  # the chart's price at the alert, when a stage read it
    levels: Levels | None = None
    pressed: str | None = None  # the last Telegram button pressed for it
    chart: str = ""  # its chart's name under [[charts]]; "" with one chart


def signal_event(
    sid: str,
    direction: Direction,
    symbol: str,
    *,
    color: str | None = None,
    confidence: float | None = None,
    screenshot: str | None = None,
    frame: str | None = None,
    price: float | None = None,
) -> dict[str, Any]:
    """The audit record the runner writes when it sends a trigger (its `ts` is the
    frame's time, added by the audit log); `screenshot` and `frame` are file names in
    logs/fires."""
    record: dict[str, Any] = {"event": SIGNAL, "signal": sid, "direction": direction,
                              "symbol": symbol, "color": color, "confidence": confidence,
                              "screenshot": screenshot, "frame": frame}  # fmt: skip
    if price is not None:
        record["price"] = price
    return record


def load(logs: Path, since: date | None = None, until: date | None = None) -> list[Signal]:
    """Signals in the audit files of `logs/`, oldest first. `since`/`until` (local dates,
    inclusive) skip whole files; a day is padded so a zone change loses nothing."""
    found: dict[str, Signal] = {}
    for record in _events(_files(logs, since, until)):
        _apply(found, record, logs / "fires")
    return sorted(found.values(), key=lambda s: s.ts)


def _files(logs: Path, since: date | None, until: date | None) -> list[Path]:
    if not logs.is_dir():
        return []
    pad = timedelta(days=1)
    chosen = []
    for path in sorted(logs.glob("????-??-??.jsonl")):
        try:
            day = date.fromisoformat(path.stem)
        except ValueError:
            continue
        if (since and day < since - pad) or (until and day > until + pad):
            continue
        chosen.append(path)
    return chosen


def _events(paths: list[Path]) -> Iterator[dict[str, Any]]:
    """The records of the events this index reads. An audit day is ~5,000 cycle lines and a
    hundred events: jump from event to event (`bytes.find`) instead of splitting lines."""
    wanted = tuple(f'"{name}"'.encode() for name in (SIGNAL, PRESS, *LEVEL_EVENTS))
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for raw in _event_lines(data, wanted):
            try:
                record = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue  # a torn line: the audit is evidence, not a journal
            if isinstance(record, dict):
                yield record


def _event_lines(data: bytes, wanted: tuple[bytes, ...]) -> Iterator[bytes]:
    pos = 0
    while (at := data.find(_EVENT, pos)) >= 0:
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        value = at + len(_EVENT)
        while data[value : value + 1] == b" ":
            value += 1
        if data.startswith(wanted, value):
            yield data[data.rfind(b"\n", 0, at) + 1 : end]
        pos = end + 1


def _apply(found: dict[str, Signal], record: dict[str, Any], fires: Path) -> None:
    event, sid = record.get("event"), record.get("signal")
    if not isinstance(sid, str):
        return
    if event == SIGNAL:
        signal = _signal(sid, record, fires)
        if signal is not None:
            found[sid] = signal
    elif sid in found and event in LEVEL_EVENTS:
        levels = _levels(record.get("levels"), partial=event == "levels_partial")
        if levels is not None:
            found[sid] = replace(found[sid], levels=levels)
    elif sid in found and event == PRESS and isinstance(record.get("choice"), str):
        found[sid] = replace(found[sid], pressed=record["choice"])


def _signal(sid: str, record: dict[str, Any], fires: Path) -> Signal | None:
    try:
        ts = datetime.fromisoformat(str(record["ts"]))
    except (KeyError, ValueError):
        return None
    direction = record.get("direction")
    if direction not in ("BUY", "SELL") or ts.tzinfo is None:
        return None
    return Signal(
        id=sid,
        ts=ts,
        direction=direction,
        symbol=str(record.get("symbol") or ""),
        color=_text(record.get("color")),
        screenshot=_file(record.get("screenshot"), fires),
        frame=_file(record.get("frame"), fires),
        price=_price(record.get("price")),
        chart=str(record.get("chart") or ""),
    )


def _levels(raw: object, partial: bool) -> Levels | None:
    if not isinstance(raw, dict):
        return None
    return Levels(_price(raw.get("sl")), _price(raw.get("tp1")), _price(raw.get("tp2")), partial)


def _price(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value)


def _file(value: object, fires: Path) -> str | None:
    """A file the runner kept: a name in logs/fires (or, written by hand, a full path)."""
    name = _text(value)
    return None if name is None else str(fires / name)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
