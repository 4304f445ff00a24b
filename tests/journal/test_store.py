"""trades.jsonl: schema-versioned records, validated on write and read, append-only."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from atm.journal import store
from atm.journal.record import RecordError, Trade, from_json, to_json

T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def trade(**changes: object) -> Trade:
    base = Trade(
        id="tabc123",
        decision="taken",
        symbol="DIA→US30",
        instrument="US30",
        recorded=T0,
        direction="BUY",
        signal="k3q7ma2dxp",
        signal_time=T0,
        entry=44000.0,
        exit=44100.0,
        size=2.0,
        sl=43950.0,
        entry_time=T0 + timedelta(seconds=40),
        exit_time=T0 + timedelta(minutes=30),
        fees=5.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_record_survives_the_round_trip_with_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "trades.jsonl"
    store.append(path, trade())
    line = json.loads(path.read_text(encoding="utf-8"))
    assert line["schema"] == 1 and line["signal"] == "k3q7ma2dxp"
    assert store.read(path).trades == [trade()]


def test_an_edit_is_a_new_version_and_the_newest_wins(tmp_path: Path) -> None:
    path = tmp_path / "trades.jsonl"
    store.append(path, trade())
    store.append(path, trade(id="tother1", signal="zzzzzzzzzz"))
    store.append(path, trade(exit=44200.0))
    ledger = store.read(path)
    assert [t.id for t in ledger.trades] == ["tabc123", "tother1"]  # first-seen order
    assert ledger.by_id()["tabc123"].exit == 44200.0
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3  # nothing rewritten


def test_malformed_lines_are_reported_with_their_number_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "trades.jsonl"
    store.append(path, trade())
    good = path.read_text(encoding="utf-8")
    bad_size = json.dumps({**to_json(trade(id="tbad")), "size": -1})
    path.write_text(good + "{not json\n" + bad_size + "\n" + good.replace("tabc123", "tnext"))
    ledger = store.read(path)
    assert [t.id for t in ledger.trades] == ["tabc123", "tnext"]
    assert [(p.line, p.message) for p in ledger.problems] == [
        (2, "not a JSON line"),
        (3, "size: must be above 0, got -1"),
    ]
    assert ledger.problems[0].describe(path) == f"{path}:2: not a JSON line; line skipped"


def test_an_append_after_a_torn_line_never_merges_with_it(tmp_path: Path) -> None:
    path = tmp_path / "trades.jsonl"
    store.append(path, trade())
    with path.open("a", encoding="utf-8") as f:
        f.write('{"schema": 1, "id": "tcut"')  # a crash mid-write
    store.append(path, trade(id="tafter"))
    ledger = store.read(path)
    assert [t.id for t in ledger.trades] == ["tabc123", "tafter"]
    assert [p.line for p in ledger.problems] == [2]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"size": -1.0}, "size", "must be above 0"),
        ({"exit_time": T0}, "exit_time", "is before the entry"),
        ({"sl": 44010.0}, "sl", "stop-loss must be below its entry"),
        ({"sl": 44000.0}, "sl", "no risk"),
        ({"direction": None}, "direction", "needs BUY or SELL"),
        ({"fees": -1.0}, "fees", "0 or more"),
        ({"decision": "skipped"}, "entry", "a skipped signal has no entry"),
        ({"entry": None}, "exit", "needs an entry"),
    ],
)
def test_bad_records_are_refused_on_write_naming_the_field(
    tmp_path: Path, changes: dict[str, object], field: str, message: str
) -> None:
    path = tmp_path / "trades.jsonl"
    store.append(path, trade())
    with pytest.raises(RecordError, match=message) as caught:
        store.append(path, trade(id="tnew", **changes))
    assert caught.value.field == field
    assert store.read(path).trades == [trade()]  # what was there is untouched


def test_a_sell_stop_is_above_the_entry() -> None:
    sell = trade(direction="SELL", entry=44100.0, exit=44000.0, sl=44150.0)
    assert from_json(to_json(sell)) == sell
    with pytest.raises(RecordError, match="above its entry"):
        from_json(to_json(trade(direction="SELL", sl=43900.0)))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("schema", 2, "schema: expected 1"),
        ("colour", "red", "colour: unknown field"),
        ("entry", "44000", "entry: expected a number"),
        ("entry", float("nan"), "entry: expected a finite number"),
        ("entry_time", "2026-11-20 10:00", "has no UTC offset"),
        ("decision", "maybe", "decision: expected one of taken, skipped"),
    ],
)
def test_bad_lines_are_refused_on_read(key: str, value: object, message: str) -> None:
    raw = {**to_json(trade()), key: value}
    with pytest.raises(RecordError, match=message):
        from_json(raw)


def test_a_journal_that_is_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "trades.jsonl").mkdir()
    with pytest.raises(Exception, match="is a folder"):
        store.read(tmp_path / "trades.jsonl")
