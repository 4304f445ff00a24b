"""Helpers: a workspace config, and an audit log holding signals (the real audit writer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import tomli_w

from atm.audit import AuditLog
from atm.journal.ids import signal_id
from atm.journal.signals import signal_event

ZONE = "America/New_York"
NY = ZoneInfo(ZONE)
SYMBOL = "DIA→US30"
JOURNAL = {"symbols": {SYMBOL: {"instrument": "US30", "point_value": 1.0, "tick_size": 1.0,
                                "fee": 2.5}}}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fired:
    id: str
    ts: float
    direction: str


def write_config(home: Path, **extra: object) -> Path:
    configs = home / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    path = configs / "2026-11-20-0900.toml"
    data = {"schedule": {"timezone": ZONE}, "journal": JOURNAL, **extra}
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    (configs / "current.txt").write_text(path.name, encoding="utf-8")
    return path


def write_signals(
    home: Path, fires: list[tuple[str, str]], levels: dict[int, tuple[float, float, float]]
) -> list[Fired]:
    """`fires`: (local New York time "YYYY-MM-DD HH:MM:SS", direction); `levels` by index."""
    audit = AuditLog(home / "logs", ZONE)
    out = []
    for i, (when, direction) in enumerate(fires):
        ts = datetime.fromisoformat(when).replace(tzinfo=NY).timestamp()
        sid = signal_id(SYMBOL, direction, ts)
        colour = "light_green" if direction == "BUY" else "light_red"
        audit.write(ts, {"reason": "fire"})  # a cycle line around it, as in a real log
        audit.write(ts, signal_event(sid, direction, SYMBOL, color=colour, confidence=0.93))  # type: ignore[arg-type]
        if i in levels:
            sl, tp1, tp2 = levels[i]
            found = {"sl": sl, "tp1": tp1, "tp2": tp2, "axis": "ocr"}
            audit.write(ts + 60, {"event": "levels_full", "levels": found, "signal": sid})
        out.append(Fired(sid, ts, direction))
    audit.close()
    return out
