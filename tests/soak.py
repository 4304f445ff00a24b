"""The kill -9 soak: `atm run` killed at random moments while a backend hangs, restarted.

Real parts only: `atm run --replay` in a subprocess (each run a later day's session, as
a live restart sees new frames), SIGKILL at a random moment, the fake Discord on loopback
(some requests answered late, so kills land mid-request), and a Telegram that accepts
connections and never answers (the hanging backend). After the
last kill, one run is let finish. Then every alert id any run created must have an
outcome for each backend — delivered (an `alert_sent` in the audit) or dead-lettered with
the reason — and no id may reach Discord twice.

`tests/test_kill_soak.py` runs a few kills; `scripts/soak` runs the full figure.
"""

from __future__ import annotations

import io
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w
from rich.console import Console

from atm.corpus import frame_name, frame_time
from atm.jsonl import read_jsonl
from tests.fakes.discord import FakeDiscord
from tests.fakes.http_service import Fault

BACKENDS = ("console", "discord", "telegram")
OUTCOMES = ("alert_sent", "alert_failed", "alert_dropped")


class BlackHole:
    """A TCP server that accepts every connection and never answers: a hung service."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self.port = self._sock.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self._held.append(conn)

    def close(self) -> None:
        self._stop.set()
        for conn in self._held:
            conn.close()
        self._sock.close()


@dataclass
class SoakResult:
    kills: int = 0
    runs: int = 0
    created: set[str] = field(default_factory=set)
    outcomes: Counter[str] = field(default_factory=Counter)  # reason (or "sent") → count
    missing: list[tuple[str, str]] = field(default_factory=list)  # (id, backend) without one
    twice: list[str] = field(default_factory=list)  # ids a backend delivered twice
    tracebacks: int = 0
    seconds: float = 0.0

    @property
    def held(self) -> bool:
        return not self.missing and not self.twice and not self.tracebacks

    def summary(self) -> str:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        return (
            f"{self.kills} kill -9s, {self.runs} runs, {len(self.created)} alert ids, "
            f"{len(self.created) * len(BACKENDS)} outcomes due ({reasons}); "
            f"{len(self.missing)} without an outcome, {len(self.twice)} delivered twice, "
            f"{self.tracebacks} tracebacks, {self.seconds:.0f} s"
        )


def soak(corpus: Path, home: Path, kills: int, seed: int, life: tuple[float, float]) -> SoakResult:
    """Kill `kills` runs after a random `life` (seconds) each, then let one finish."""
    rng = random.Random(seed)
    result = SoakResult()
    started = time.monotonic()
    hole = BlackHole()
    with FakeDiscord() as discord:
        discord.chooser = lambda: Fault("hang", 0.8) if rng.random() < 0.3 else None
        config = _config(corpus, home, discord, hole.port)
        for day in range(kills):
            proc = _start(_session(corpus, home, day), home, config)
            time.sleep(rng.uniform(*life))
            proc.send_signal(signal.SIGKILL)
            _finish(proc, result)
            result.kills += 1
        _finish(_start(_session(corpus, home, kills), home, config), result, timeout=180)
        time.sleep(1.0)  # a late answer from the fake still lands in `posted`
        _check(home, discord, result)
    hole.close()
    result.seconds = time.monotonic() - started
    return result


def _config(corpus: Path, home: Path, discord: FakeDiscord, hole: int) -> Path:
    data = tomllib.loads((corpus / "config.toml").read_text())
    data["notify"] = {
        "discord": {"webhook_url": discord.webhook_url},
        "telegram": {
            "token": "123456789:SOAK-TOKEN",
            "chat_id": "-1001",
            "api_base": f"http://127.0.0.1:{hole}",
        },
    }
    path = home / "soak.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def _session(corpus: Path, home: Path, day: int) -> Path:
    """The corpus as the session of `day` days later: each restart sees new frames, as a
    live restart does (a trigger's id is the same for the same frame, by design)."""
    folder = home.parent / f"day{day:02d}"
    folder.mkdir()
    for frame in sorted(corpus.glob("*.png")):
        os.link(frame, folder / frame_name(frame_time(frame) + day * 86_400))
    return folder


def _start(corpus: Path, home: Path, config: Path) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "atm", "--home", str(home), "run", "--replay", str(corpus),
            "--config", str(config)]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    return subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _finish(proc: subprocess.Popen[str], result: SoakResult, timeout: float = 30) -> None:
    _, err = proc.communicate(timeout=timeout)
    result.runs += 1
    result.tracebacks += "Traceback" in err


def _check(home: Path, discord: FakeDiscord, result: SoakResult) -> None:
    logs = home / "logs"
    records = [r for f in sorted(logs.glob("2*.jsonl")) for r in read_jsonl(f)]
    dead = (
        list(read_jsonl(logs / "dead_letter.jsonl"))
        if (logs / "dead_letter.jsonl").exists()
        else []
    )
    texts: dict[str, str] = {}
    for r in records:
        if r.get("event") == "alert_queued":
            texts[r["id"]] = r["text"]
    for name in ("outbox.jsonl", "outbox.1.jsonl"):
        if (logs / name).exists():
            texts.update(
                {r["id"]: r["text"] for r in read_jsonl(logs / name) if r.get("op") == "alert"}
            )
    sent = Counter((r["id"], r["backend"]) for r in records if r.get("event") == "alert_sent")
    ended = set(sent) | {(d["id"], d["backend"]) for d in dead}
    ended |= {(r["id"], r["backend"]) for r in records if r.get("event") in OUTCOMES}
    result.created = set(texts) | {i for i, _ in ended}
    result.missing = sorted((i, b) for i in result.created for b in BACKENDS if (i, b) not in ended)
    result.twice = sorted(i for (i, _), n in sent.items() if n > 1)
    result.outcomes = Counter(d["reason"] for d in dead) + Counter({"sent": sum(sent.values())})
    # the service's side: no text arrives more often than alerts carried it
    carried = Counter(texts.values())
    arrived = Counter(discord.contents())
    result.twice += sorted(t for t, n in arrived.items() if n > carried[t])


def soak_workspace(base: Path, bars: int, seed: int) -> tuple[Path, Path]:
    """A simulator corpus to replay and an empty workspace."""
    from atm.sim.corpus import write_corpus

    corpus = base / "corpus"
    write_corpus(corpus, bars=bars, scale=1.0, seed=seed, theme="dark")
    home = base / "home"
    home.mkdir()
    return corpus, home


@dataclass
class DiskResult:
    runs: int = 0
    triggers: int = 0  # trigger alerts the runs produced, each due at both services
    delivered: int = 0  # of those, delivered by both
    episodes: int = 0  # "cannot write" alerts, one due per run and service
    recoveries: int = 0
    crashes: int = 0

    @property
    def held(self) -> bool:
        return (
            self.delivered == self.triggers
            and self.episodes == 2 * self.runs
            and self.recoveries == 2 * self.runs
            and not self.crashes
        )

    def summary(self) -> str:
        return (
            f"{self.runs} runs filled the disk at a random frame: {self.delivered}/"
            f"{self.triggers} triggers reached both services, {self.episodes} 'cannot write' "
            f"and {self.recoveries} recovery alerts (one each per run and service), "
            f"{self.crashes} crashes"
        )


def disk_soak(corpus: Path, base: Path, runs: int, seed: int) -> DiskResult:
    """Each run: a fresh small workspace, filled to the last byte at a random frame and
    freed a random 10-30 frames later (30-90 replayed minutes: probes run every 30 s)."""
    rng = random.Random(seed)
    names = sorted(p.name for p in corpus.glob("*.png"))
    result = DiskResult()
    for i in range(runs):
        full_at = rng.randrange(1, len(names) - 31)
        run_base = base / f"run{i}"
        run_base.mkdir()
        _disk_run(corpus, run_base, names[full_at], names[full_at + rng.randrange(10, 30)], result)
    return result


def _disk_run(corpus: Path, base: Path, full_at: str, free_at: str, result: DiskResult) -> None:
    from tests.disks import fill, run_with_hooks, small_disk
    from tests.fakes.telegram import FakeTelegram

    with small_disk(base) as disk, FakeDiscord() as discord, FakeTelegram() as telegram:
        filler: list[Path] = []
        hooks = {full_at: lambda: filler.append(fill(disk)), free_at: lambda: filler[0].unlink()}
        try:
            quiet = Console(file=io.StringIO())
            runner = run_with_hooks(corpus, disk, discord, telegram, hooks, quiet)
        except Exception:
            result.crashes += 1
            return
        result.runs += 1
        lost = runner.sink.undelivered({"discord"}) + runner.sink.undelivered({"telegram"})
        result.triggers += len(runner.sink.triggers)
        result.delivered += len(runner.sink.triggers) - len(set(lost))
        for sent in (discord.contents(), [s.text for s in telegram.sent]):
            result.episodes += sum("Cannot write to the workspace" in t for t in sent)
            result.recoveries += sum("Workspace writable again" in t for t in sent)
