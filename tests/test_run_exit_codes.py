"""`atm run` tells the truth: exit 1 when a trigger reached no backend; the session flags
mean the same in replay time as live."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from atm.audit import read_jsonl
from atm.cli import main
from atm.corpus import frame_time
from atm.sim.corpus import write_corpus
from tests.fakes.discord import FakeDiscord
from tests.fakes.http_service import Fault
from tests.fakes.telegram import FakeTelegram
from tests.test_runner import with_services

pytestmark = pytest.mark.slow  # whole `atm` commands and replays


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exit") / "session"
    write_corpus(out, bars=40, scale=1.0, seed=21, theme="dark")
    return out


def replay(corpus: Path, home: Path, cfg: Path, *extra: str) -> int:
    return main(["--home", str(home), "run", "--replay", str(corpus), "--config", str(cfg), *extra])


def test_exit_1_when_no_backend_delivered_a_trigger(
    corpus: Path,
    tmp_path: Path,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    capsys: pytest.CaptureFixture[str],
) -> None:
    discord_server.chooser = lambda: Fault("404")  # the webhook was deleted
    telegram_server.chooser = lambda: Fault("401")  # the bot token was revoked
    assert (
        replay(corpus, tmp_path, with_services(corpus, tmp_path, discord_server, telegram_server))
        == 1
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not delivered by any backend" in err and "dead_letter.jsonl" in err


def test_exit_0_when_one_backend_delivered_every_trigger(
    corpus: Path, tmp_path: Path, discord_server: FakeDiscord, telegram_server: FakeTelegram
) -> None:
    telegram_server.chooser = lambda: Fault("401")
    assert (
        replay(corpus, tmp_path, with_services(corpus, tmp_path, discord_server, telegram_server))
        == 0
    )
    assert any(" signal " in t for t in discord_server.contents())


def seen(home: Path) -> list[float]:
    """Times of the cycles the run audited."""
    records = [r for f in sorted((home / "logs").glob("2*.jsonl")) for r in read_jsonl(f)]
    return [datetime.fromisoformat(r["ts"]).timestamp() for r in records if "state" in r]


@pytest.mark.parametrize(("flags", "minutes"), [(["--duration", "0.5"], 30), (["--stop-at"], 45)])
def test_session_flags_hold_in_replay_time(
    flags: list[str],
    minutes: int,
    corpus: Path,
    tmp_path: Path,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
) -> None:
    first = frame_time(sorted(corpus.glob("*.png"))[0])
    if flags == ["--stop-at"]:
        flags = ["--stop-at", f"{datetime.fromtimestamp(first + minutes * 60):%H:%M}"]
    cfg = with_services(corpus, tmp_path, discord_server, telegram_server)
    assert replay(corpus, tmp_path, cfg, *flags) in (0, 1)
    times = seen(tmp_path)
    assert times and min(times) >= first
    assert max(times) < first + minutes * 60  # no frame from after the stop
    assert max(times) >= first + (minutes - 6) * 60  # ...but every frame before it
