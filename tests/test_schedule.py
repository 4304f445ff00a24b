"""Session times: parsing, late launches, overnight sessions and clock changes."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from datetime import time as wall
from zoneinfo import ZoneInfo

import pytest

from atm.clock import ReplayClock, local
from atm.errors import UsageError
from atm.schedule import Plan, Window, parse_hhmm, plan, sleep_until

NY, BUC = "America/New_York", "Europe/Bucharest"


def at(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """Epoch seconds of a wall time in `zone`: at(BUC, 2026, 3, 9, 16, 45)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).timestamp()


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return at("UTC", year, month, day, hour, minute)


# -- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("16:30", wall(16, 30)), ("9:05", wall(9, 5)), ("00:00", wall(0)), (" 23:59 ", wall(23, 59))],
)
def test_parse_hhmm_accepts_24_hour_times(text: str, expected: wall) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9h", "12:60", "", "12:5", "1230", "-1:00", "9:30pm"])
def test_parse_hhmm_names_the_option(text: str) -> None:
    with pytest.raises(UsageError, match=r"^--stop-at: expected a 24-hour time HH:MM") as info:
        parse_hhmm(text, "--stop-at")
    assert repr(text) in str(info.value) and info.value.exit_code == 2


@pytest.mark.parametrize(
    ("kwargs", "option"),
    [
        ({"start_at": "16:30", "stop_at": "16:30"}, "--stop-at"),
        ({"duration_h": 0.0}, "--duration"),
        ({"duration_h": -2.0}, "--duration"),
        ({"duration_h": math.nan}, "--duration"),
        ({"start_at": "7pm"}, "--start-at"),
        ({"zone": "Mars/Olympus"}, "schedule.timezone"),
    ],
)
def test_bad_windows_name_what_is_wrong(kwargs: dict[str, object], option: str) -> None:
    args: dict[str, object] = {"start_at": None, "stop_at": None, "duration_h": None, "zone": ""}
    with pytest.raises(UsageError, match=f"^{option}: "):
        plan(0.0, **{**args, **kwargs})  # type: ignore[arg-type]


# -- what the options mean ----------------------------------------------------------------


def test_no_options_runs_from_now_until_stopped() -> None:
    now = at(BUC, 2026, 3, 9, 10, 0)
    assert plan(now, None, None, None, BUC) == Plan(now, None)


def test_duration_alone_counts_from_now() -> None:
    now = at(BUC, 2026, 3, 9, 10, 0)
    assert plan(now, None, None, 2.5, BUC) == Plan(now, now + 2.5 * 3600)


def test_stop_alone_is_the_next_such_time() -> None:
    now = at(BUC, 2026, 3, 9, 10, 0)
    assert plan(now, None, "18:30", None, BUC).stop_ts == at(BUC, 2026, 3, 9, 18, 30)
    assert plan(now, None, "08:00", None, BUC).stop_ts == at(BUC, 2026, 3, 10, 8, 0)
    # with a duration too, whichever comes first
    assert plan(now, None, "18:30", 1.0, BUC).stop_ts == now + 3600


def test_launched_before_the_session_waits_for_its_start() -> None:
    now = at(BUC, 2026, 3, 9, 15, 0)
    assert plan(now, "16:30", "18:30", None, BUC) == Plan(
        at(BUC, 2026, 3, 9, 16, 30), at(BUC, 2026, 3, 9, 18, 30)
    )


def test_launched_during_the_session_starts_now_and_keeps_its_end() -> None:
    now = at(BUC, 2026, 3, 9, 16, 45)
    assert plan(now, "16:30", "18:30", None, BUC) == Plan(now, at(BUC, 2026, 3, 9, 18, 30))
    # a duration is counted from the session's start, not from the late launch
    assert plan(now, "16:30", None, 2.0, BUC) == Plan(now, at(BUC, 2026, 3, 9, 18, 30))


def test_launched_after_the_session_waits_for_tomorrows() -> None:
    now = at(BUC, 2026, 3, 9, 19, 0)
    planned = plan(now, "16:30", "18:30", None, BUC)
    assert planned == Plan(at(BUC, 2026, 3, 10, 16, 30), at(BUC, 2026, 3, 10, 18, 30))
    assert planned.describe(now, BUC) == "starts Tue 16:30 (in 21 h 30 min), stops 18:30"


def test_duration_and_stop_whichever_comes_first() -> None:
    now = at(BUC, 2026, 3, 9, 12, 0)
    start = at(BUC, 2026, 3, 9, 16, 30)
    assert plan(now, "16:30", "18:30", 1.5, BUC) == Plan(start, start + 1.5 * 3600)
    assert plan(now, "16:30", "18:30", 3.0, BUC) == Plan(start, at(BUC, 2026, 3, 9, 18, 30))


def test_open_ended_start_passed_today_starts_now() -> None:
    now = at(BUC, 2026, 3, 9, 16, 45)
    assert plan(now, "16:30", None, None, BUC) == Plan(now, None)
    early = at(BUC, 2026, 3, 9, 2, 0)
    assert plan(early, "16:30", None, None, BUC) == Plan(at(BUC, 2026, 3, 9, 16, 30), None)
    assert Plan(now, None).describe(now, BUC) == "starts now, runs until stopped"


@pytest.mark.parametrize(
    ("launch", "expected"),
    [
        ((2026, 3, 9, 23, 0), ((2026, 3, 9, 23, 0), (2026, 3, 10, 6, 0))),  # during, evening
        ((2026, 3, 10, 2, 0), ((2026, 3, 10, 2, 0), (2026, 3, 10, 6, 0))),  # during, after midnight
        ((2026, 3, 10, 7, 0), ((2026, 3, 10, 22, 0), (2026, 3, 11, 6, 0))),  # after: tonight's
        ((2026, 3, 9, 21, 0), ((2026, 3, 9, 22, 0), (2026, 3, 10, 6, 0))),  # before
    ],
)
def test_overnight_session_stops_the_next_morning(
    launch: tuple[int, ...], expected: tuple[tuple[int, ...], tuple[int, ...]]
) -> None:
    planned = plan(at(BUC, *launch), "22:00", "06:00", None, BUC)
    assert planned == Plan(at(BUC, *expected[0]), at(BUC, *expected[1]))


# -- clock changes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_hour", "bucharest"),
    [
        (2, 14, "16:30"),  # both on winter time: 7 hours apart
        (9, 13, "15:30"),  # the US moved on 8 March, Europe not yet: 6 hours apart
        (30, 13, "16:30"),  # both on summer time (Europe moved on 29 March)
    ],
)
def test_new_york_open_is_right_while_europe_and_the_us_disagree(
    day: int, utc_hour: int, bucharest: str
) -> None:
    now = utc(2026, 3, day, 8, 0)
    planned = plan(now, "09:30", "16:00", None, NY)
    assert planned.start_ts == utc(2026, 3, day, utc_hour, 30)
    assert f"{local(planned.start_ts, BUC):%H:%M}" == bucharest
    assert planned.stop_ts is not None
    assert planned.stop_ts - planned.start_ts == 6.5 * 3600


def test_tomorrow_is_a_wall_clock_day_not_24_hours() -> None:
    # launched after Saturday's 09:30 in New York; Sunday 8 March the clocks go forward
    planned = plan(at(NY, 2026, 3, 7, 10, 0), "09:30", None, None, NY)
    assert planned.start_ts == at(NY, 2026, 3, 7, 10, 0)  # open-ended: already started
    waits = plan(at(NY, 2026, 3, 7, 17, 0), "09:30", "16:00", None, NY)
    assert waits.start_ts == utc(2026, 3, 8, 13, 30)  # EDT, not 14:30 as 24 h later would be


def test_overnight_session_across_the_spring_change_is_an_hour_shorter() -> None:
    planned = plan(at(BUC, 2026, 3, 28, 12, 0), "22:00", "06:00", None, BUC)
    assert planned == Plan(utc(2026, 3, 28, 20, 0), utc(2026, 3, 29, 3, 0))  # 7 h
    # a duration is elapsed time: 8 h from 22:00 EET ends at 07:00 EEST, after the stop
    assert plan(at(BUC, 2026, 3, 28, 12, 0), "22:00", "06:00", 8.0, BUC) == planned
    eight = plan(at(BUC, 2026, 3, 28, 12, 0), "22:00", None, 8.0, BUC)
    assert eight.stop_ts is not None and f"{local(eight.stop_ts, BUC):%H:%M}" == "07:00"


def test_overnight_session_across_the_autumn_change_is_an_hour_longer() -> None:
    planned = plan(at(BUC, 2026, 10, 24, 12, 0), "22:00", "06:00", None, BUC)
    assert planned == Plan(utc(2026, 10, 24, 19, 0), utc(2026, 10, 25, 4, 0))  # 9 h


def test_a_skipped_wall_time_happens_on_the_old_offset() -> None:
    planned = plan(at(NY, 2026, 3, 8, 0, 0), "02:30", None, None, NY)
    assert planned.start_ts == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    assert f"{local(planned.start_ts, NY):%H:%M}" == "03:30"


@pytest.fixture
def machine_in_new_york(machine_zone: Callable[[str], None]) -> None:
    machine_zone(NY)


@pytest.mark.usefixtures("machine_in_new_york")
def test_empty_zone_is_the_machines_zone() -> None:
    for now in (utc(2026, 3, 7, 20, 0), utc(2026, 3, 9, 12, 0), utc(2026, 11, 1, 5, 0)):
        assert plan(now, "09:30", "16:00", None, "") == plan(now, "09:30", "16:00", None, NY)


def test_window_can_be_built_from_values() -> None:
    window = Window(wall(16, 30), wall(18, 30), None, BUC)
    now = at(BUC, 2026, 3, 9, 17, 0)
    assert window.plan(now) == Plan(now, at(BUC, 2026, 3, 9, 18, 30))
    assert window.plan(now).describe(now, BUC) == "starts now, stops 18:30"


# -- waiting ------------------------------------------------------------------------------


class StepClock(ReplayClock):
    """A replay clock that records each sleep."""

    def __init__(self, start: float) -> None:
        super().__init__(start)
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        super().sleep(seconds)


def test_sleep_until_waits_in_short_steps() -> None:
    clock = StepClock(100.0)
    assert sleep_until(clock, 103.2) is True
    assert clock.time() == pytest.approx(103.2)
    assert len(clock.sleeps) == 7 and max(clock.sleeps) <= 0.5
    assert sleep_until(clock, 50.0) is True and len(clock.sleeps) == 7  # already past


def test_sleep_until_stops_when_asked() -> None:
    clock = StepClock(0.0)
    assert sleep_until(clock, 3600.0, lambda: clock.time() >= 2.0) is False
    assert clock.time() == pytest.approx(2.0)
