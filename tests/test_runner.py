"""The monitor loop end to end: replayed sessions against the fake Discord and Telegram,
the canary's pause and resume, each health alert, and a SIGKILL mid-run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w

from atm import config as config_mod
from atm.audit import AuditLog, read_jsonl
from atm.cli import main
from atm.clock import ReplayClock
from atm.corpus import frame_time, load_labels
from atm.errors import CaptureError, WindowNotFound
from atm.frame import Frame
from atm.runner import Runner
from atm.sim.corpus import write_corpus
from atm.stages.base import Alert, Audit, Event, Tick
from atm.trial import Inbox
from atm.workspace import Workspace
from tests.fakes.discord import THREAD_ID, FakeDiscord
from tests.fakes.telegram import CHAT_ID, TOPIC_ID, FakeTelegram


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "session"
    write_corpus(out, bars=80, scale=1.0, seed=21, theme="dark")
    return out


def with_services(corpus: Path, tmp: Path, discord: FakeDiscord, telegram: FakeTelegram) -> Path:
    data = tomllib.loads((corpus / "config.toml").read_text())
    data["notify"] = {
        "discord": {"webhook_url": discord.webhook_url, "heartbeat_thread_id": THREAD_ID},
        "telegram": {
            "token": telegram.token,
            "chat_id": CHAT_ID,
            "api_base": telegram.api_base,
            "heartbeat_thread_id": TOPIC_ID,
        },
    }
    path = tmp / "config.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def expected_triggers(corpus: Path) -> list[str]:
    out = []
    for name, label in sorted(load_labels(corpus).items()):
        if label.fire:
            when = datetime.fromtimestamp(frame_time(Path(name)))
            out.append(f"{label.fire} signal DIA→US30 | {when:%H:%M:%S}")
    return out


@pytest.mark.slow
def test_replayed_session_alerts_both_services_exactly(
    corpus: Path,
    tmp_path: Path,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = with_services(corpus, tmp_path, discord_server, telegram_server)
    args = ["--home", str(tmp_path), "run", "--replay", str(corpus), "--config", str(cfg)]
    assert main(args) == 0
    expected = expected_triggers(corpus)
    assert len(expected) >= 4

    triggers = [p for p in discord_server.posted if " signal " in p.content]
    assert [p.content.split(" ", 1)[1].rsplit(" | #", 1)[0] for p in triggers] == expected
    assert all(p.files and p.thread_id is None for p in triggers)  # screenshot, main channel
    tg = [s for s in telegram_server.sent if " signal " in s.text]
    assert [s.text for s in tg] == [p.content for p in triggers]
    assert all(s.method == "sendPhoto" and s.photo is not None for s in tg)
    footers = [p.content.rsplit(" | #", 1)[1] for p in triggers]  # the signal id, short

    beats = [p for p in discord_server.posted if " alive " in p.content]
    assert len(beats) == 7  # 80 three-minute bars = 4 h: a heartbeat every 30 min
    assert all(p.thread_id == THREAD_ID for p in beats)
    assert all(s.thread_id == TOPIC_ID for s in telegram_server.sent if " alive " in s.text)

    records = [r for f in sorted((tmp_path / "logs").glob("2*.jsonl")) for r in read_jsonl(f)]
    signals = [r["signal"] for r in records if r.get("event") == "signal"]
    assert [sid[:6] for sid in signals] == footers and len(set(signals)) == len(signals)
    sent = [r for r in records if r.get("event") == "alert_sent" and r["kind"] == "trigger"]
    assert len(sent) == 3 * len(expected)  # console, Discord, Telegram
    assert all("capture_to_send_s" in r for r in sent)
    queued = [r for r in records if r.get("event") == "alert_queued" and r["kind"] == "trigger"]
    assert all(len(r["frame_hash"]) == 16 for r in queued)
    assert not (tmp_path / "logs" / "dead_letter.jsonl").exists()


# -- the loop driven frame by frame ------------------------------------------------------


class Script:
    """A capture whose frames (or failures) the test lists in advance."""

    def __init__(
        self, items: Sequence[Frame | Exception | Callable[[], Any]], clock: ReplayClock
    ) -> None:
        self._items = iter(items)
        self._clock = clock

    def grab(self) -> Frame | None:
        item = next(self._items, None)
        while callable(item):  # something the trader does between two frames
            item()
            item = next(self._items, None)
        if isinstance(item, Exception):
            self._clock.sleep(5.0)  # a live loop would have waited a cycle before this grab
            raise item
        if item is not None:
            self._clock.set(item.ts)
        return item

    def close(self) -> None:
        return None


def frames_of(corpus: Path) -> Iterator[np.ndarray]:
    from atm.vision.image_io import read_image

    for path in sorted(corpus.glob("*.png")):
        yield read_image(path)


def keep_in(inbox: list[Inbox]) -> Callable[[Any], Inbox]:
    """A notifier factory for the runner whose `Inbox` lands in `inbox`."""

    def make(on_event: Any) -> Inbox:
        inbox.append(Inbox(on_event))
        return inbox[0]

    return make


def run_script(
    corpus: Path,
    tmp_path: Path,
    items: Sequence[Frame | Exception | Callable[[], Any]],
    **changes: Any,
) -> tuple[Runner, Inbox]:
    raw = tomllib.loads((corpus / "config.toml").read_text())
    for key, value in changes.items():
        raw.setdefault(key, {}).update(value)
    config = config_mod.from_dict(raw)
    clock = ReplayClock(items[0].ts if isinstance(items[0], Frame) else 0.0)
    inbox: list[Inbox] = []
    from atm.canary import Canary

    ws = Workspace(tmp_path)
    runner = Runner(
        config,
        Script(items, clock),
        clock,
        keep_in(inbox),
        ws,
        AuditLog(ws.logs),
        canary=Canary(config.canary, ws.pause_file),
        pace=False,
    )
    return runner, inbox[0]


def health_texts(inbox: Inbox) -> list[str]:
    return [m.text for m in inbox.messages if m.kind == "health"]


T0 = 1_763_700_000.0


@pytest.mark.slow
def test_canary_pauses_once_and_resumes_when_the_file_is_deleted(
    corpus: Path, tmp_path: Path
) -> None:
    images = list(frames_of(corpus))[:40]
    moved = [np.roll(img, 60, axis=1) for img in images[10:30]]  # the window moved
    pause = tmp_path / "PAUSED"
    items: list[Frame | Exception | Callable[[], None]] = [
        Frame(img, T0 + i * 5) for i, img in enumerate(images[:10] + moved)
    ]
    seen_pause: list[str] = []
    items.append(lambda: seen_pause.append(pause.read_text()))
    items.append(pause.unlink)  # the trader put the window back and deletes the file
    items += [Frame(img, T0 + 200 + i * 5) for i, img in enumerate(images[30:40])]
    beat = {"minutes": 0.5}
    runner, inbox = run_script(corpus, tmp_path, items, canary={"every_cycles": 1}, heartbeat=beat)
    runner.run()
    texts = health_texts(inbox)
    assert sum(t.startswith("⚠️ Layout changed — auto-paused") for t in texts) == 1
    # heartbeats go on while paused, and say that nothing is watched and how to resume
    beats = [(m.ts, m.text) for m in inbox.messages if m.kind == "heartbeat"]
    paused = [text for ts, text in beats if T0 + 115 <= ts < T0 + 200]
    assert paused and all(t.startswith("⏸️") and "PAUSED" in t for t in paused)
    assert all("NOT watching the chart" in t and "signal" not in t for t in paused)
    assert all(f"to resume: delete {pause} (or restart ATM)" in t for t in paused)
    assert all(" alive " in text for ts, text in beats if not T0 + 115 <= ts < T0 + 200)
    assert sum("resumed" in t.lower() for t in texts) == 1
    records = list(read_jsonl(next((tmp_path / "logs").glob("2*.jsonl"))))
    # the change holds still for SETTLE_S (65 s: 13 frames 5 s apart), then the pause
    assert sum(1 for r in records if r.get("reason") == "paused") == 20 - 13
    cycles = [r for r in records if "reason" in r]
    assert cycles[-1]["rightmost_dot_color"] is not None  # detecting again at the end
    assert "to resume" in seen_pause[0]


def test_a_restart_clears_a_stale_pause(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "PAUSED").write_text("left by a run that was killed\n")
    frames = [Frame(img, T0 + i * 5) for i, img in enumerate(list(frames_of(corpus))[:3])]
    runner, _ = run_script(corpus, tmp_path, frames)
    runner.run()
    assert not (tmp_path / "PAUSED").exists()


def test_health_alerts_once_per_episode(corpus: Path, tmp_path: Path) -> None:
    image = next(frames_of(corpus))
    black = np.zeros_like(image)
    items: list[Frame | Exception] = [Frame(image, T0)]
    items += [Frame(black, T0 + 5 * i) for i in range(1, 6)]  # screen locked
    items += [Frame(image, T0 + 30)]
    items += [CaptureError("display gone")] * 3
    items += [WindowNotFound("no window contains 'TradeStation'")] * 15
    runner, inbox = run_script(corpus, tmp_path, items)
    runner.run()
    texts = health_texts(inbox)
    assert sum("Black frame" in t for t in texts) == 1
    assert sum("Screen visible again" in t for t in texts) == 1
    assert sum("Capture failed: display gone" in t for t in texts) == 1


@pytest.mark.slow
def test_lost_sight_and_frozen_chart(corpus: Path, tmp_path: Path) -> None:
    image = list(frames_of(corpus))[10]
    blank_strip = image.copy()
    roi = config_mod.load(corpus / "config.toml").dot_roi
    blank_strip[roi.y : roi.y + roi.h, roi.x : roi.x + roi.w] = 0  # the dots vanished
    items: list[Frame | Exception] = [Frame(blank_strip, T0 + 5 * i) for i in range(4)]
    items += [Frame(image, T0 + 30 + 30 * i) for i in range(12)]  # unchanged for 6 minutes
    runner, inbox = run_script(corpus, tmp_path, items)
    runner.run()
    texts = health_texts(inbox)
    assert sum("lost sight" in t for t in texts) == 1
    assert sum("frozen" in t.lower() for t in texts) == 1


def test_window_missing_for_a_minute_says_cannot_find_chart(corpus: Path, tmp_path: Path) -> None:
    image = next(frames_of(corpus))
    clock_items: list[Frame | Exception] = [Frame(image, T0)]
    clock_items += [WindowNotFound("gone")] * 20
    runner, inbox = run_script(corpus, tmp_path, clock_items)
    runner.run()
    assert sum("Cannot find chart" in t for t in health_texts(inbox)) == 1


@pytest.mark.slow
def test_sigkill_mid_run_leaves_every_audit_line_parseable(corpus: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "atm", "--home", str(tmp_path), "run", "--replay",
            str(corpus), "--config", str(corpus / "config.toml")]  # fmt: skip
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    logs = tmp_path / "logs"
    while time.monotonic() < deadline:
        files = list(logs.glob("2*.jsonl"))
        if files and sum(f.stat().st_size for f in files) > 20_000:
            break
        time.sleep(0.05)
    proc.kill()  # SIGKILL
    proc.wait()
    records = [r for f in logs.glob("2*.jsonl") for r in read_jsonl(f)]
    assert len(records) > 20
    assert all("ts" in r for r in records)


class CountingStage:
    """A concern added from outside: it sees every tick after the default stages."""

    def __init__(self) -> None:
        self.states: list[str | None] = []

    def observe(self, tick: Tick) -> Iterator[Event]:
        state = tick.record.get("state")
        self.states.append(state)
        if tick.full:
            yield Audit(tick.ts, {"event": "counted", "state": state})
        if len(self.states) == 3:
            yield Alert("health", "third tick seen", tick.ts)

    def close(self, ts: float) -> Iterator[Event]:
        yield Audit(ts, {"event": "counter_closed", "ticks": len(self.states)})


def test_a_new_stage_joins_without_editing_the_others(corpus: Path, tmp_path: Path) -> None:
    raw = tomllib.loads((corpus / "config.toml").read_text())
    config = config_mod.from_dict(raw)
    frames = [Frame(img, T0 + i * 5) for i, img in enumerate(list(frames_of(corpus))[:5])]
    clock = ReplayClock(T0)
    inbox: list[Inbox] = []
    ws = Workspace(tmp_path)
    counting = CountingStage()
    runner = Runner(
        config,
        Script(frames, clock),
        clock,
        keep_in(inbox),
        ws,
        AuditLog(ws.logs),
        pace=False,
        extra_stages=[counting],
    )
    runner.run()
    assert len(counting.states) == 5 and all(s is not None for s in counting.states)
    assert [m.text for m in inbox[0].messages if m.kind == "health"] == ["third tick seen"]
    records = list(read_jsonl(next((tmp_path / "logs").glob("2*.jsonl"))))
    assert sum(r.get("event") == "counted" for r in records) == 5
    closed = [r for r in records if r.get("event") == "counter_closed"]
    assert closed and closed[0]["ticks"] == 5
    # the default stages ran first: the stop ping still ends the run
    assert inbox[0].messages[-1].kind == "stop"
