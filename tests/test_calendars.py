"""Exchange calendars: holidays and early closes from the `holidays` package, the user's
calendar.toml, and what they do to a session: skipped, stopped early, same exchange time
through the weeks when Europe and the US change clocks on different dates."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from atm import config as config_mod
from atm.calendars import ExchangeCalendar, Overrides, load_overrides
from atm.clock import local
from atm.errors import ConfigError
from atm.schedule import Window, window_for

NY, CHI, BUC = "America/New_York", "America/Chicago", "Europe/Bucharest"


def at(zone: str, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> float:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone)).timestamp()


def session(calendar: str = "NYSE", overrides: Overrides | None = None) -> Window:
    cal = ExchangeCalendar(calendar, NY, overrides)  # type: ignore[arg-type]
    return Window.parse("09:30", "16:00", None, NY, cal)


# -- the library's calendars ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "day", "closed"),
    [
        ("NYSE", date(2026, 11, 26), "Thanksgiving Day (NYSE)"),
        ("NYSE", date(2026, 4, 3), "Good Friday (NYSE)"),
        ("NYSE", date(2026, 7, 3), "Independence Day (observed) (NYSE)"),
        ("CME", date(2026, 12, 25), "Christmas Day (CME)"),
        ("CME", date(2026, 11, 28), "Saturday"),
        ("NYSE", date(2026, 11, 29), "Sunday"),
    ],
)
def test_closed_days(name: str, day: date, closed: str) -> None:
    assert ExchangeCalendar(name).day(day).closed == closed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "day", "close", "zone"),
    [
        ("NYSE", date(2026, 11, 27), time(13, 0), NY),  # day after Thanksgiving
        ("NYSE", date(2026, 12, 24), time(13, 0), NY),
        ("CME", date(2026, 1, 19), time(12, 0), CHI),  # MLK day: CME pauses at noon CT
        ("CME", date(2026, 11, 27), time(12, 0), CHI),
    ],
)
def test_early_closes_in_the_exchange_zone(name: str, day: date, close: time, zone: str) -> None:
    found = ExchangeCalendar(name).day(day)  # type: ignore[arg-type]
    assert found.open and found.close == datetime.combine(day, close, tzinfo=ZoneInfo(zone))


def test_an_ordinary_day_and_no_calendar() -> None:
    assert ExchangeCalendar("NYSE").day(date(2026, 11, 25)).close is None
    assert ExchangeCalendar("none").day(date(2026, 11, 26)).open  # Thanksgiving, no calendar
    assert ExchangeCalendar("none").day(date(2026, 11, 28)).open  # a Saturday


# -- sessions ---------------------------------------------------------------------------------


def test_a_holiday_has_no_session_and_says_why() -> None:
    window = session()
    now = at(NY, 2026, 11, 26, 8, 0)  # Thanksgiving morning
    closed = window.closed_today(now)
    assert closed is not None and closed.closed == "Thanksgiving Day (NYSE)"
    nxt = window.plan(now)
    assert local(nxt.start_ts, NY) == datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo(NY))


def test_an_early_close_moves_the_stop() -> None:
    window = session()
    plan = window.plan(at(NY, 2026, 11, 27, 9, 0))
    assert plan.stop_ts == at(NY, 2026, 11, 27, 13, 0)
    assert plan.describe(at(NY, 2026, 11, 27, 9, 0), NY).endswith(
        "stops 13:00 (early close: Day after Thanksgiving Day (markets close at 1:00pm) (NYSE))"
    )
    # launched mid-session it still stops at the early close
    assert window.plan(at(NY, 2026, 11, 27, 11, 0)).stop_ts == at(NY, 2026, 11, 27, 13, 0)
    # an open-ended run on that day stops then too
    open_ended = Window(zone=NY, calendar=ExchangeCalendar("NYSE", NY))
    assert open_ended.plan(at(NY, 2026, 11, 27, 10, 0)).stop_ts == at(NY, 2026, 11, 27, 13, 0)


def test_cme_early_close_is_noon_chicago_which_is_one_pm_new_york() -> None:
    plan = session("CME").plan(at(NY, 2026, 1, 19, 9, 0))
    assert local(plan.stop_ts or 0, NY).time() == time(13, 0)


def test_a_session_that_would_start_after_the_early_close_is_skipped() -> None:
    cal = ExchangeCalendar("NYSE", NY)
    evening = Window.parse("17:00", "20:00", None, NY, cal)
    plan = evening.plan(at(NY, 2026, 12, 24, 8, 0))  # Christmas Eve closes at 13:00
    assert local(plan.start_ts, NY).date() == date(2026, 12, 28)  # 25th holiday, then weekend


def test_weekends_are_skipped_and_upcoming_lists_three() -> None:
    runs = session().upcoming(at(NY, 2026, 11, 25, 17, 0), 3)  # Wednesday evening
    days = [local(p.start_ts, NY).date() for p in runs]
    assert days == [date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1)]
    assert runs[0].early and runs[1].early == ""


def test_a_dst_split_week_starts_at_the_same_exchange_time_every_day() -> None:
    # 2026: the US moved its clocks on 8 March, Europe only on 29 March
    window = session()
    starts = [window.plan(at(BUC, 2026, 3, day, 8, 0)).start_ts for day in range(9, 14)]
    assert {local(ts, NY).time() for ts in starts} == {time(9, 30)}
    assert {local(ts, BUC).time() for ts in starts} == {time(15, 30)}  # an hour early in Europe
    later = window.plan(at(BUC, 2026, 3, 30, 8, 0)).start_ts  # both on summer time again
    assert local(later, NY).time() == time(9, 30) and local(later, BUC).time() == time(16, 30)


# -- calendar.toml ----------------------------------------------------------------------------


def test_overrides_close_open_and_shorten_days(tmp_path: Path) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(
        '[closed]\n2026-11-25 = "not trading before Thanksgiving"\n'
        '[early_close]\n2026-11-30 = "12:15"\n'
        '[open]\n2026-11-26 = "trading it anyway"\n',
        encoding="utf-8",
    )
    window = session(overrides=load_overrides(path))
    closed = window.closed_today(at(NY, 2026, 11, 25, 8, 0))
    assert closed is not None and closed.closed == "not trading before Thanksgiving"
    thanksgiving = window.plan(at(NY, 2026, 11, 26, 8, 0))
    assert local(thanksgiving.start_ts, NY).date() == date(2026, 11, 26)
    monday = window.plan(at(NY, 2026, 11, 30, 8, 0))
    assert monday.stop_ts == at(NY, 2026, 11, 30, 12, 15) and monday.early == "calendar.toml"


def test_no_override_file_is_no_overrides(tmp_path: Path) -> None:
    assert load_overrides(tmp_path / "calendar.toml") == Overrides()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[closed]\n2026-13-01 = "x"\n', r"closed\.2026-13-01: expected a date YYYY-MM-DD"),
        ('[early_close]\n2026-12-24 = "1pm"\n', r"early_close\.2026-12-24: expected a time"),
        ("[closed]\n2026-12-24 = 3\n", r"closed\.2026-12-24: expected a reason in quotes"),
        ('[holidays]\n2026-12-24 = "x"\n', r"holidays: unknown table"),
        ("closed = 3\n", r"closed: expected a table"),
        ("[closed\n", r"invalid TOML"),
    ],
)
def test_a_bad_override_file_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_overrides(path)
    assert str(info.value).startswith(str(path)) and info.value.exit_code == 2


# -- config ------------------------------------------------------------------------------------


def test_config_keys_make_the_window(tmp_path: Path) -> None:
    cfg = config_mod.from_dict(
        {"schedule": {"timezone": NY, "calendar": "CME", "start_at": "09:30", "stop_at": "16:00"}}
    )
    window = window_for(cfg.schedule, tmp_path / "calendar.toml")
    assert window.start_at == time(9, 30) and window.calendar is not None
    assert window.calendar.name == "CME"
    # the command line wins over the config
    assert window_for(cfg.schedule, tmp_path / "x.toml", "10:00").start_at == time(10, 0)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"calendar": "LSE"}, "schedule.calendar: Input should be 'CME', 'NYSE' or 'none'"),
        ({"start_at": "9.30"}, 'schedule.start_at: expected a 24-hour time "HH:MM"'),
        ({"stop_at": "24:00"}, 'schedule.stop_at: expected a 24-hour time "HH:MM"'),
        ({"lead_minutes": -1}, "schedule.lead_minutes: Input should be greater than or equal"),
    ],
)
def test_bad_schedule_keys_are_named(schedule: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config_mod.from_dict({"schedule": schedule}, source="c.toml")
