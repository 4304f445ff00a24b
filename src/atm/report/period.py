"""The time span a report covers: an ISO week, or dates from–to, in the exchange's zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from atm.errors import InputError

_WEEK = re.compile(r"^(\d{4})-W?(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) as aware datetimes, and how it was asked for."""

    start: datetime
    end: datetime
    label: str

    def contains(self, when: datetime) -> bool:
        return self.start <= when < self.end

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()


def week(text: str, zone: tzinfo) -> Period:
    """`YYYY-WW` (or `YYYY-Www`): Monday 00:00 to the next Monday 00:00 in `zone`."""
    match = _WEEK.match(text.strip())
    if match is None:
        raise InputError(f"--week: expected YYYY-WW (an ISO week such as 2026-47), got {text!r}")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise InputError(f"--week: {year} has no ISO week {number}") from None
    start = datetime.combine(monday, time(), zone)
    return Period(start, datetime.combine(monday + timedelta(days=7), time(), zone),
                  f"{year}-W{number:02d}")  # fmt: skip


def current_week(now: datetime) -> Period:
    year, number, _ = now.isocalendar()
    assert now.tzinfo is not None
    return week(f"{year}-{number:02d}", now.tzinfo)


def dates(since: str | None, until: str | None, zone: tzinfo, now: datetime) -> Period:
    """`--from DATE --to DATE`, both inclusive; a missing end is today, a missing start
    the beginning of the journal (year 2000)."""
    first = _date("--from", since) if since else date(2000, 1, 1)
    last = _date("--to", until) if until else now.date()
    if last < first:
        raise InputError(f"--to: {last} is before --from {first}")
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return Period(start, end, f"{first} to {last}")


def _date(flag: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{flag}: expected a date YYYY-MM-DD, got {text!r}") from None
