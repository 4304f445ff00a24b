"""Unattended sessions, replayed: a holiday does not run, an early close stops the session,
and the dead-man's switch hears start, a ping per heartbeat, fail on a health episode and
the final ping, in order, while a dead switch leaves the alerts alone."""

from __future__ import annotations

import shutil
import socket
import sys
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import tomli_w

from atm.audit import read_jsonl
from atm.cli import main
from atm.corpus import list_frames
from atm.sim.corpus import write_corpus
from atm.vision.image_io import read_image, write_png
from tests.fakes.discord import FakeDiscord
from tests.fakes.healthcheck import CHECK_UUID, FakeHealthcheck

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="time.tzset sets the machine's zone (POSIX only)"
)

NY = "America/New_York"
SCHEDULE = {"timezone": NY, "calendar": "NYSE", "start_at": "09:30", "stop_at": "16:00"}


@pytest.fixture(autouse=True)
def new_york(machine_zone: Callable[[str], None]) -> None:
    """Frame names are local time: this machine is in New York for these tests."""
    machine_zone(NY)


_CORPORA: dict[tuple[datetime, int], Path] = {}


def session(tmp: Path, start: datetime, bars: int = 80, **config: object) -> tuple[Path, Path]:
    """A simulator session of `bars` three-minute bars from `start` (New York), and its config."""
    corpus = _CORPORA.get((start, bars))
    if corpus is None or not corpus.exists():
        corpus = tmp.parent / f"session-{start:%Y%m%d}-{bars}-{tmp.name}"
        write_corpus(corpus, bars=bars, scale=1.0, seed=21, theme="dark", start=start)
        _CORPORA[(start, bars)] = corpus
    data = tomllib.loads((corpus / "config.toml").read_text())
    data["schedule"] = SCHEDULE
    data.update(config)
    path = tmp / f"config-{start:%Y%m%d}.toml"
    path.write_text(tomli_w.dumps(data))
    return corpus, path


def run(home: Path, corpus: Path, config: Path) -> int:
    return main(["--home", str(home), "run", "--replay", str(corpus), "--config", str(config)])


def records(home: Path) -> list[dict[str, object]]:
    return [r for f in sorted((home / "logs").glob("2*.jsonl")) for r in read_jsonl(f)]


def stamp(record: dict[str, object]) -> float:
    return datetime.fromisoformat(str(record["ts"])).timestamp()


def at(hour: int, minute: int, day: int) -> float:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo(NY)).timestamp()


def test_a_holiday_does_not_run(
    tmp_path: Path, discord_server: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    notify = {"discord": {"webhook_url": discord_server.webhook_url}}
    corpus, config = session(tmp_path, datetime(2026, 11, 26, 9, 30), bars=10, notify=notify)
    assert run(tmp_path, corpus, config) == 0
    out = capsys.readouterr().out
    assert "no session today (Thanksgiving Day (NYSE)); next session Fri 09:30" in out
    assert not records(tmp_path) and not discord_server.posted


@pytest.mark.slow
def test_an_early_close_stops_the_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the day after Thanksgiving closes at 13:00; the frames run on to 13:30
    corpus, config = session(tmp_path, datetime(2026, 11, 27, 9, 30))
    assert run(tmp_path, corpus, config) == 0
    last = max(stamp(r) for r in records(tmp_path) if "state" in r)
    assert at(12, 50, 27) < last < at(13, 0, 27)
    assert any(r.get("kind") == "stop" for r in records(tmp_path))


@pytest.mark.slow
def test_an_ordinary_day_runs_to_the_last_frame(tmp_path: Path) -> None:
    corpus, config = session(tmp_path, datetime(2026, 11, 25, 9, 30))
    assert run(tmp_path, corpus, config) == 0
    assert max(stamp(r) for r in records(tmp_path) if "state" in r) > at(13, 20, 25)


# -- the dead-man's switch ------------------------------------------------------------------


def with_black_frames(corpus: Path, first: int, count: int) -> Path:
    """A copy of `corpus` whose frames `first`… are black: the screen locked for a while."""
    copy = corpus.parent / (corpus.name + "-locked")
    shutil.copytree(corpus, copy)
    for path in list_frames(copy)[first : first + count]:
        write_png(path, np.zeros_like(read_image(path)))
    return copy


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_the_switch_hears_start_heartbeats_fail_and_stop_in_order(
    tmp_path: Path, discord_server: FakeDiscord, healthcheck_server: FakeHealthcheck
) -> None:
    notify = {"discord": {"webhook_url": discord_server.webhook_url}}
    hc = {"url": healthcheck_server.ping_url}
    corpus, config = session(tmp_path, datetime(2026, 11, 25, 9, 30), notify=notify, healthcheck=hc)
    corpus = with_black_frames(corpus, 30, 4)
    assert run(tmp_path / "home", corpus, config) == 0
    # what the trader's phone got, in order, translated to what the switch should hear
    expected = ["start"]
    for post in discord_server.posted:
        if " alive " in post.content:
            expected.append("ping")
        elif post.content.startswith("⚠️ Black frame"):
            expected.append("fail")
    expected.append("ping")  # the clean stop
    assert expected.count("ping") == 8 and expected.count("fail") == 1  # 7 heartbeats + stop
    assert healthcheck_server.kinds() == expected
    fail = next(r for r in healthcheck_server.received if r.kind == "fail")
    assert fail.text.startswith("⚠️ Black frame")
    sent = [r for r in records(tmp_path / "home") if r.get("event") == "healthcheck_sent"]
    assert [r["kind"] for r in sent] == expected
    assert (
        CHECK_UUID
        not in (tmp_path / "home" / "logs")
        .joinpath(next(p.name for p in (tmp_path / "home" / "logs").glob("2*.jsonl")))
        .read_text()
    )


def with_moved_window(corpus: Path, first: int, count: int) -> Path:
    """A copy of `corpus` whose frames `first`… show the chart 60 px to the right."""
    copy = corpus.parent / (corpus.name + "-moved")
    shutil.copytree(corpus, copy)
    for path in list_frames(copy)[first : first + count]:
        write_png(path, np.roll(read_image(path), 60, axis=1))
    return copy


@pytest.mark.slow
def test_while_paused_heartbeats_say_so_and_the_switch_hears_fail(
    tmp_path: Path, discord_server: FakeDiscord, healthcheck_server: FakeHealthcheck
) -> None:
    """The window moved for half an hour: the canary pauses once the change holds still;
    every heartbeat meanwhile says nothing is watched, and the switch hears `fail`, not
    `ping` (an alive-but-blind monitor is not fine)."""
    notify = {"discord": {"webhook_url": discord_server.webhook_url}}
    corpus, config = session(
        tmp_path, datetime(2026, 11, 25, 9, 30), notify=notify,
        healthcheck={"url": healthcheck_server.ping_url},
        canary={"every_cycles": 1}, heartbeat={"minutes": 6},
    )  # fmt: skip
    corpus = with_moved_window(corpus, 20, 10)
    assert run(tmp_path / "home", corpus, config) == 0
    posted = [p.content for p in discord_server.posted]
    paused = [p for p in posted if p.startswith("⏸️")]
    assert len(paused) >= 3 and all("NOT watching the chart" in p for p in paused)
    assert all(f"delete {tmp_path / 'home' / 'PAUSED'}" in p for p in paused)
    kinds = healthcheck_server.kinds()
    assert kinds.count("fail") == len(paused)
    assert kinds.count("ping") == sum(" alive " in p for p in posted) + 1  # + the stop


@pytest.mark.slow
def test_a_dead_switch_leaves_the_alerts_alone(
    tmp_path: Path, discord_server: FakeDiscord, healthcheck_server: FakeHealthcheck
) -> None:
    notify = {"discord": {"webhook_url": discord_server.webhook_url}}
    corpus, up = session(
        tmp_path, datetime(2026, 11, 25, 9, 30), notify=notify,
        healthcheck={"url": healthcheck_server.ping_url},
    )  # fmt: skip
    assert run(tmp_path / "up", corpus, up) == 0
    with_switch = [p.content for p in discord_server.posted]
    discord_server.posted.clear()

    data = tomllib.loads(up.read_text())
    data["healthcheck"] = {"url": f"http://127.0.0.1:{dead_port()}/ping/{CHECK_UUID}"}
    down = tmp_path / "down.toml"
    down.write_text(tomli_w.dumps(data))
    assert run(tmp_path / "down", corpus, down) == 0
    without = [p.content for p in discord_server.posted]

    def signals(posts: list[str]) -> list[str]:
        return [p for p in posts if " signal " in p or p.startswith("⚠️")]

    assert signals(without) == signals(with_switch) and len(without) == len(with_switch)
    failed = [r for r in records(tmp_path / "down") if r.get("event") == "healthcheck_failed"]
    assert len(failed) == 9 and all("cannot connect" in str(r["reason"]) for r in failed)


def test_scheduled_launch_on_a_closed_day_tells_the_services(
    tmp_path: Path,
    discord_server: FakeDiscord,
    healthcheck_server: FakeHealthcheck,
    capsys: pytest.CaptureFixture[str],
) -> None:
    today = datetime.now(ZoneInfo(NY)).date()
    (tmp_path / "calendar.toml").write_text(f'[closed]\n{today} = "office move"\n')
    data = {
        "schedule": SCHEDULE,
        "notify": {"discord": {"webhook_url": discord_server.webhook_url}},
        "healthcheck": {"url": healthcheck_server.ping_url},
    }
    config = tmp_path / "live.toml"
    config.write_text(tomli_w.dumps(data))
    args = ["--home", str(tmp_path), "run", "--scheduled", "--config", str(config)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "no session today (office move); next session" in out
    assert discord_server.contents()[0].startswith("📅 ATM: no session today (office move)")
    assert healthcheck_server.kinds() == ["ping"]
    assert "office move" in healthcheck_server.received[0].text
    # without --scheduled the line is printed and nothing is sent
    assert main(args[:3] + args[4:]) == 0
    assert len(discord_server.posted) == 1 and len(healthcheck_server.received) == 1
