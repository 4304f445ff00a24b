"""Trades from files: TradeStation's TradeManager order list, or any CSV with a column map.

TradeStation (`--format tradestation`): the Orders tab saved as CSV or tab-separated
text. Columns are found by their usual names (Order #, Symbol, Side/Type/Action, Qty
Filled/Quantity, Filled Price/Price, Filled Time/Entered, Status, Commission); rows whose
status is not a fill are ignored. Fills are paired per symbol from flat to flat: the
entry is the average price of the fills that opened the position, the exit of those
that closed it, the size the quantity opened; a fill that reverses the position is split.

CSV (`--format csv`): one trade per row. A column is used when its name is a record field
(entry, exit, size, direction, symbol, entry_time, exit_time, fees, sl, signal, note, id)
or when `--map "Column Name=field"` says so. `id` is the broker's key of the trade.

Import is all or nothing: a bad row stops it with `file:line: column: problem`, and
nothing is written. Each trade's id is a hash of its broker key (the order numbers, or
the `id` column, or the row's own values), so importing a file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Final

from atm.errors import InputError
from atm.types import Direction

_TIME_FORMATS: Final = (
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
)  # fmt: skip
#: The side of a fill or trade as brokers write it (lower case, spaces removed).
_SIDES: Final[dict[str, Direction]] = {
    "buy": "BUY", "bought": "BUY", "b": "BUY", "long": "BUY", "buytocover": "BUY",
    "cover": "BUY", "sell": "SELL", "sold": "SELL", "s": "SELL", "short": "SELL",
    "sellshort": "SELL",
}  # fmt: skip
CSV_FIELDS: Final = ("id", "symbol", "direction", "entry", "exit", "size", "entry_time",
                     "exit_time", "fees", "sl", "signal", "note")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Imported:
    """A trade read from a file, before it becomes a journal record."""

    key: str
    symbol: str
    direction: Direction
    entry: float
    size: float
    entry_time: datetime | None
    exit: float | None = None
    exit_time: datetime | None = None
    fees: float | None = None
    sl: float | None = None
    signal: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the file: its number (for messages) and its cells by column name."""

    line: int
    cells: Mapping[str, str]


def rows(path: Path) -> Iterator[Row]:
    """The data rows of a CSV or tab-separated file; the delimiter is sniffed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        raise InputError(f"{path}: no header row")
    for cells in reader:
        if any((v or "").strip() for v in cells.values() if isinstance(v, str)):
            clean = {(k or "").strip(): (v or "").strip() for k, v in cells.items()
                     if isinstance(v, str)}  # fmt: skip
            yield Row(reader.line_num, clean)


class Cells:
    """Typed access to a row's cells, with errors that say file, line and column."""

    def __init__(self, path: Path, row: Row, zone: tzinfo) -> None:
        self._path, self._row, self._zone = path, row, zone
        self._lower = {k.lower().replace(" ", ""): k for k in row.cells}

    def column(self, *names: str) -> str | None:
        for name in names:
            key = self._lower.get(name.lower().replace(" ", ""))
            if key is not None and self._row.cells[key]:
                return key
        return None

    def fail(self, column: str, problem: str) -> InputError:
        return InputError(f"{self._path}:{self._row.line}: column {column!r}: {problem}")

    def text(self, column: str | None) -> str:
        return self._row.cells.get(column, "") if column else ""

    def number(self, column: str | None) -> float | None:
        raw = self.text(column).replace(",", "").replace("$", "")
        if not raw:
            return None
        if raw.startswith("(") and raw.endswith(")"):  # accounting notation for negatives
            raw = "-" + raw[1:-1]
        try:
            return float(raw)
        except ValueError:
            assert column is not None
            raise self.fail(column, f"expected a number, got {raw!r}") from None

    def time(self, column: str | None) -> datetime | None:
        raw = self.text(column)
        if not raw:
            return None
        when = _strptime(raw)
        if when is None:
            assert column is not None
            raise self.fail(column, f"expected a date and time, got {raw!r}")
        return when if when.tzinfo else when.replace(tzinfo=self._zone)

    def side(self, column: str) -> Direction:
        raw = self.text(column).lower()
        found = _SIDES.get(raw.replace(" ", ""))
        if found is None:
            raise self.fail(column, f"expected Buy, Sell, Sell Short or Buy to Cover, got {raw!r}")
        return found


def _strptime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def read_csv(path: Path, mapping: Mapping[str, str], zone: tzinfo) -> list[Imported]:
    """One trade per row; `mapping` is column name → record field."""
    bad = sorted(set(mapping.values()) - set(CSV_FIELDS))
    if bad:
        raise InputError(f"--map: {bad[0]!r} is not a field; fields: {', '.join(CSV_FIELDS)}")
    out = []
    for row in rows(path):
        cells = Cells(path, row, zone)
        by_field = {f: cells.column(f) for f in CSV_FIELDS}
        by_field.update({f: cells.column(col) or col for col, f in mapping.items()})
        out.append(_csv_trade(cells, by_field))
    return out


def _csv_trade(cells: Cells, col: Mapping[str, str | None]) -> Imported:
    def need(name: str, value: object) -> None:
        if value is None or value == "":
            raise cells.fail(col.get(name) or name, f"{name} is missing")

    direction_col = col.get("direction")
    need("direction", cells.text(direction_col))
    assert direction_col is not None
    direction = cells.side(direction_col)
    symbol, entry, size = (
        cells.text(col["symbol"]),
        cells.number(col["entry"]),
        cells.number(col["size"]),
    )
    need("symbol", symbol)
    need("entry", entry)
    need("size", size)
    assert entry is not None and size is not None
    entry_time, exit_price = cells.time(col["entry_time"]), cells.number(col["exit"])
    key = cells.text(col["id"]) or "|".join(
        str(v) for v in (symbol, direction, entry_time, entry, exit_price, size)
    )
    return Imported(
        key=f"csv:{key}",
        symbol=symbol,
        direction=direction,
        entry=entry,
        size=abs(size),
        entry_time=entry_time,
        exit=exit_price,
        exit_time=cells.time(col["exit_time"]),
        fees=cells.number(col["fees"]),
        sl=cells.number(col["sl"]),
        signal=cells.text(col["signal"]) or None,
        note=cells.text(col["note"]),
    )


@dataclass(frozen=True, slots=True)
class Fill:
    order: str
    symbol: str
    side: Direction
    qty: float
    price: float
    when: datetime | None
    fees: float | None


def read_tradestation(path: Path, zone: tzinfo) -> list[Imported]:
    """Round trips from a TradeManager order list."""
    fills = [f for row in rows(path) if (f := _fill(Cells(path, row, zone), row)) is not None]
    return pair_fills(fills)


def _fill(cells: Cells, row: Row) -> Fill | None:
    status = cells.text(cells.column("Status")).lower()
    if status and not status.startswith("fill"):
        return None  # cancelled, rejected, queued, expired…
    side_col = next((c for c in _columns(cells, "Side", "Action", "Buy/Sell", "B/S", "Type")
                     if cells.text(c).lower().replace(" ", "") in _SIDES), None)  # fmt: skip
    qty_col = cells.column("Qty Filled", "Filled Qty", "Quantity Filled", "Filled", "Qty",
                           "Quantity", "Shares")  # fmt: skip
    price_col = cells.column("Filled Price", "Fill Price", "Avg Fill Price",
                             "Average Fill Price", "Avg Price", "Price")  # fmt: skip
    symbol_col = cells.column("Symbol")
    for name, found in (("Side", side_col), ("Qty", qty_col), ("Price", price_col),
                        ("Symbol", symbol_col)):  # fmt: skip
        if found is None:
            raise InputError(f"line {row.line}: no {name} column (or it is empty)")
    assert side_col and qty_col and price_col and symbol_col
    qty, price = cells.number(qty_col), cells.number(price_col)
    if not qty or not price:
        return None  # an unfilled order
    when = cells.time(cells.column("Filled Time", "Fill Time", "Time Filled", "Date/Time",
                                   "Entered", "Date", "Time"))  # fmt: skip
    return Fill(
        order=cells.text(cells.column("Order #", "Order ID", "OrderID", "Order Number", "Order"))
        or f"line{row.line}",
        symbol=cells.text(symbol_col),
        side=cells.side(side_col),
        qty=abs(qty),
        price=price,
        when=when,
        fees=cells.number(cells.column("Commission", "Comm", "Commissions", "Fees")),
    )


def _columns(cells: Cells, *names: str) -> Iterator[str]:
    for name in names:
        found = cells.column(name)
        if found is not None:
            yield found


def pair_fills(fills: Sequence[Fill]) -> list[Imported]:
    """Flat-to-flat round trips per symbol, in fill order (time, then file order)."""
    ordered = sorted(enumerate(fills), key=lambda p: (p[1].when or datetime.min, p[0]))
    open_by_symbol: dict[str, list[Fill]] = {}
    out: list[Imported] = []
    for _, fill in ordered:
        legs = open_by_symbol.setdefault(fill.symbol, [])
        for piece in _split(legs, fill):
            legs.append(piece)
            if _position(legs) == 0:
                out.append(_round_trip(legs))
                legs.clear()
    return out


def _position(legs: Sequence[Fill]) -> float:
    return sum(f.qty if f.side == "BUY" else -f.qty for f in legs)


def _split(legs: Sequence[Fill], fill: Fill) -> list[Fill]:
    """`fill`, or the part that flattens the position and the part that opens the next."""
    position = _position(legs)
    signed = fill.qty if fill.side == "BUY" else -fill.qty
    if position == 0 or (position > 0) == (signed > 0) or abs(signed) <= abs(position):
        return [fill]
    close = abs(position)
    share = close / fill.qty
    fees = fill.fees
    first = Fill(fill.order, fill.symbol, fill.side, close, fill.price, fill.when,
                 None if fees is None else fees * share)  # fmt: skip
    rest = Fill(fill.order, fill.symbol, fill.side, fill.qty - close, fill.price, fill.when,
                None if fees is None else fees * (1 - share))  # fmt: skip
    return [first, rest]


def _round_trip(legs: Sequence[Fill]) -> Imported:
    opening = [f for f in legs if f.side == legs[0].side]
    closing = [f for f in legs if f.side != legs[0].side]
    size = sum(f.qty for f in opening)
    fees = [f.fees for f in legs if f.fees is not None]
    orders = sorted({f.order for f in legs})
    return Imported(
        key="tradestation:" + "+".join(orders) + f"@{legs[0].when}",
        symbol=legs[0].symbol,
        direction=legs[0].side,
        entry=_average(opening),
        size=size,
        entry_time=legs[0].when,
        exit=_average(closing),
        exit_time=legs[-1].when,
        fees=sum(fees) if fees else None,
    )


def _average(fills: Sequence[Fill]) -> float:
    return sum(f.price * f.qty for f in fills) / sum(f.qty for f in fills)
