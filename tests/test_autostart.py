"""`atm schedule install | show | remove`: the Task Scheduler XML checked element by element,
`schtasks` and `systemctl` replaced by fake executables on PATH that record their arguments,
the systemd units checked by `systemd-analyze verify` and their timer by `systemd-analyze
calendar`, and the trigger times across a DST-split spring."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from atm.autostart.timing import trigger_for
from atm.calendars import ExchangeCalendar
from atm.cli import main
from atm.schedule import Window

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="POSIX fakes on PATH and time.tzset (Windows: tests/windows)"
)

NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
NY, BUC = "America/New_York", "Europe/Bucharest"

# A stand-in for schtasks.exe / systemctl: appends its arguments (and, for /Create, the XML
# file's bytes) to $ATM_FAKE_LOG; /Query and is-enabled answer from a marker file, which
# holds the registered XML for `/Query /XML`.
FAKE = r"""
import json, os, sys
from pathlib import Path
log, marker = Path(os.environ["ATM_FAKE_LOG"]), Path(os.environ["ATM_FAKE_LOG"] + ".on")
args = sys.argv[1:]
entry = {"tool": Path(sys.argv[0]).name, "args": args}
if "/Create" in args:
    entry["xml"] = Path(args[args.index("/XML") + 1]).read_bytes().hex()
with log.open("a") as f:
    f.write(json.dumps(entry) + "\n")
if "/Create" in args or "enable" in args:
    marker.write_bytes(bytes.fromhex(entry.get("xml", "")))
if "/Delete" in args or "disable" in args:
    marker.unlink(missing_ok=True)
if "/Query" in args or "is-enabled" in args:
    if marker.exists() and "/XML" in args:  # the registered task, as schtasks prints it
        sys.stdout.write(marker.read_bytes().decode("utf-16"))
    sys.exit(0 if marker.exists() else 1)
"""


@pytest.fixture
def in_bucharest(machine_zone: Callable[[str], None]) -> None:
    machine_zone(BUC)


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`schtasks` and `systemctl` on PATH are fakes; returns their log file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("schtasks", "systemctl"):
        path = bin_dir / tool
        path.write_text(f"#!{sys.executable}\n{FAKE}", encoding="utf-8")
        path.chmod(0o755)
    log = tmp_path / "fake.log"
    monkeypatch.setenv("ATM_FAKE_LOG", str(log))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return log


def calls(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def home_with(tmp_path: Path, schedule: str) -> Path:
    home = tmp_path / "home"
    (home / "configs").mkdir(parents=True)
    (home / "configs" / "a.toml").write_text(f"[schedule]\n{schedule}", encoding="utf-8")
    (home / "configs" / "current.txt").write_text("a.toml\n")
    return home


NYSE = 'timezone = "America/New_York"\ncalendar = "NYSE"\nstart_at = "09:30"\nstop_at = "16:00"\n'


# -- Windows --------------------------------------------------------------------------------


def test_windows_task_is_created_from_xml_and_removed(
    tmp_path: Path, fakes: Path, in_bucharest: None, capsys: pytest.CaptureFixture[str]
) -> None:
    home = home_with(tmp_path, NYSE)
    atm = ["--home", str(home), "schedule"]
    assert main([*atm, "install", "--target", "windows"]) == 0
    assert "fires Mon–Fri 15:20 local time" in capsys.readouterr().out
    create = calls(fakes)[0]
    args = create["args"]
    assert isinstance(args, list) and args[:3] == ["/Create", "/TN", "ATM Monitor"]
    assert args[3] == "/XML" and args[5] == "/F"
    raw = bytes.fromhex(str(create["xml"]))
    assert raw[:2] == b"\xff\xfe"  # UTF-16 with its byte-order mark, as schtasks wants
    task = ET.fromstring(raw.decode("utf-16").split("\n", 1)[1])

    def text(path: str) -> str:
        found = task.find(path, NS)
        assert found is not None, path
        return found.text or ""

    assert task.tag == f"{{{NS['t']}}}Task" and task.get("version") == "1.2"
    assert text("t:Principals/t:Principal/t:LogonType") == "InteractiveToken"
    assert text("t:Principals/t:Principal/t:RunLevel") == "LeastPrivilege"
    trigger = "t:Triggers/t:CalendarTrigger"
    assert text(f"{trigger}/t:StartBoundary").endswith("T15:20:00")  # earliest local time
    days = task.find(f"{trigger}/t:ScheduleByWeek/t:DaysOfWeek", NS)
    assert days is not None
    assert [d.tag.split("}")[1] for d in days] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    ]  # fmt: skip
    assert text(f"{trigger}/t:ScheduleByWeek/t:WeeksInterval") == "1"
    assert text("t:Settings/t:MultipleInstancesPolicy") == "IgnoreNew"
    assert text("t:Settings/t:StartWhenAvailable") == "true"
    assert text("t:Settings/t:DisallowStartIfOnBatteries") == "false"
    assert text("t:Settings/t:RestartOnFailure/t:Count") == "3"
    assert text("t:Settings/t:ExecutionTimeLimit") == "PT20H"
    assert text("t:Actions/t:Exec/t:Arguments") == f"-m atm --home {home} run --scheduled"
    assert text("t:Actions/t:Exec/t:WorkingDirectory") == str(home)
    assert Path(text("t:Actions/t:Exec/t:Command")).name.startswith("python")

    assert main([*atm, "show", "--target", "windows"]) == 0
    assert "scheduled task: installed" in capsys.readouterr().out
    assert main([*atm, "remove", "--target", "windows"]) == 0
    assert "scheduled task: removed" in capsys.readouterr().out
    queries = ["/Query", "/Query", "/Query"]  # show: installed? and its XML; remove: installed?
    assert [c["args"][0] for c in calls(fakes)] == ["/Create", *queries, "/Delete"]  # type: ignore[index]
    assert main([*atm, "show", "--target", "windows"]) == 0
    assert "scheduled task: not installed" in capsys.readouterr().out


def moved_start(home: Path, start_at: str) -> None:
    """A new active config version whose session starts at `start_at`."""
    text = NYSE.replace('start_at = "09:30"', f'start_at = "{start_at}"')
    (home / "configs" / "b.toml").write_text(f"[schedule]\n{text}", encoding="utf-8")
    (home / "configs" / "current.txt").write_text("b.toml\n")


@pytest.mark.parametrize(
    ("target", "was", "wants"),
    [
        ("windows", "Mon,Tue,Wed,Thu,Fri 15:20:00 local time",
         "Mon,Tue,Wed,Thu,Fri 14:50:00 local time"),
        ("systemd", "Mon..Fri 09:20:00 America/New_York", "Mon..Fri 08:50:00 America/New_York"),
    ],
)  # fmt: skip
def test_show_says_when_the_installed_task_no_longer_matches_the_config(
    tmp_path: Path,
    fakes: Path,
    in_bucharest: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    was: str,
    wants: str,
) -> None:
    """Installed for a 09:30 session, then the session moved to 09:00: the task would start
    ATM after the bell with nothing said — `show` says it, until installed again."""
    monkeypatch.setenv("COLUMNS", "400")  # one line per message
    home = home_with(tmp_path, NYSE)
    atm = ["--home", str(home), "schedule"]
    assert main([*atm, "install", "--target", target]) == 0
    assert main([*atm, "show", "--target", target]) == 0
    assert "but the installed one" not in capsys.readouterr().out
    moved_start(home, "09:00")
    assert main([*atm, "show", "--target", target]) == 0
    out = capsys.readouterr().out
    assert f"but the installed one fires {was}, the config wants {wants}:" in out, out
    assert "`atm schedule install` again" in out and "starts" not in out
    assert main([*atm, "install", "--target", target]) == 0
    assert main([*atm, "show", "--target", target]) == 0
    assert "but the installed one" not in capsys.readouterr().out


def test_show_says_when_the_installed_task_starts_another_workspace(
    tmp_path: Path, fakes: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    old = home_with(tmp_path, NYSE)
    assert main(["--home", str(old), "schedule", "install", "--target", "systemd"]) == 0
    new = tmp_path / "moved"
    shutil.copytree(old, new)
    assert main(["--home", str(new), "schedule", "show", "--target", "systemd"]) == 0
    out = capsys.readouterr().out
    assert f"starts {sys.executable} -m atm --home {old} run --scheduled, the config wants " in out
    assert f"--home {new} run --scheduled" in out and "fires" not in out.split("but")[1]


def test_an_installed_task_that_cannot_be_read_is_said_so(
    tmp_path: Path, fakes: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    home = home_with(tmp_path, NYSE)
    atm = ["--home", str(home), "schedule"]
    assert main([*atm, "install", "--target", "systemd"]) == 0
    (tmp_path / "xdg" / "systemd" / "user" / "atm.timer").write_text("[Timer]\nPersistent=true\n")
    assert main([*atm, "show", "--target", "systemd"]) == 0
    out = capsys.readouterr().out
    assert (
        "but the installed one cannot be read (no OnCalendar= line): `atm schedule install`" in out
    )


def test_refused_by_schtasks_is_one_line_exit_2(
    tmp_path: Path, fakes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = fakes.parent / "bin" / "schtasks"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nprint('ERROR: Access is denied.')\nsys.exit(1)\n"
    )
    home = home_with(tmp_path, NYSE)
    assert main(["--home", str(home), "schedule", "install", "--target", "windows"]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "schtasks /Create refused the task: ERROR: Access is denied." in err
    )


def test_install_needs_a_start_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = home_with(tmp_path, 'timezone = "America/New_York"\n')
    assert main(["--home", str(home), "schedule", "install", "--print"]) == 2
    err = capsys.readouterr().err
    assert "a.toml: schedule.start_at: not set" in err and err.count("\n") == 1


# -- systemd ----------------------------------------------------------------------------------


def test_systemd_units_are_written_enabled_and_removed(
    tmp_path: Path, fakes: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISPLAY", ":7")
    monkeypatch.setenv("XAUTHORITY", str(tmp_path / "my auth"))
    home = home_with(tmp_path, NYSE)
    atm = ["--home", str(home), "schedule"]
    assert main([*atm, "install", "--target", "systemd"]) == 0
    units = tmp_path / "xdg" / "systemd" / "user"
    service = (units / "atm.service").read_text()
    timer = (units / "atm.timer").read_text()
    assert f"ExecStart={sys.executable} -m atm --home {home} run --scheduled\n" in service
    assert "Environment=DISPLAY=:7\n" in service
    assert f'Environment="XAUTHORITY={tmp_path / "my auth"}"\n' in service
    assert "Restart=on-failure\n" in service
    assert "OnCalendar=Mon..Fri 09:20:00 America/New_York\n" in timer
    assert "Persistent=true\n" in timer and "WantedBy=timers.target\n" in timer
    assert [c["args"] for c in calls(fakes)] == [
        ["--user", "daemon-reload"],
        ["--user", "enable", "--now", "atm.timer"],
    ]
    assert "fires Mon–Fri 09:20 America/New_York" in capsys.readouterr().out
    assert main([*atm, "show", "--target", "systemd"]) == 0
    assert "systemd timer: installed" in capsys.readouterr().out
    assert main([*atm, "remove", "--target", "systemd"]) == 0
    assert not (units / "atm.timer").exists() and not (units / "atm.service").exists()
    assert ["--user", "disable", "--now", "atm.timer"] in [c["args"] for c in calls(fakes)]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_analyze_verifies_the_units(tmp_path: Path, fakes: Path) -> None:
    home = home_with(tmp_path, NYSE)
    assert main(["--home", str(home), "schedule", "install", "--target", "systemd"]) == 0
    units = tmp_path / "xdg" / "systemd" / "user"
    done = subprocess.run(
        ["systemd-analyze", "verify", str(units / "atm.timer"), str(units / "atm.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_the_timer_fires_lead_minutes_before_each_session_through_a_dst_split(
    in_bucharest: None,
) -> None:
    """systemd's own calendar maths agrees with the session plan in the weeks when New York
    has moved its clocks and Europe has not."""
    trigger = trigger_for(wall(9, 30), 10, NY, date(2026, 3, 6))
    done = subprocess.run(
        ["systemd-analyze", "calendar", "--iterations=5", "--base-time=2026-03-06 12:00 UTC",
         trigger.on_calendar()],
        capture_output=True, text=True, timeout=60, env={**os.environ, "TZ": "UTC"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    fired = [
        datetime.strptime(m, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo("UTC"))
        for m in re.findall(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", done.stdout)
    ]
    window = Window.parse("09:30", "16:00", None, NY, ExchangeCalendar("NYSE", NY))  # weekdays
    base = datetime(2026, 3, 6, 12, tzinfo=ZoneInfo("UTC")).timestamp()
    starts = [p.start_ts for p in window.upcoming(base - 3 * 3600, 5)]
    assert [f.timestamp() for f in fired] == [s - 600 for s in starts]
    assert [f.astimezone(ZoneInfo(NY)).time() for f in fired] == [wall(9, 20)] * 5


# -- timing -------------------------------------------------------------------------------------


def test_windows_fires_at_the_earliest_local_time_of_the_year(in_bucharest: None) -> None:
    trigger = trigger_for(wall(9, 30), 10, NY, date(2026, 11, 28))
    assert trigger.local_at == wall(15, 20) and trigger.local_days == (0, 1, 2, 3, 4)
    assert trigger.at == wall(9, 20) and trigger.on_calendar() == "Mon..Fri 09:20:00 " + NY


def test_a_lead_across_midnight_moves_the_days(in_bucharest: None) -> None:
    trigger = trigger_for(wall(0, 5), 10, NY, date(2026, 11, 28))
    assert trigger.at == wall(23, 55) and trigger.days == (0, 1, 2, 3, 6)
    assert trigger.on_calendar() == "Mon,Tue,Wed,Thu,Sun 23:55:00 " + NY
    assert trigger.local_days == (0, 1, 2, 3, 4) and trigger.local_at == wall(5, 55)


def test_show_lists_the_next_three_sessions_in_both_zones(
    tmp_path: Path, fakes: Path, in_bucharest: None, capsys: pytest.CaptureFixture[str]
) -> None:
    home = home_with(tmp_path, NYSE)
    assert main(["--home", str(home), "schedule", "show", "--target", "systemd"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if re.match(r"\s*[123]\s", line)]
    assert len(rows) == 3
    for row in rows:
        exchange = re.search(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d)", row)
        assert exchange is not None and exchange.group(2) == "09:30"
        day = date.fromisoformat(exchange.group(1))
        local = datetime.combine(day, wall(9, 30), tzinfo=ZoneInfo(NY)).astimezone(ZoneInfo(BUC))
        assert f"{local:%H:%M} EE" in row  # EET or EEST
    assert "calendar: NYSE" in out and "systemd timer: not installed" in out
    assert date.today() + timedelta(days=40) > day  # the next sessions, not far ones
