"""`atm journal import`: TradeStation order lists and mapped CSVs, duplicates, signal links."""

from __future__ import annotations

from pathlib import Path

import pytest

from atm.cli import main
from atm.journal import store
from tests.journal.signal_log import write_signals

# A TradeManager Orders tab saved as text: tab-separated, US dates, a cancelled order, a
# scale-in, a reversal in one order (long 1 → short 1) and a commission column.
TRADESTATION = """\
Order #\tSymbol\tType\tQty\tQty Filled\tFilled Price\tStatus\tFilled Time\tCommission
1001\tUS30\tBuy\t2\t2\t48410\tFilled\t11/16/2026 10:05:41 AM\t1.00
1002\tUS30\tSell\t2\t2\t48470\tFilled\t11/16/2026 10:40:02 AM\t1.00
1003\tUS30\tBuy\t1\t0\t\tCancelled\t\t
1004\tUS30\tSell Short\t1\t1\t48520\tFilled\t11/16/2026 11:42:00 AM\t0.50
1005\tUS30\tSell Short\t1\t1\t48530\tFilled\t11/16/2026 11:43:00 AM\t0.50
1006\tUS30\tBuy To Cover\t3\t3\t48500\tFilled\t11/16/2026 12:15:00 PM\t1.50
1007\tUS30\tSell\t1\t1\t48480\tFilled\t11/16/2026 01:00:00 PM\t0.50
"""

CSV = """\
Ticket,Instrument,Side,Open Price,Close Price,Lots,Open Time,Close Time,Commission
77,US30,buy,48600,48650,1,2026-11-17 09:31:00,2026-11-17 09:50:00,3.00
78,US30,sell,48700,48720,2,2026-11-17 11:00:00,2026-11-17 11:20:00,3.00
"""
MAP = ["--map", "Ticket=id", "--map", "Instrument=symbol", "--map", "Side=direction",
       "--map", "Open Price=entry", "--map", "Close Price=exit", "--map", "Lots=size",
       "--map", "Open Time=entry_time", "--map", "Close Time=exit_time",
       "--map", "Commission=fees"]  # fmt: skip


def test_tradestation_fills_become_round_trips_linked_to_their_signals(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    buy, sell = write_signals(
        home, [("2026-11-16 10:05:00", "BUY"), ("2026-11-16 11:41:30", "SELL")], {}
    )
    orders = tmp_path / "orders.txt"
    orders.write_text(TRADESTATION, encoding="utf-8")
    args = ["--home", str(home), "journal", "import", str(orders), "--format", "tradestation"]
    assert main(args) == 0
    assert "imported 3 trades (2 linked to signals); 0 duplicates" in capsys.readouterr().out
    trades = store.read(home / "trades.jsonl").trades
    first, second, third = sorted(trades, key=lambda t: t.when)
    assert (first.signal, first.direction, first.entry, first.exit, first.size) == (
        buy.id, "BUY", 48410, 48470, 2
    )  # fmt: skip
    assert first.fees == pytest.approx(2.0)
    # the cover of 3 closes the short of 2 and opens a long of 1 (its fees split 2:1)
    assert (second.signal, second.direction, second.size) == (sell.id, "SELL", 2)
    assert (second.entry, second.exit) == (48525, 48500)
    assert second.fees == pytest.approx(2.0)
    assert (third.signal, third.direction, third.entry, third.exit, third.size) == (
        None, "BUY", 48500, 48480, 1
    )  # fmt: skip
    assert main(args) == 0  # the same file again
    assert "imported 0 trades (0 linked to signals); 3 duplicates" in capsys.readouterr().out
    assert len(store.read(home / "trades.jsonl").trades) == 3


def test_a_mapped_csv_and_a_hand_typed_twin(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = ["--home", str(home), "journal", "add", "--own", "--symbol", "US30", "--direction",
           "SELL", "--taken", "--entry", "48700", "--exit", "48720", "--size", "2",
           "--entry-time", "2026-11-17 11:00", "--exit-time", "2026-11-17 11:20"]  # fmt: skip
    assert main(own) == 0
    path = tmp_path / "tradelocker.csv"
    path.write_text(CSV, encoding="utf-8")
    args = ["--home", str(home), "journal", "import", str(path), "--format", "csv", *MAP]
    assert main(args) == 0
    assert "imported 1 trades (0 linked to signals); 1 duplicates" in capsys.readouterr().out
    trades = store.read(home / "trades.jsonl").trades
    assert [(t.entry, t.exit, t.fees, t.external_id) for t in trades] == [
        (48700, 48720, 2.5, None),
        (48600, 48650, 3.0, "csv:77"),
    ]


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        (CSV.replace("48650", "n/a"), MAP, "tradelocker.csv:2: column 'Close Price': expected a"),
        (CSV, [*MAP, "--map", "Swap=swap"], "--map: 'swap' is not a field"),
        (CSV, ["--map", "Ticket"], "--map: expected COLUMN=FIELD"),
        (CSV, [], "column 'direction': direction is missing"),
        (CSV.replace("buy", "hold"), MAP, "expected Buy, Sell, Sell Short or Buy to Cover"),
    ],
)
def test_a_bad_file_imports_nothing(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    extra: list[str],
    message: str,
) -> None:
    path = tmp_path / "tradelocker.csv"
    path.write_text(text, encoding="utf-8")
    args = ["--home", str(home), "journal", "import", str(path), "--format", "csv", *extra]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (home / "trades.jsonl").exists()
