"""`atm journal`: add, list, edit, signals, prompts — and bad input that loses nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from atm.cli import main
from atm.journal import store
from tests.journal.signal_log import write_signals

FIRES = [("2026-11-16 10:05:00", "BUY"), ("2026-11-16 11:41:30", "SELL")]
LEVELS = {0: (48390.0, 48520.0, 48600.0)}


def atm(home: Path, *args: str) -> int:
    return main(["--home", str(home), *args])


def lines(home: Path) -> list[str]:
    path = home / "trades.jsonl"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_add_for_a_signal_prints_the_id_and_takes_sl_from_phase_b(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    buy, _ = write_signals(home, FIRES, LEVELS)
    args = ["journal", "add", "--signal", buy.id[:6], "--taken", "--entry", "48420", "--exit",
            "48490", "--size", "2", "--entry-time", "10:05:40", "--exit-time", "10:40"]  # fmt: skip
    assert atm(home, *args) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f"t{buy.id}"
    record = store.read(home / "trades.jsonl").by_id()[first]
    assert record.sl == 48390.0 and record.tp1 == 48520.0  # from the levels alert
    assert record.instrument == "US30" and record.fees == 2.5  # from [journal]
    assert record.entry_time is not None and record.entry_time.isoformat() == (
        "2026-11-16T10:05:40-05:00"
    )  # typed in the exchange's zone


def test_last_picks_the_newest_signal_without_a_trade(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    buy, sell = write_signals(home, FIRES, LEVELS)
    assert atm(home, "journal", "add", "--last", "--skipped", "--reason", "news") == 0
    assert capsys.readouterr().out.splitlines()[0] == f"t{sell.id}"
    assert atm(home, "journal", "add", "--last", "--false-signal") == 0
    assert capsys.readouterr().out.splitlines()[0] == f"t{buy.id}"
    assert atm(home, "journal", "add", "--last", "--skipped") == 2
    assert "--last: every signal" in capsys.readouterr().err
    ledger = store.read(home / "trades.jsonl").by_id()
    assert ledger[f"t{sell.id}"].reason == "news"
    assert ledger[f"t{buy.id}"].false_signal


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (["--signal", "zzzzzz", "--taken", "--entry", "1", "--exit", "2", "--size", "1"],
         "--signal: no signal with id 'zzzzzz'"),
        (["--last", "--taken", "--entry", "48420", "--exit", "48490", "--size", "-1"],
         "--size: must be above 0, got -1"),
        (["--last", "--taken", "--entry", "48420", "--exit", "48490", "--size", "1",
          "--entry-time", "10:30", "--exit-time", "10:10"], "--exit-time: "),
        (["--last", "--taken", "--entry", "48420", "--size", "1"], "--exit: required with --taken"),
        (["--last", "--taken", "--entry", "abc", "--exit", "1", "--size", "1"],
         "--entry: expected a number, got 'abc'"),
        (["--last", "--taken", "--entry", "48000", "--exit", "48100", "--size", "1",
          "--sl", "48200"], "--sl: a BUY's stop-loss must be below"),
        (["--own", "--taken", "--entry", "1", "--exit", "2", "--size", "1"], "--own: needs"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_flag_and_loses_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], extra: list[str], flag: str
) -> None:
    write_signals(home, FIRES, LEVELS)
    assert atm(home, "journal", "add", "--signal", "", "--skipped") == 2  # too short an id
    assert atm(home, "journal", "add", "--last", "--skipped") == 0
    before = lines(home)
    capsys.readouterr()
    assert atm(home, "journal", "add", *extra) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flag in err and "Traceback" not in err
    assert lines(home) == before


def test_a_malformed_line_is_reported_and_nothing_is_lost(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    buy, sell = write_signals(home, FIRES, LEVELS)
    assert atm(home, "journal", "add", "--signal", buy.id, "--skipped") == 0
    with (home / "trades.jsonl").open("a", encoding="utf-8") as f:
        f.write("this is not json\n")
    assert atm(home, "journal", "add", "--signal", sell.id, "--skipped") == 0
    capsys.readouterr()
    assert atm(home, "journal", "list", "--json") == 0
    out, err = capsys.readouterr()
    assert [r["signal"] for r in json.loads(out)] == [buy.id, sell.id]
    assert "trades.jsonl:2: not a JSON line; line skipped" in err
    assert lines(home)[1] == "this is not json"  # kept as it was
    assert atm(home, "report", "--week", "2026-47", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["signals"]["skipped"] == 2
    assert report["problems"] == [f"{home / 'trades.jsonl'}:2: not a JSON line; line skipped"]


def test_completing_a_stub_and_refusing_a_second_trade(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    buy, _ = write_signals(home, FIRES, LEVELS)
    taken = ["--taken", "--entry", "48420", "--exit", "48490", "--size", "1"]
    assert atm(home, "journal", "add", "--signal", buy.id, *taken) == 0
    assert atm(home, "journal", "add", "--signal", buy.id, *taken) == 2
    assert f"already has record t{buy.id}" in capsys.readouterr().err
    assert atm(home, "journal", "edit", buy.id[:5], "--exit", "48500", "--tag", "A+") == 0
    record = store.read(home / "trades.jsonl").by_id()[f"t{buy.id}"]
    assert record.exit == 48500.0 and record.tags == ("A+",) and record.source == "cli"
    assert atm(home, "journal", "edit", f"t{buy.id}", "--exit-time", "09:00",
               "--entry-time", "10:06") == 2  # fmt: skip
    assert "--exit-time:" in capsys.readouterr().err


def test_signals_lists_levels_and_journal_state(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    buy, sell = write_signals(home, FIRES, LEVELS)
    assert atm(home, "journal", "add", "--signal", sell.id, "--false-signal") == 0
    capsys.readouterr()
    assert atm(home, "journal", "signals", "--week", "2026-47", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [buy.id, sell.id]
    assert rows[0]["levels"] == {"sl": 48390.0, "tp1": 48520.0, "tp2": 48600.0, "partial": False}
    assert rows[0]["trade"] is None and rows[1]["decision"] == f"t{sell.id} false signal"
    assert atm(home, "journal", "signals", "--week", "2026-48", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_prompts_need_only_entry_exit_and_size(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (buy,) = write_signals(home, [FIRES[0]], LEVELS)
    answers = "\n".join(["", "48420", "oops", "48490", "3", "", "", "10:05:50", "", "", ""])
    monkeypatch.setattr("sys.stdin", io.StringIO(answers + "\n"))
    assert atm(home, "journal") == 0
    out = capsys.readouterr().out
    assert f"Signal #{buy.id[:6]}: BUY DIA→US30 at 10:05:00" in out
    assert "--exit: expected a number, got 'oops'" in out  # asked again
    record = store.read(home / "trades.jsonl").by_id()[f"t{buy.id}"]
    assert (record.entry, record.exit, record.size, record.sl) == (48420, 48490, 3, 48390)
    assert record.source == "cli" and record.fees == 2.5


def test_prompts_interrupted_write_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_signals(home, FIRES, LEVELS)
    monkeypatch.setattr("sys.stdin", io.StringIO("taken\n48420\n"))  # then end of input
    assert atm(home, "journal") == 130
    assert "interrupted" in capsys.readouterr().err
    assert lines(home) == []
