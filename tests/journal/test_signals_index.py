"""The signals index reads the audit as any JSON writer leaves it, torn lines and all."""

from __future__ import annotations

import json
from pathlib import Path

from atm.journal.signals import load


def test_events_are_found_whatever_the_separators_and_a_torn_line_is_skipped(
    tmp_path: Path,
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    signal = {"ts": "2026-11-20T21:12:03.000-05:00", "event": "signal", "signal": "abcd123456",
              "direction": "BUY", "symbol": "DIA→US30", "screenshot": "shot.png"}  # fmt: skip
    found_levels = {"sl": 484.35, "tp1": 485.2, "tp2": None}
    levels = {"ts": "2026-11-20T21:13:03.000-05:00", "event": "levels_partial",
              "levels": found_levels, "signal": "abcd123456"}  # fmt: skip
    lines = [
        json.dumps({"ts": "2026-11-20T21:12:00.000-05:00", "state": "PRIMED_BUY"}),
        json.dumps(signal, separators=(",", ":"), ensure_ascii=False),  # compact
        json.dumps({"event": "signals_are_not_this"}),
        json.dumps(levels),
        '{"ts": "2026-11-20T21:14:03.000-05:00", "event": "press", "signal": "abcd12',  # torn
    ]
    (logs / "2026-11-20.jsonl").write_text("\n".join(lines), encoding="utf-8")
    (found,) = load(logs)
    assert (found.id, found.direction, found.symbol) == ("abcd123456", "BUY", "DIA→US30")
    assert found.screenshot == str(logs / "fires" / "shot.png")
    assert found.levels is not None and (found.levels.sl, found.levels.partial) == (484.35, True)
    assert found.pressed is None
