"""`atm report --json` against figures computed by hand from the same hand-written trades."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from expected import Hand, figures
from signal_log import write_config, write_signals

from atm.cli import main

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


@pytest.fixture
def journaled(tmp_path: Path) -> Path:
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


def test_report_json_equals_the_hand_computation(
    journaled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--home", str(journaled), "report", "--week", "2026-47", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    want = figures([Hand(t[1], t[2], t[3], t[4], t[5], t[6]) for t in TAKEN])
    assert (got["trades"], got["wins"], got["losses"]) == (11, want["wins"], want["losses"])
    for key in ("win_rate", "avg_r", "expectancy_r", "profit_factor", "pnl", "max_drawdown_r",
                "max_drawdown_money", "longest_losing_streak"):  # fmt: skip
        assert got[key]["value"] == pytest.approx(want[key]), key
        assert got[key]["n"] == 11
    assert got["sqn"] == {"value": pytest.approx(want["sqn"]), "n": 11}
    assert got["signals"] == {"fired": 14, "acknowledged": 14, "taken": 11, "skipped": 2,
                              "false": 1}  # fmt: skip
    delays = sorted(t[7] for t in TAKEN)
    assert got["entry_delay_s"]["p50"] == pytest.approx(statistics.median(delays))
    assert got["entry_delay_s"]["p95"] is None and got["entry_delay_s"]["n"] == 11  # N < 20
    assert got["own_trades"]["trades"] == 1
    assert got["own_trades"]["pnl"]["value"] == pytest.approx(-102.5)  # US30 fee from [journal]
    assert got["own_trades"]["sqn"] == {"value": None, "n": 0}  # no stop: no R
    assert got["period"]["label"] == "2026-W47"
    assert got["period"]["from"] == "2026-11-16T00:00:00-05:00"


def test_too_few_trades_give_null_not_a_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path)
    (fired,) = write_signals(tmp_path, [("2026-11-16 09:45:00", "BUY")], {})
    args = ["--home", str(tmp_path), "journal", "add", "--signal", fired.id, "--taken",
            "--entry", "100", "--exit", "105", "--size", "1", "--sl", "99"]  # fmt: skip
    assert main(args) == 0
    capsys.readouterr()
    assert main(["--home", str(tmp_path), "report", "--week", "2026-47", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["sqn"] == {"value": None, "n": 1}
    assert got["profit_factor"] == {"value": None, "n": 1}  # no loss yet
    assert got["avg_r"]["value"] == pytest.approx((5 - 2.5) / 1)
    assert got["min_n"]["sqn"] == 10
    assert main(["--home", str(tmp_path), "report", "--week", "2026-48", "--json"]) == 0
    empty = json.loads(capsys.readouterr().out)
    assert empty["trades"] == 0 and empty["win_rate"] == {"value": None, "n": 0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-60"], "--week: 2026 has no ISO week 60"),
        (["--week", "next"], "--week: expected YYYY-WW"),
        (["--from", "2026-11-20", "--to", "2026-11-01"], "--to: 2026-11-01 is before"),
        (["--from", "20.11.2026"], "--from: expected a date YYYY-MM-DD"),
        (["--week", "2026-47", "--from", "2026-11-01"], "--week: give either"),
    ],
)
def test_bad_report_flags_exit_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["--home", str(tmp_path), "report", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
