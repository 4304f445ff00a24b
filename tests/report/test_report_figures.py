"""`atm report --json` against figures computed by hand from the same hand-written trades."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from atm.cli import main
from tests.journal.signal_log import write_config, write_signals
from tests.report.expected import Hand, figures
from tests.report.week import TAKEN, journal_week


@pytest.fixture
def journaled(tmp_path: Path) -> Path:
    return journal_week(tmp_path)


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


def test_slippage_is_in_ticks_and_positive_when_the_fill_was_worse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path)  # US30: tick size 1
    fires = [("2026-11-16 09:45:00", "BUY"), ("2026-11-16 10:30:00", "SELL")]
    buy, sell = write_signals(tmp_path, fires, {})
    for fired, entry, alert in ((buy, 48420, 48410), (sell, 48500, 48505)):
        args = ["--home", str(tmp_path), "journal", "add", "--signal", fired.id, "--taken",
                "--entry", str(entry), "--exit", str(entry + 10), "--size", "1",
                "--alert-price", str(alert)]  # fmt: skip
        assert main(args) == 0
    capsys.readouterr()
    assert main(["--home", str(tmp_path), "report", "--week", "2026-47", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["slippage_ticks"] == {"p50": 7.5, "p95": None, "mean": 7.5, "n": 2}
