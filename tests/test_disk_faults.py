"""A full or read-only disk during a run costs files, never an alert and never the loop.

The workspace sits on a real 16 MiB filesystem that the test fills just before the frame
that fires; alerts go to the fake Discord and Telegram through the real fanout and
outbox. Read-only folders are read-only mounts. Every command given a read-only
workspace answers in one line with exit 2.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from atm.corpus import frame_time, load_labels
from atm.sim.corpus import write_corpus
from atm.write_faults import WriteFaults
from tests.disks import fill, read_only, run_with_hooks, small_disk
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import FakeTelegram

UNWRITABLE = "Cannot write to the workspace"
WRITABLE = "Workspace writable again"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faults") / "session"
    write_corpus(out, bars=60, scale=1.0, seed=21, theme="dark")
    return out


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path) as folder:
        yield folder


def triggers(corpus: Path) -> list[str]:
    """Frame names where the scenario fires, in order."""
    return sorted(name for name, label in load_labels(corpus).items() if label.fire)


def frame_names(corpus: Path) -> list[str]:
    return sorted(p.name for p in corpus.glob("*.png"))


def texts(discord: FakeDiscord, telegram: FakeTelegram) -> tuple[list[str], list[str]]:
    return discord.contents(), [s.text for s in telegram.sent]


def trigger_text(name: str) -> str:
    return f"signal DIA→US30 | {datetime.fromtimestamp(frame_time(Path(name))):%H:%M:%S}"


@pytest.mark.slow
def test_a_full_disk_at_a_trigger_costs_no_alert_and_says_so_once(
    corpus: Path, disk: Path, discord_server: FakeDiscord, telegram_server: FakeTelegram
) -> None:
    names, fires = frame_names(corpus), triggers(corpus)
    fired = names.index(fires[0])
    freed = names[fired + 12]  # 36 replayed minutes later: past a probe
    filler: list[Path] = []
    hooks = {fires[0]: lambda: filler.append(fill(disk)), freed: lambda: filler[0].unlink()}
    runner = run_with_hooks(corpus, disk, discord_server, telegram_server, hooks)
    for sent in texts(discord_server, telegram_server):
        assert all(sum(trigger_text(f) in t for t in sent) == 1 for f in fires)
        assert sum(UNWRITABLE in t for t in sent) == 1
        assert sum(WRITABLE in t for t in sent) == 1
        assert "disk full" in next(t for t in sent if UNWRITABLE in t)
    assert runner.sink.undelivered({"discord", "telegram"}) == []


@pytest.mark.slow
def test_an_unwritable_fires_folder_at_a_trigger_costs_no_alert(
    corpus: Path, tmp_path: Path, discord_server: FakeDiscord, telegram_server: FakeTelegram
) -> None:
    fires = triggers(corpus)
    fires_dir = tmp_path / "logs" / "fires"
    fires_dir.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        lock = {fires[0]: lambda: stack.enter_context(read_only(fires_dir))}
        run_with_hooks(corpus, tmp_path, discord_server, telegram_server, lock)
    for sent in texts(discord_server, telegram_server):
        assert all(any(trigger_text(f) in t for t in sent) for f in fires)
        assert sum(UNWRITABLE in t for t in sent) == 1
        assert any("logs/fires" in t for t in sent if UNWRITABLE in t)
    assert not list(fires_dir.glob("*.png"))  # the screenshots were refused, not the alerts


@pytest.mark.slow
def test_a_file_where_the_fires_folder_should_be_is_one_health_alert(
    corpus: Path, tmp_path: Path, discord_server: FakeDiscord, telegram_server: FakeTelegram
) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "fires").write_text("not a folder")
    run_with_hooks(corpus, tmp_path, discord_server, telegram_server, {})
    for sent in texts(discord_server, telegram_server):
        assert all(any(trigger_text(f) in t for t in sent) for f in triggers(corpus))
        assert sum(UNWRITABLE in t for t in sent) == 1


# -- commands on a read-only workspace: one line, exit 2 -------------------------------------


@pytest.fixture(scope="module")
def frozen_home(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("readonly")
    (home / "configs").mkdir()
    for name in ("a.toml", "b.toml"):
        (home / "configs" / name).write_text((corpus / "config.toml").read_text())
    (home / "configs" / "current.txt").write_text("a.toml\n")
    (home / "shot.png").write_bytes((corpus / frame_names(corpus)[5]).read_bytes())
    with read_only(home):
        yield home


COMMANDS = {
    "run": ["run", "--replay", "{corpus}"],
    "debug": ["debug", "--screenshot", "{home}/shot.png"],
    "config use": ["config", "use", "b.toml"],
    "calibrate": ["calibrate", "--screenshot", "{home}/shot.png", "--auto", "--yes"],
    "sim": ["sim", "{home}/corpus", "--bars", "3"],
    "demo": ["demo"],
}


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS.values(), ids=list(COMMANDS))
def test_a_read_only_workspace_is_one_line_and_exit_2(
    command: list[str], frozen_home: Path, corpus: Path
) -> None:
    args = [a.format(home=frozen_home, corpus=corpus) for a in command]
    done = subprocess.run(
        [sys.executable, "-m", "atm", "--home", str(frozen_home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "read-only" in lines[0] or "permission denied" in lines[0]


def test_an_episode_closes_only_when_writes_stopped_failing(tmp_path: Path) -> None:
    faults = WriteFaults(tmp_path, probe_every_s=30)
    full = OSError(errno.ENOSPC, "No space left on device")
    faults.failed(tmp_path / "logs" / "2026-11-20.jsonl", full)
    faults.failed(tmp_path / "logs" / "fires" / "x.png", full)
    opened = faults.poll(0.0)
    assert opened is not None and "disk full (logs)" in opened
    assert faults.poll(10.0) is None  # once per episode
    faults.failed(tmp_path / "samples" / "y.png", full)  # still failing between two rounds
    assert faults.poll(31.0) is None  # the probe takes, but a write failed since the last one
    closed = faults.poll(62.0)
    assert closed is not None and "logs, logs/fires, samples" in closed
    assert faults.poll(100.0) is None
    assert not list(tmp_path.rglob(".atm-write-probe"))
