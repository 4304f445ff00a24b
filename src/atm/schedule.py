"""When a run starts and stops: `--start-at`, `--stop-at` and `--duration` in the exchange's zone.

Times are wall-clock times in `[schedule] timezone` (IANA; "" = the machine's zone), worked
out with `zoneinfo` for each calendar day, so "09:30 America/New_York" is 13:30 UTC while
the US is on summer time, whatever Europe's clocks do.

What a start time means:
- `--start-at` names a session: from that time to `--stop-at` (the next one after it; an
  earlier stop time is the next day, for overnight sessions), or to start + `--duration`,
  whichever comes first. Without either, the session is open-ended.
- Launched during the session (16:45 for 16:30–18:30, or 02:00 for 22:00–06:00), the run
  starts now and stops when the session ends.
- Launched after the session ended (19:00 for 16:30–18:30), the run waits for the next
  session, tomorrow at 16:30. The runner prints when it starts, so nothing waits unseen.
- An open-ended session whose start passed earlier today starts now.
- `--duration` is elapsed time, counted from the session's start (not from a late
  launch), so an 8-hour overnight run lasts 8 hours across a clock change.

A wall time that a clock change skips (02:30 on the spring-forward night) happens at the
instant it would have been on the old offset (03:30 summer time); a repeated one (01:30 in
autumn) is its first occurrence.

With an exchange calendar (`[schedule] calendar`, see `atm.calendars`), a session that would
start on a day without one (a holiday, a weekend) is skipped, and an early close that day
ends the session then (an open-ended session too). A session that would start after that
day's early close is skipped as well. Launched on a day without a session, `closed_today`
says why, and `atm run` prints it and exits 0: the scheduler launches it again on the next
weekday, which is sturdier than one process sleeping through a long weekend.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from atm.calendars import Day, ExchangeCalendar, load_overrides
from atm.clock import Clock, local
from atm.config import Schedule as ScheduleConfig
from atm.errors import UsageError

_HHMM: Final = re.compile(r"(\d{1,2}):(\d{2})")
SLEEP_STEP_S: Final = 0.5  # how often a wait looks at should_stop()
#: How far ahead to look for the next day with a session (a calendar file could close many).
MAX_AHEAD_DAYS: Final = 31


def parse_hhmm(text: str, option: str = "--start-at") -> time:
    """`"16:30"` → `time(16, 30)`; `UsageError` naming `option` for anything else."""
    match = _HHMM.fullmatch(text.strip())
    hour, minute = (int(g) for g in match.groups()) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UsageError(f"{option}: expected a 24-hour time HH:MM such as 16:30, got {text!r}")
    return time(hour, minute)


@dataclass(frozen=True, slots=True)
class Plan:
    """When to start and stop, in epoch seconds; `stop_ts` None = run until stopped."""

    start_ts: float
    stop_ts: float | None
    early: str = ""  # why the stop is early (the calendar's name for that day), else ""

    def describe(self, now_ts: float, zone: str = "") -> str:
        """One line for the console: "starts now, stops 18:30" or "starts Tue 16:30 (in …)"."""
        start = "starts now" if self.start_ts <= now_ts else _starts(self.start_ts, now_ts, zone)
        if self.stop_ts is None:
            return f"{start}, runs until stopped"
        early = f" (early close: {self.early})" if self.early else ""
        return f"{start}, stops {_when(self.stop_ts, self.start_ts, zone)}{early}"


@dataclass(frozen=True, slots=True)
class Window:
    """A session as the user asked for it; `zone` "" = the machine's local zone."""

    start_at: time | None = None
    stop_at: time | None = None
    duration_h: float | None = None
    zone: str = ""
    calendar: ExchangeCalendar | None = None

    @classmethod
    def parse(
        cls,
        start_at: str | None,
        stop_at: str | None,
        duration_h: float | None,
        zone: str = "",
        calendar: ExchangeCalendar | None = None,
    ) -> Window:
        """From the command line's texts; `UsageError` naming the option that is wrong."""
        return cls(
            start_at=parse_hhmm(start_at, "--start-at") if start_at else None,
            stop_at=parse_hhmm(stop_at, "--stop-at") if stop_at else None,
            duration_h=duration_h,
            zone=zone,
            calendar=calendar,
        )

    def __post_init__(self) -> None:
        hours = self.duration_h
        if hours is not None and not 0 < hours < float("inf"):
            raise UsageError(f"--duration: expected a positive number of hours, got {hours}")
        if self.start_at is not None and self.start_at == self.stop_at:
            raise UsageError(
                f"--stop-at: same time as --start-at ({self.start_at:%H:%M}), an empty session"
            )
        if self.zone:
            try:
                ZoneInfo(self.zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise UsageError(
                    f"schedule.timezone: expected an IANA zone such as America/New_York, "
                    f"got {self.zone!r}"
                ) from None

    def plan(self, now_ts: float) -> Plan:
        """The run this window asks for, seen from `now_ts`."""
        today = local(now_ts, self.zone).date()
        if self.start_at is None:
            day = self.day(today)
            return _capped(Plan(now_ts, self._stop(now_ts)), day)
        for day, session in self._sessions(today - timedelta(days=1)):
            if session.stop_ts is None:
                if day.day == today and session.start_ts <= now_ts:
                    return Plan(now_ts, None)  # open-ended, started earlier today
            elif session.start_ts <= now_ts < session.stop_ts:
                return Plan(now_ts, session.stop_ts, session.early)  # launched during it
            if session.start_ts > now_ts:
                return session
        raise UsageError(f"no session in the next {MAX_AHEAD_DAYS} days: see calendar.toml")

    def upcoming(self, now_ts: float, count: int = 3) -> list[Plan]:
        """The next `count` sessions that start after `now_ts` (none without a start time)."""
        if self.start_at is None:
            return []
        today = local(now_ts, self.zone).date()
        found = (s for _, s in self._sessions(today) if s.start_ts > now_ts)
        return [s for _, s in zip(range(count), found, strict=False)]

    def closed_today(self, now_ts: float) -> Day | None:
        """Today's calendar day when it has no session and none is running now."""
        day = self.day(local(now_ts, self.zone).date())
        if day.open:
            return None
        if self.start_at is not None and self.plan(now_ts).start_ts <= now_ts:
            return None  # yesterday's overnight session is still on
        return day

    def day(self, d: date) -> Day:
        return self.calendar.day(d) if self.calendar is not None else Day(d)

    def _sessions(self, first: date) -> Iterator[tuple[Day, Plan]]:
        """Each day's session from `first` on, days without one skipped."""
        assert self.start_at is not None
        for offset in range(MAX_AHEAD_DAYS + 1):
            day = self.day(first + timedelta(days=offset))
            start = _at(day.day, self.start_at, self.zone)
            session = _capped(Plan(start, self._stop(start)), day)
            if day.open and (session.stop_ts is None or session.stop_ts > start):
                yield day, session

    def _stop(self, start_ts: float) -> float | None:
        """The first stop after `start_ts`: the next `stop_at`, or start + duration."""
        stops = []
        if self.stop_at is not None:
            day = local(start_ts, self.zone).date()
            stop = _at(day, self.stop_at, self.zone)
            if stop <= start_ts:
                stop = _at(day + timedelta(days=1), self.stop_at, self.zone)
            stops.append(stop)
        if self.duration_h is not None:
            stops.append(start_ts + self.duration_h * 3600)
        return min(stops) if stops else None


def window_for(
    schedule: ScheduleConfig,
    overrides: Path,
    start_at: str | None = None,
    stop_at: str | None = None,
    duration_h: float | None = None,
) -> Window:
    """The session a config and the command line ask for: the options win over the config's
    `start_at`/`stop_at`; the calendar is `schedule.calendar` plus the `overrides` file."""
    calendar = ExchangeCalendar(schedule.calendar, schedule.timezone, load_overrides(overrides))
    return Window.parse(
        start_at or schedule.start_at, stop_at or schedule.stop_at, duration_h,
        schedule.timezone, calendar,
    )  # fmt: skip


def plan(
    now_ts: float,
    start_at: str | None,
    stop_at: str | None,
    duration_h: float | None,
    zone: str = "",
) -> Plan:
    """Parse the options and plan the run from `now_ts` (see the module docstring)."""
    return Window.parse(start_at, stop_at, duration_h, zone).plan(now_ts)


def _capped(plan: Plan, day: Day) -> Plan:
    """`plan` with its stop moved to the day's early close when that comes first."""
    if day.close is None:
        return plan
    close = day.close.timestamp()
    if plan.stop_ts is not None and plan.stop_ts <= close:
        return plan
    return Plan(plan.start_ts, close, day.why)


def sleep_until(clock: Clock, ts: float, should_stop: Callable[[], bool] = lambda: False) -> bool:
    """Wait until `ts` in short steps so a stop request (SIGINT) is seen within half a second.

    True when `ts` was reached, False when `should_stop()` ended the wait first.
    """
    while True:
        if should_stop():
            return False
        left = ts - clock.time()
        if left <= 0:
            return True
        clock.sleep(min(left, SLEEP_STEP_S))


def _at(day: date, at: time, zone: str) -> float:
    """Epoch seconds of wall time `at` on `day` in `zone` ("" = the machine's zone)."""
    if zone:
        return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).timestamp()
    return datetime.combine(day, at).timestamp()  # naive: the OS applies its own rules


def _when(ts: float, ref_ts: float, zone: str) -> str:
    """HH:MM, with the weekday when it is not on the same day as `ref_ts`."""
    at, ref = local(ts, zone), local(ref_ts, zone)
    return f"{at:%H:%M}" if at.date() == ref.date() else f"{at:%a %H:%M}"


def _starts(start_ts: float, now_ts: float, zone: str) -> str:
    minutes = round((start_ts - now_ts) / 60)
    wait = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"
    return f"starts {_when(start_ts, now_ts, zone)} (in {wait})"
