"""One journal record (a line of `trades.jsonl`), its schema and its rules.

Schema 1, one JSON object per line:

    schema        1
    id            "t…" — a signal's record is "t" + the signal id; imports hash their key
    decision      "taken" | "skipped"
    reason        why it was skipped ("false_signal" for a detector error), else ""
    signal        the signal id, or null for a trade taken on your own
    symbol        the chart's symbol (`symbol_label`), e.g. "DIA→US30"
    instrument    what was traded, e.g. "US30" (may differ from the chart's)
    direction     "BUY" | "SELL" (null only for a skipped record without a signal)
    signal_time   when the signal fired (ISO 8601 with offset), or null
    entry, exit, size, sl, tp1, tp2     prices and size; null until known
    entry_time, exit_time               ISO 8601 with offset, or null
    fees          money, round turn, >= 0
    point_value   money per 1.0 of price per 1 unit of size, copied from `[journal]`
    tick_size     the instrument's price step, copied from `[journal]`
    alert_price   the traded instrument's price when the alert came, or null
    tags, note    free text
    source        "cli" | "prompt" | "telegram" | "import"
    external_id   the broker's key of an imported trade, or null
    recorded      when this version was written (ISO 8601)

A taken record without `exit` is open (a Telegram "Taken" stub, to be completed). The
file is append-only: a later line with the same id is a newer version of that record.
Rules checked on write and on read: see `check`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, get_args

from atm.types import Direction

SCHEMA: Final = 1
Decision = Literal["taken", "skipped"]
Source = Literal["cli", "prompt", "telegram", "import"]
FALSE_SIGNAL: Final = "false_signal"

_PRICES = ("entry", "exit", "sl", "tp1", "tp2", "alert_price")
_TIMES = ("signal_time", "entry_time", "exit_time", "recorded")


class RecordError(ValueError):
    """A field breaks a rule; `field` names it (the CLI maps it to its flag)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Trade:
    id: str
    decision: Decision
    symbol: str
    recorded: datetime
    direction: Direction | None = None
    reason: str = ""
    signal: str | None = None
    instrument: str = ""
    signal_time: datetime | None = None
    entry: float | None = None
    exit: float | None = None
    size: float | None = None
    sl: float | None = None
    tp1: float | None = None
    tp2: float | None = None
    entry_time: datetime | None = None
    exit_time: datetime | None = None
    fees: float = 0.0
    point_value: float = 1.0
    tick_size: float = 0.01
    alert_price: float | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    source: Source = "cli"
    external_id: str | None = None
    schema: int = field(default=SCHEMA)

    @property
    def closed(self) -> bool:
        """A taken trade with entry, exit and size: it has a P&L."""
        return self.decision == "taken" and None not in (self.entry, self.exit, self.size)

    @property
    def false_signal(self) -> bool:
        return self.decision == "skipped" and self.reason == FALSE_SIGNAL

    @property
    def when(self) -> datetime:
        """The time a report files it under: entry, else the signal, else when written."""
        return self.entry_time or self.signal_time or self.recorded


def to_json(trade: Trade) -> dict[str, Any]:
    """The JSON object of one line (keys in schema order)."""
    data = asdict(trade)
    out: dict[str, Any] = {"schema": data.pop("schema")}
    for key, value in data.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def from_json(raw: object) -> Trade:
    """Validate one parsed line into a `Trade`; `RecordError` names the first bad field."""
    if not isinstance(raw, dict):
        raise RecordError("line", "expected a JSON object")
    schema = raw.get("schema")
    if schema != SCHEMA:
        raise RecordError("schema", f"expected {SCHEMA}, got {schema!r}")
    unknown = sorted(set(raw) - set(Trade.__dataclass_fields__))
    if unknown:
        raise RecordError(unknown[0], "unknown field")
    values: dict[str, Any] = {}
    for name in Trade.__dataclass_fields__:
        if name in raw:
            values[name] = _field(name, raw[name])
    for required in ("id", "decision", "symbol", "recorded"):
        if values.get(required) is None:
            raise RecordError(required, "missing")
    trade = Trade(**values)
    check(trade)
    return trade


def _field(name: str, value: Any) -> Any:
    if name in _PRICES or name in ("size", "fees", "point_value", "tick_size"):
        return None if value is None else _number(name, value)
    if name in _TIMES:
        return None if value is None else _time(name, value)
    if name == "tags":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise RecordError(name, "expected a list of strings")
        return tuple(value)
    if name == "direction":
        return _choice(name, value, get_args(Direction), optional=True)
    if name == "decision":
        return _choice(name, value, get_args(Decision))
    if name == "source":
        return _choice(name, value, get_args(Source))
    if name == "schema":
        return value
    if name in ("signal", "external_id"):
        if value is not None and not (isinstance(value, str) and value):
            raise RecordError(name, "expected a non-empty string or null")
        return value
    if not isinstance(value, str):
        raise RecordError(name, f"expected a string, got {value!r}")
    return value


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(name, f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise RecordError(name, f"expected a finite number, got {value!r}")
    return float(value)


def _time(name: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise RecordError(name, f"expected an ISO 8601 time, got {value!r}")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(name, f"expected an ISO 8601 time, got {value!r}") from None
    if when.tzinfo is None:
        raise RecordError(name, f"{value!r} has no UTC offset")
    return when


def _choice(name: str, value: Any, allowed: tuple[str, ...], optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if value not in allowed:
        raise RecordError(name, f"expected one of {', '.join(allowed)}, got {value!r}")
    return value


def check(trade: Trade) -> None:
    """The rules a record obeys, whoever wrote it. Raises `RecordError` naming the field."""
    if not trade.id or not trade.id.isalnum():
        raise RecordError("id", f"expected letters and digits, got {trade.id!r}")
    if not trade.symbol.strip():
        raise RecordError("symbol", "missing")
    _check_numbers(trade)
    if trade.decision == "skipped":
        for name in ("entry", "exit", "size"):
            if getattr(trade, name) is not None:
                raise RecordError(name, "a skipped signal has no " + name)
        if trade.signal is None:
            raise RecordError("signal", "a skipped record needs the signal it skips")
        return
    if trade.direction is None:
        raise RecordError("direction", "a taken trade needs BUY or SELL")
    if trade.exit is not None and (trade.entry is None or trade.size is None):
        raise RecordError("exit", "an exit needs an entry and a size")
    _check_times(trade)
    _check_stop(trade)


def _check_numbers(trade: Trade) -> None:
    for name in (*_PRICES, "size", "point_value", "tick_size"):
        value = getattr(trade, name)
        if value is not None and value <= 0:
            raise RecordError(name, f"must be above 0, got {value:g}")
    if trade.fees < 0:
        raise RecordError("fees", f"must be 0 or more, got {trade.fees:g}")


def _check_times(trade: Trade) -> None:
    if trade.entry_time and trade.exit_time and trade.exit_time < trade.entry_time:
        raise RecordError(
            "exit_time",
            f"{trade.exit_time.isoformat()} is before the entry ({trade.entry_time.isoformat()})",
        )


def _check_stop(trade: Trade) -> None:
    """The initial stop is on the losing side of the entry, or R has no meaning."""
    if trade.sl is None or trade.entry is None:
        return
    if trade.sl == trade.entry:
        raise RecordError("sl", "equals the entry: the trade would have no risk")
    wrong = trade.sl > trade.entry if trade.direction == "BUY" else trade.sl < trade.entry
    if wrong:
        side = "below" if trade.direction == "BUY" else "above"
        raise RecordError(
            "sl", f"a {trade.direction}'s stop-loss must be {side} its entry ({trade.entry:g})"
        )
