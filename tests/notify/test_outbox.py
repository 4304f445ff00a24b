"""The outbox: on disk before queued, resumed after a crash, never sent twice, bounded.

A "crash" here is a fanout abandoned with its backend hung mid-request: its lane threads
are daemons, so nothing of it runs again, exactly as after kill -9 (the kill -9 itself,
with real subprocesses and servers, is tests/test_kill_soak.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from atm.jsonl import read_jsonl
from atm.notify.base import Message, new_id
from atm.notify.fanout import FanoutNotifier, RetryPolicy
from atm.notify.outbox import Outbox
from tests.notify.test_fanout import Hanging, Recorder, dead_lines

PNG = b"\x89PNG\r\n\x1a\nscreenshot"
QUICK = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)  # max_age: 180 s


class Wall:
    """The outbox's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path / "logs"


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def hung() -> Iterator[list[Hanging]]:
    """Backends left hanging by a "crashed" fanout; released when the test ends."""
    left: list[Hanging] = []
    yield left
    for backend in left:
        backend.release.set()


def fanout(logs: Path, wall: Wall, *backends: Any, events: Any = None) -> FanoutNotifier:
    box = Outbox(logs / "outbox.jsonl", wall=wall)
    return FanoutNotifier(list(backends), logs / "dead_letter.jsonl", outbox=box, policy=QUICK,
                          on_event=events)  # fmt: skip


def crash(logs: Path, wall: Wall, hung: list[Hanging], *messages: Message) -> None:
    """Publish to a backend that hangs on the first message, then walk away."""
    hang = Hanging("svc")
    hung.append(hang)
    doomed = fanout(logs, wall, hang)
    for message in messages:
        doomed.publish(message)
    assert hang.started.wait(5)


def alert(text: str, image: bytes | None = None) -> Message:
    return Message(kind="trigger", text=text, ts=1.0, image_png=image)


def test_an_alert_is_on_disk_before_any_backend_sees_it(logs: Path, wall: Wall) -> None:
    seen: list[list[str]] = []

    class Peeking(Recorder):
        def send(self, message: Message) -> None:
            records = list(read_jsonl(logs / "outbox.jsonl"))
            seen.append([r["op"] for r in records if r.get("id") == message.id])
            super().send(message)

    box = fanout(logs, wall, Peeking("svc"))
    box.publish(alert("🟢 BUY signal"))
    assert box.flush(timeout=10)
    box.close()
    assert seen == [["alert", "send"]]
    ops = [r["op"] for r in read_jsonl(logs / "outbox.jsonl")]
    assert ops == ["alert", "send", "done"]


def test_after_a_crash_queued_alerts_are_delivered_and_the_one_in_flight_is_not_resent(
    logs: Path, wall: Wall, hung: list[Hanging], events: Any
) -> None:
    first, second, third = alert("one"), alert("two", PNG), alert("three")
    crash(logs, wall, hung, first, second, third)
    wall.t += 60  # restarted a minute later: still fresh
    svc = Recorder("svc")
    restarted = fanout(logs, wall, svc, events=events)
    assert restarted.flush(timeout=10)
    restarted.close()
    assert [(m.id, m.text, m.image_png) for m in svc.sent] == [
        (second.id, "two", PNG),  # the picture survived the crash
        (third.id, "three", None),
    ]
    [line] = dead_lines(logs / "dead_letter.jsonl")
    assert (line["id"], line["reason"]) == (first.id, "interrupted")
    assert "not resent" in line["error"]
    assert not list((logs / "outbox").glob("*.png"))  # pictures go once delivered
    # a second restart finds nothing left to do
    again = Recorder("svc")
    fanout(logs, wall, again).close()
    assert again.sent == [] and len(dead_lines(logs / "dead_letter.jsonl")) == 1


def test_alerts_too_old_after_a_restart_are_dead_lettered_not_sent_late(
    logs: Path, wall: Wall, hung: list[Hanging]
) -> None:
    first, second = alert("one"), alert("two")
    crash(logs, wall, hung, first, second)
    wall.t += 181
    svc = Recorder("svc")
    fanout(logs, wall, svc).close()
    assert svc.sent == []
    reasons = {r["id"]: r["reason"] for r in dead_lines(logs / "dead_letter.jsonl")}
    assert reasons == {first.id: "interrupted", second.id: "stale_after_restart"}


def test_a_backend_no_longer_configured_gets_its_outcome_too(
    logs: Path, wall: Wall, hung: list[Hanging], events: Any
) -> None:
    first, second = alert("one"), alert("two")
    crash(logs, wall, hung, first, second)
    other = Recorder("other")
    fanout(logs, wall, other, events=events).close()
    assert other.sent == []
    lines = dead_lines(logs / "dead_letter.jsonl")
    assert {(r["id"], r["backend"], r["reason"]) for r in lines} == {
        (first.id, "svc", "unconfigured"),
        (second.id, "svc", "unconfigured"),
    }
    assert {e["reason"] for e in events.named("alert_failed")} == {"unconfigured"}


def test_ids_continue_after_a_restart(logs: Path, wall: Wall, hung: list[Hanging]) -> None:
    last = alert("one")
    crash(logs, wall, hung, last)
    fanout(logs, wall, Recorder("svc")).close()
    assert int(new_id()[1:]) > int(last.id[1:])


def test_rotation_bounds_the_file_and_keeps_what_is_unfinished(
    logs: Path, wall: Wall, hung: list[Hanging]
) -> None:
    hang = Hanging("svc")
    hung.append(hang)
    box = Outbox(logs / "outbox.jsonl", wall=wall, limit=4000)
    doomed = FanoutNotifier([hang], logs / "dead.jsonl", outbox=box, queue_size=200)
    sent = [alert(f"alert {i} " + "x" * 40) for i in range(60)]
    for message in sent:
        doomed.publish(message)
    assert hang.started.wait(5)
    assert (logs / "outbox.1.jsonl").exists()
    assert (logs / "outbox.jsonl").stat().st_size < 4000 + 60 * 250  # unfinished + limit
    svc = Recorder("svc")
    restarted = FanoutNotifier([svc], logs / "dead.jsonl", queue_size=100, policy=QUICK,
                               outbox=Outbox(logs / "outbox.jsonl", wall=wall))  # fmt: skip
    assert restarted.flush(timeout=10)
    restarted.close()
    assert [m.id for m in svc.sent] == [m.id for m in sent[1:]]  # all but the one in flight


def test_a_torn_last_line_is_skipped_and_the_next_record_starts_a_new_line(
    logs: Path, wall: Wall, caplog: pytest.LogCaptureFixture
) -> None:
    logs.mkdir()
    path = logs / "outbox.jsonl"
    path.write_text('{"op": "floor", "id": "a000900"}\n{"op": "alert", "id": "a0009')
    svc = Recorder("svc")
    box = fanout(logs, wall, svc)
    box.publish(alert("after the tear"))
    assert box.flush(timeout=10)
    box.close()
    assert [m.text for m in svc.sent] == ["after the tear"]
    assert "outbox.jsonl:2: not a JSON line" in caplog.text
    lines = path.read_text().splitlines()
    assert all(json.loads(line) for line in lines)


def test_an_outbox_the_disk_refuses_costs_no_alert(tmp_path: Path, wall: Wall, events: Any) -> None:
    (tmp_path / "logs").write_text("a file where the logs folder should be")
    svc = Recorder("svc")
    box = Outbox(tmp_path / "logs" / "outbox.jsonl", wall=wall)
    fan = FanoutNotifier([svc], tmp_path / "dead.jsonl", outbox=box, on_event=events)
    fan.publish(alert("still goes out"))
    assert fan.flush(timeout=10)
    fan.close()
    assert [m.text for m in svc.sent] == ["still goes out"]
    failed = events.named("write_failed")
    assert failed and all(e["file"].endswith("outbox.jsonl") for e in failed)


def test_a_done_record_written_twice_or_for_an_unknown_alert_is_harmless(
    logs: Path, wall: Wall
) -> None:
    box = Outbox(logs / "outbox.jsonl", wall=wall)
    assert box.load() == []
    message = alert("x")
    box.add(message, ["svc"])
    box.done(message.id, "svc", "sent")
    box.done(message.id, "svc", "sent")
    box.done("a999999", "svc", "sent")
    box.close()
    assert Outbox(logs / "outbox.jsonl", wall=wall).load() == []


def test_outbox_writes_are_thread_safe(logs: Path, wall: Wall) -> None:
    box = Outbox(logs / "outbox.jsonl", wall=wall, limit=3000)
    messages = [alert(f"m{i}") for i in range(200)]

    def work(chunk: list[Message]) -> None:
        for m in chunk:
            box.add(m, ["a", "b"])
            box.sending(m.id, "a")
            box.done(m.id, "a", "sent")

    threads = [threading.Thread(target=work, args=(messages[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    box.close()
    left = Outbox(logs / "outbox.jsonl", wall=wall).load()
    assert sorted(u.message.id for u in left) == sorted(m.id for m in messages)
    assert all(dict(u.backends) == {"b": "queued"} for u in left)


def test_a_restart_sends_no_picture_but_its_own(logs: Path, wall: Wall, tmp_path: Path) -> None:
    """An outbox line naming another file (a hostile or corrupt workspace) sends no file."""
    logs.mkdir()
    (tmp_path / "private.png").write_bytes(b"not for the chat")
    line = {"op": "alert", "id": "a000777", "kind": "trigger", "text": "t", "ts": 1.0,
            "created": wall.t, "backends": ["svc"], "image": "../private.png"}  # fmt: skip
    (logs / "outbox.jsonl").write_text(json.dumps(line) + "\n")
    svc = Recorder("svc")
    box = fanout(logs, wall, svc)
    assert box.flush(timeout=10)
    box.close()
    assert [(m.id, m.image_png) for m in svc.sent] == [("a000777", None)]
