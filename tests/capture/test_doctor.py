"""`atm doctor` on a real X display against the fake Discord, Telegram and healthcheck
services: all ✓, then each fault injected alone makes exactly its row ✗ with a fix, and
no token reaches the output. The scheduler is a fake `systemctl` on PATH."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w

from atm.cli import main
from atm.sim.corpus import corpus_config
from atm.sim.theme import DARK
from tests.fakes.discord import DISCORD_TOKEN, FakeDiscord
from tests.fakes.healthcheck import CHECK_UUID, FakeHealthcheck
from tests.fakes.http_service import Fault
from tests.fakes.live_session import AXIS, LAYOUT, TITLE, frame
from tests.fakes.telegram import TELEGRAM_TOKEN, FakeTelegram
from tests.fakes.xvfb import ImageWindow, ShowImage, XServer

SECRETS = (DISCORD_TOKEN, TELEGRAM_TOKEN.split(":")[1], CHECK_UUID)
DOTS = ["gray", "turquoise", "gray", "dark_green", "light_green"]
SYSTEMCTL = "#!{python}\nimport sys\nsys.exit(0)\n"  # enable, daemon-reload, is-enabled: yes


@pytest.fixture
def home(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    healthcheck_server: FakeHealthcheck,
) -> Path:
    """A workspace whose active config points at the fakes, with the systemd timer installed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "systemctl"
    fake.write_text(SYSTEMCTL.format(python=sys.executable))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for var in ("ATM_DISCORD_URL", "ATM_TG_TOKEN", "ATM_TG_CHAT"):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    write_config(home, discord_server.webhook_url, telegram_server, healthcheck_server.ping_url)
    assert main(["--home", str(home), "schedule", "install", "--target", "systemd"]) == 0
    return home


def write_config(
    home: Path, webhook: str, telegram: FakeTelegram, ping_url: str, start_at: str = "09:30"
) -> None:
    data: dict[str, Any] = corpus_config(LAYOUT, DARK, AXIS)
    data["window_title"] = TITLE
    data["notify"] = {
        "discord": {"webhook_url": webhook},
        "telegram": {
            "token": telegram.token,
            "chat_id": telegram.chat_id,
            "api_base": telegram.api_base,
        },
    }
    data["healthcheck"] = {"url": ping_url}
    data["schedule"] = {"timezone": "America/New_York", "calendar": "NYSE",
                        "start_at": start_at, "stop_at": "16:00"}  # fmt: skip
    configs = home / "configs"
    configs.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now():%Y-%m-%d-%H%M}.toml"
    (configs / name).write_text(tomli_w.dumps(data))
    (configs / "current.txt").write_text(name + "\n")


def doctor(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["--home", str(home), "doctor", "--json"])
    out = capsys.readouterr()
    for secret in SECRETS:
        assert secret not in out.out + out.err
    return code, json.loads(out.out)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["check"]: c["status"] for c in report["checks"]}


def failing(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {c["check"]: c for c in report["checks"] if c["status"] == "fail"}


@pytest.fixture
def chart(show_image: ShowImage) -> ImageWindow:
    return show_image(frame(DOTS), x=0, y=0, title=TITLE)


def test_all_green_against_the_fakes(
    display: XServer,
    home: Path,
    chart: ImageWindow,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("rapidocr")
    code, report = doctor(home, capsys)
    assert code == 0 and report["ok"], report
    assert set(statuses(report).values()) == {"ok"}, report
    rows = {c["check"]: c["detail"] for c in report["checks"]}
    assert rows["dot strip"].startswith("rightmost dot light_green")
    assert rows["discord"] == "webhook 'ATM alerts' → channel 111111111111111111"
    assert rows["telegram bot"] == "@atm_alerts_bot"
    assert rows["telegram poller"] == "no other poller or webhook on this token"
    assert rows["scheduled task"] == "systemd: installed for this user"
    assert report["elapsed_s"] < 5.0  # services up: the bound the issue sets
    assert not discord_server.posted and not telegram_server.sent  # nothing was posted


def test_the_table_names_each_fix(
    display: XServer,
    home: Path,
    chart: ImageWindow,
    discord_server: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # one line per row
    discord_server.script(Fault("404"))
    assert main(["--home", str(home), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "✗  discord" in out and "the webhook was deleted or mistyped" in out
    assert "✓  telegram bot" in out and "1 failed" in out
    assert DISCORD_TOKEN not in out and not discord_server.posted


FAULTS = {
    "webhook 404": "discord",
    "telegram 401": "telegram bot",
    "second poller": "telegram poller",
    "webhook on the bot": "telegram poller",
    "hanging service": "discord",
    "wrong chat": "telegram chat",
    "unknown healthcheck": "dead-man's switch",
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_service_fault_fails_exactly_its_row(
    fault: str,
    display: XServer,
    home: Path,
    chart: ImageWindow,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    healthcheck_server: FakeHealthcheck,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("rapidocr")
    if fault == "webhook 404":
        url = discord_server.webhook_url.replace("/1234567890123456789/", "/1234567890123456000/")
        write_config(home, url, telegram_server, healthcheck_server.ping_url)
    elif fault == "telegram 401":
        telegram_server.token = "123456789:SENTINEL-REVOKED-TOKEN-xyz"
    elif fault == "second poller":
        telegram_server.other_poller = True
    elif fault == "webhook on the bot":
        telegram_server.webhook = True
    elif fault == "hanging service":
        discord_server.chooser = lambda: Fault("hang", 8.0)
    elif fault == "wrong chat":
        telegram_server.chat_id = "-1009999999999"
    elif fault == "unknown healthcheck":
        healthcheck_server.uuid = "another-check-uuid-000000"
    code, report = doctor(home, capsys)
    assert code == 1
    failed = failing(report)
    assert list(failed) == [FAULTS[fault]], report
    assert failed[FAULTS[fault]]["fix"]
    others = {k: v for k, v in statuses(report).items() if k != FAULTS[fault]}
    assert set(others.values()) <= {"ok", "skip"}, report
    assert report["elapsed_s"] < 15.0
    if fault == "hanging service":
        assert "no reply within 3 s" in failed["discord"]["detail"]
    if fault == "second poller":
        assert "terminated by other getUpdates request" in failed["telegram poller"]["detail"]


def test_a_session_moved_after_the_task_was_installed_warns(
    display: XServer,
    home: Path,
    chart: ImageWindow,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    healthcheck_server: FakeHealthcheck,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The timer was installed for 09:30; the session now starts at 08:30. The task would
    start ATM 50 minutes late, silently: the doctor says so and how to fix it."""
    write_config(home, discord_server.webhook_url, telegram_server, healthcheck_server.ping_url,
                 start_at="08:30")  # fmt: skip
    code, report = doctor(home, capsys)
    task = next(c for c in report["checks"] if c["check"] == "scheduled task")
    assert code == 0 and task["status"] == "warn", report
    assert task["detail"] == (
        "systemd: installed, but it fires Mon..Fri 09:20:00 America/New_York, the config "
        "wants Mon..Fri 08:20:00 America/New_York"
    )
    assert task["fix"] == "`atm schedule install` again"


def test_a_black_screen_fails_the_capture_row(
    display: XServer, home: Path, show_image: ShowImage, capsys: pytest.CaptureFixture[str]
) -> None:
    show_image(np.zeros((LAYOUT.height, LAYOUT.width, 3), np.uint8), x=0, y=0, title=TITLE)
    code, report = doctor(home, capsys)
    assert code == 1 and list(failing(report)) == ["capture"], report
    capture = failing(report)["capture"]
    assert "black" in capture["detail"] and "docs/windows.md" in capture["fix"]
    assert statuses(report)["dot strip"] == "skip"  # one cause, one ✗


def test_no_chart_window_fails_the_window_row(
    display: XServer, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = doctor(home, capsys)
    assert code == 1 and list(failing(report)) == ["window"], report
    assert f"no window title contains {TITLE!r}" in failing(report)["window"]["detail"]
    assert {statuses(report)[r] for r in ("capture", "dot strip", "price axis")} == {"skip"}


Services = tuple[FakeDiscord, FakeTelegram, FakeHealthcheck]


@pytest.fixture
def services(
    discord_server: FakeDiscord, telegram_server: FakeTelegram, healthcheck_server: FakeHealthcheck
) -> Services:
    return discord_server, telegram_server, healthcheck_server


def test_everything_hanging_stays_within_bounds(
    display: XServer,
    home: Path,
    chart: ImageWindow,
    services: Services,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for server in services:
        server.chooser = lambda: Fault("hang", 20.0)
    code, report = doctor(home, capsys)
    assert code == 1
    assert set(failing(report)) == {"discord", "telegram bot", "dead-man's switch"}
    assert report["elapsed_s"] < 15.0  # the bound the issue sets with everything hanging


def test_clock_skew_is_reported(
    display: XServer, home: Path, chart: ImageWindow, services: Services,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    for server in services:
        server.clock_offset_s = 120.0  # the services' clocks are two minutes ahead of ours
    code, report = doctor(home, capsys)
    assert code == 1 and list(failing(report)) == ["clock"]
    assert failing(report)["clock"]["detail"].startswith("+12")
