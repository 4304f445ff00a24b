"""A hand-written week of trades, journaled through the real CLI (signals from the audit)."""

from __future__ import annotations

from pathlib import Path

from atm.cli import main
from tests.journal.signal_log import write_config, write_signals

# (New York time of the signal, side, entry, exit, size, sl, fees, entry delay s)
TAKEN = [
    ("2026-11-16 09:45:00", "BUY", 48400, 48460, 2, 48370, 2.5, 35),
    ("2026-11-16 10:30:00", "SELL", 48500, 48530, 1, 48520, 2.5, 50),
    ("2026-11-16 13:12:00", "BUY", 48300, 48280, 3, 48270, 4.0, 20),
    ("2026-11-17 09:50:00", "BUY", 48350, 48445, 1, 48320, 2.5, 70),
    ("2026-11-17 11:05:00", "SELL", 48600, 48540, 2, 48630, 2.5, 45),
    ("2026-11-17 14:40:00", "SELL", 48610, 48640, 1, 48640, 2.5, 25),
    ("2026-11-18 10:10:00", "BUY", 48200, 48170, 2, 48170, 2.5, 90),
    ("2026-11-18 15:20:00", "BUY", 48250, 48251, 1, 48225, 1.0, 15),
    ("2026-11-19 09:35:00", "SELL", 48700, 48610, 1, 48735, 2.5, 40),
    ("2026-11-19 12:00:00", "BUY", 48500, 48585, 2, 48470, 5.0, 60),
    ("2026-11-20 10:45:00", "SELL", 48800, 48780, 1, 48820, 2.5, 30),
]
SKIPPED = [("2026-11-18 12:30:00", "BUY"), ("2026-11-20 13:00:00", "SELL")]
FALSE = [("2026-11-19 14:15:00", "SELL")]


def journal_week(tmp_path: Path) -> Path:
    """A workspace holding TAKEN, SKIPPED and FALSE, and one trade of your own."""
    write_config(tmp_path)
    fires = [(t[0], t[1]) for t in TAKEN] + SKIPPED + FALSE
    signals = write_signals(tmp_path, fires, {})
    home = ["--home", str(tmp_path), "journal", "add"]
    for fired, (when, _, entry, exit_, size, sl, fees, delay) in zip(signals, TAKEN, strict=False):
        h, m, s = (int(x) for x in when[11:].split(":"))
        entry_at = f"{h:02d}:{m + (s + delay) // 60:02d}:{(s + delay) % 60:02d}"
        args = ["--signal", fired.id, "--taken", "--entry", str(entry), "--exit", str(exit_),
                "--size", str(size), "--sl", str(sl), "--fees", str(fees),
                "--entry-time", entry_at, "--exit-time", f"{h + 1:02d}:{m:02d}"]  # fmt: skip
        assert main([*home, *args]) == 0
    for fired in signals[len(TAKEN) : len(TAKEN) + len(SKIPPED)]:
        assert main([*home, "--signal", fired.id, "--skipped"]) == 0
    assert main([*home, "--signal", signals[-1].id, "--false-signal"]) == 0
    own = ["--own", "--symbol", "US30", "--direction", "BUY", "--taken", "--entry", "48100",
           "--exit", "48000", "--size", "1", "--entry-time", "2026-11-18 16:00"]  # fmt: skip
    assert main([*home, *own]) == 0
    return tmp_path
