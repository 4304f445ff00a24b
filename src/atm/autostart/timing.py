"""When the scheduler fires: `lead_minutes` before the session, in each scheduler's terms.

systemd takes a time zone in `OnCalendar=`, so the timer fires at the start minus the lead
in the exchange's zone, every exchange weekday, whatever the local clocks do.

Task Scheduler triggers are local wall times. Where the machine's zone and the exchange's
change clocks on different dates (Europe and the US, three weeks each spring and one each
autumn) a fixed local time would be an hour late part of the year. So the task fires at
the *earliest* local time the session's start minus the lead falls on over a whole year,
and `atm run` waits the rest: 15:20 in Bucharest for 09:30 New York with a 10-minute lead
(16:20 most of the year). The local weekdays are those the exchange weekdays fall on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

DAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS: Final = (0, 1, 2, 3, 4)
_YEAR: Final = 371  # days sampled: a year plus a week, so every weekday of every season


@dataclass(frozen=True, slots=True)
class Trigger:
    """Exchange-time trigger (`at`, `days` in `zone`) and its local-time equivalent."""

    at: time
    days: tuple[int, ...]  # 0 = Monday
    zone: str  # "" = the machine's zone
    local_at: time
    local_days: tuple[int, ...]

    def on_calendar(self) -> str:
        """systemd's `OnCalendar=` value: "Mon..Fri 09:20:00 America/New_York"."""
        days = ",".join(DAY_NAMES[d][:3] for d in self.days)
        if self.days == _WEEKDAYS:
            days = "Mon..Fri"
        return f"{days} {self.at:%H:%M:%S}" + (f" {self.zone}" if self.zone else "")


def trigger_for(start_at: time, lead_minutes: int, zone: str, today: date) -> Trigger:
    """The trigger for a session starting at `start_at` (in `zone`) on exchange weekdays."""
    start = datetime.combine(today, start_at) - timedelta(minutes=lead_minutes)
    shift = (start.date() - today).days  # -1 when the lead crosses midnight
    days = tuple(sorted((d + shift) % 7 for d in _WEEKDAYS))
    # the earliest local moment over the year, counted in minutes from the exchange day's
    # midnight, so a lead that crosses midnight locally moves the days with it
    earliest = min(
        _minutes(day, _instant(day, start_at, zone) - timedelta(minutes=lead_minutes))
        for day in (today + timedelta(days=n) for n in range(_YEAR))
        if day.weekday() in _WEEKDAYS
    )
    local_shift, minute = divmod(earliest, 1440)
    local_days = tuple(sorted((d + local_shift) % 7 for d in _WEEKDAYS))
    local_at = time(minute // 60, minute % 60)
    return Trigger(start.time(), days, zone, local_at, local_days)


def _minutes(day: date, moment: datetime) -> int:
    return (moment.date() - day).days * 1440 + moment.hour * 60 + moment.minute


def _instant(day: date, at: time, zone: str) -> datetime:
    """The local (machine-zone, naive) wall time of `at` on `day` in `zone`."""
    if not zone:
        return datetime.combine(day, at)
    aware = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    return aware.astimezone().replace(tzinfo=None)
