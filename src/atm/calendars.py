"""Exchange calendars: which days have no session and which close early (`[schedule] calendar`).

Holidays and early closes come from the `holidays` package's financial calendars (pure
Python, kept current by its maintainers, each date sourced from the exchange's notices):
`NYSE` (New York Stock Exchange) and `CME` (CME Group: Globex equity and interest-rate
futures). Its early closes are the `HALF_DAY` category, whose English names carry the time,
"(markets close at 1:00pm)" for NYSE (Eastern time) and "(markets pause at 12:00pm CT)" for
CME; the time is read from the name, else the calendar's usual early close below applies.
Saturdays and Sundays have no session on either calendar.

A user override file, `calendar.toml` in the workspace, adds what the library does not know
(an exchange's one-off closure announced last week) or overrules it:

    [closed]          # no session that day
    2026-12-31 = "New Year's Eve, not trading"
    [early_close]     # the session ends at this time, in [schedule] timezone
    2026-12-24 = "12:15"
    [open]            # a full session although the library says otherwise
    2026-01-19 = "trading MLK day in full"

A session belongs to the date it starts on in `[schedule] timezone`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from atm import inputs
from atm.errors import ConfigError

CalendarName = Literal["CME", "NYSE", "none"]


@dataclass(frozen=True, slots=True)
class Exchange:
    """What the library's names leave implicit: the exchange's zone and usual early close."""

    zone: str
    early_close: time


EXCHANGES: Final[dict[str, Exchange]] = {
    "NYSE": Exchange("America/New_York", time(13, 0)),
    "CME": Exchange("America/Chicago", time(12, 0)),
}
_LABEL_TIME: Final = re.compile(r"at (\d{1,2}):(\d{2})\s*([ap]m)", re.I)
_WEEKEND: Final = (5, 6)


@dataclass(frozen=True, slots=True)
class Day:
    """One calendar date: `closed` names why there is no session; `close` is an early close
    (an aware datetime) and `why` says which day it is."""

    day: date
    closed: str | None = None
    close: datetime | None = None
    why: str = ""

    @property
    def open(self) -> bool:
        return self.closed is None


@dataclass(frozen=True, slots=True)
class Overrides:
    """The user's `calendar.toml`: extra closed days, early closes and forced open days."""

    closed: Mapping[date, str] = field(default_factory=dict)
    early_close: Mapping[date, time] = field(default_factory=dict)
    open: Mapping[date, str] = field(default_factory=dict)


class ExchangeCalendar:
    """`day(d)`: whether `d` has a session and when it closes early; "none" = every day open."""

    def __init__(self, name: CalendarName, zone: str = "", overrides: Overrides | None = None):
        self.name = name
        self.zone = zone  # the session's zone: override times are wall times there
        self.overrides = overrides or Overrides()

    def day(self, d: date) -> Day:
        user = self.overrides
        if d in user.closed:
            return Day(d, closed=user.closed[d])
        if d in user.early_close:
            return Day(d, close=_aware(d, user.early_close[d], self.zone), why="calendar.toml")
        if d in user.open or self.name == "none":
            return Day(d)
        if d.weekday() in _WEEKEND:
            return Day(d, closed=f"{d:%A}")
        closed, half = _library(self.name, d.year)
        if d in closed:
            return Day(d, closed=f"{closed[d]} ({self.name})")
        if d in half:
            return Day(d, close=self._early(d, half[d]), why=f"{half[d]} ({self.name})")
        return Day(d)

    def _early(self, d: date, label: str) -> datetime:
        exchange = EXCHANGES[self.name]
        match = _LABEL_TIME.search(label)
        at = exchange.early_close
        if match:
            hour = int(match[1]) % 12 + (12 if match[3].lower() == "pm" else 0)
            at = time(hour, int(match[2]))
        return datetime.combine(d, at, tzinfo=ZoneInfo(exchange.zone))


@lru_cache(maxsize=32)
def _library(name: str, year: int) -> tuple[dict[date, str], dict[date, str]]:
    """(closed days, early-close days) of one year, with the library's English names."""
    import holidays
    from holidays.constants import HALF_DAY, PUBLIC

    def one(category: str) -> dict[date, str]:
        days = holidays.financial_holidays(
            name, years=year, categories=(category,), language="en_US"
        )
        return {d: str(n) for d, n in days.items()}

    return one(PUBLIC), one(HALF_DAY)


def _aware(d: date, at: time, zone: str) -> datetime:
    if zone:
        return datetime.combine(d, at, tzinfo=ZoneInfo(zone))
    return datetime.combine(d, at).astimezone()


# -- the override file --------------------------------------------------------------------------


def load_overrides(path: Path) -> Overrides:
    """`calendar.toml`, or no overrides when it does not exist; `ConfigError` naming the key."""
    if not path.exists() and not path.is_symlink():
        return Overrides()
    raw = inputs.read_toml(path, "calendar file", ConfigError)
    unknown = sorted(set(raw) - {"closed", "early_close", "open"})
    if unknown:
        raise ConfigError(
            f"{path}: {unknown[0]}: unknown table; expected closed, early_close, open"
        )
    return Overrides(
        closed=_table(path, raw, "closed", _text),
        early_close=_table(path, raw, "early_close", _hhmm),
        open=_table(path, raw, "open", _text),
    )


def _table(path: Path, raw: Mapping[str, Any], name: str, value: Any) -> dict[date, Any]:
    table = raw.get(name, {})
    if not isinstance(table, Mapping):
        raise ConfigError(f'{path}: {name}: expected a table such as [{name}] 2026-12-24 = "…"')
    out: dict[date, Any] = {}
    for key, item in table.items():
        try:
            day = date.fromisoformat(str(key))
        except ValueError:
            raise ConfigError(f"{path}: {name}.{key}: expected a date YYYY-MM-DD") from None
        out[day] = value(path, f"{name}.{key}", item)
    return out


def _text(path: Path, key: str, item: object) -> str:
    if not isinstance(item, str):
        raise ConfigError(f"{path}: {key}: expected a reason in quotes, got {item!r}")
    return item or "calendar.toml"


def _hhmm(path: Path, key: str, item: object) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", item.strip()) if isinstance(item, str) else None
    if not (match and int(match[1]) < 24 and int(match[2]) < 60):
        raise ConfigError(f'{path}: {key}: expected a time "HH:MM" such as "13:00", got {item!r}')
    return time(int(match[1]), int(match[2]))
