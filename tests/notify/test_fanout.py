"""FanoutNotifier: never blocks, drops the oldest, retries with backoff, loses nothing."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from atm.errors import PermanentNotifyError, RateLimited, TransientNotifyError
from atm.notify.base import Message
from atm.notify.fanout import Counters, FanoutNotifier, RetryPolicy

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, max_age=30.0)


class Recorder:
    """A backend that delivers into a list, or raises what its script says."""

    def __init__(self, name: str = "rec", script: Iterable[BaseException | None] = ()) -> None:
        self.name = name
        self.script: deque[BaseException | None] = deque(script)
        self.sent: list[Message] = []
        self.calls = 0
        self.closed = False

    def send(self, message: Message) -> None:
        self.calls += 1
        error = self.script.popleft() if self.script else None
        if error is not None:
            raise error
        self.sent.append(message)

    def close(self) -> None:
        self.closed = True


class Failing(Recorder):
    def __init__(self, name: str, error: BaseException) -> None:
        super().__init__(name)
        self.error = error

    def send(self, message: Message) -> None:
        self.calls += 1
        raise self.error


class Hanging(Recorder):
    """Blocks in `send` until released, like a service that never answers."""

    def __init__(self, name: str = "hang") -> None:
        super().__init__(name)
        self.started = threading.Event()
        self.release = threading.Event()

    def send(self, message: Message) -> None:
        self.calls += 1
        self.started.set()
        self.release.wait(20)
        self.sent.append(message)


class FakeTime:
    """Injected now/sleep: sleeping advances the clock at once."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def msg(i: int, kind: Any = "trigger", image: bytes | None = None) -> Message:
    return Message(kind=kind, text=f"alert {i}", ts=float(i), image_png=image, id=f"m{i:03d}")


def dead_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def dead(tmp_path: Path) -> Path:
    return tmp_path / "logs" / "dead_letter.jsonl"


def test_publish_never_blocks_while_a_backend_hangs(dead: Path, events: Any) -> None:
    hang, good = Hanging(), Recorder("good")
    fanout = FanoutNotifier([hang, good], dead, on_event=events, queue_size=100, policy=FAST)
    started = time.monotonic()
    for i in range(80):
        fanout.publish(msg(i))
    publishing = time.monotonic() - started
    assert hang.started.wait(5)
    assert publishing < 5  # generous: publishing only appends to queues
    assert not fanout.flush(timeout=0.2)  # the hung lane is still busy
    assert len(events.named("alert_sent", "good")) == 80  # ...but the other lane is done
    hang.release.set()
    assert fanout.flush(timeout=10)
    fanout.close()
    assert [m.id for m in good.sent] == [m.id for m in hang.sent] == [msg(i).id for i in range(80)]


def test_queue_drops_the_oldest_and_reports_it(dead: Path, events: Any) -> None:
    hang = Hanging()
    fanout = FanoutNotifier([hang], dead, on_event=events, policy=FAST)
    fanout.publish(msg(0))
    assert hang.started.wait(5)  # m000 is in flight; the queue is empty
    for i in range(1, 52):  # 51 more: one too many for a queue of 50
        fanout.publish(msg(i))
    [drop] = events.named("alert_dropped")
    assert drop == {
        "event": "alert_dropped",
        "backend": "hang",
        "id": "m001",
        "kind": "trigger",
        "attempts": 0,
        "reason": "dropped",
        "error": "queue full (50 alerts waiting)",
    }
    [line] = dead_lines(dead)
    assert (line["id"], line["reason"], line["backend"]) == ("m001", "dropped", "hang")
    hang.release.set()
    assert fanout.flush(timeout=10)
    fanout.close()
    assert [m.id for m in hang.sent] == ["m000"] + [msg(i).id for i in range(2, 52)]
    assert fanout.counters()["hang"] == Counters(sent=51, retried=0, failed=0, dropped=1)


def test_a_failing_backend_does_not_stop_the_other(dead: Path, events: Any) -> None:
    bad = Failing("bad", PermanentNotifyError("bad: HTTP 404: Unknown Webhook"))
    good = Recorder("good")
    fanout = FanoutNotifier([bad, good], dead, on_event=events, policy=FAST)
    for i in range(5):
        fanout.publish(msg(i))
    assert fanout.flush(timeout=10)
    fanout.close()
    assert len(good.sent) == 5
    assert bad.calls == 5  # permanent: one attempt each
    assert [r["reason"] for r in dead_lines(dead)] == ["permanent"] * 5
    assert fanout.counters() == {
        "bad": Counters(sent=0, retried=0, failed=5, dropped=0),
        "good": Counters(sent=5, retried=0, failed=0, dropped=0),
    }
    assert all(e["error"] == "bad: HTTP 404: Unknown Webhook" for e in events.final("bad"))


def test_close_is_bounded_and_dead_letters_what_is_left(dead: Path, events: Any) -> None:
    hang = Hanging()
    fanout = FanoutNotifier([hang], dead, on_event=events, policy=FAST)
    for i in range(5):
        fanout.publish(msg(i))
    assert hang.started.wait(5)
    started = time.monotonic()
    fanout.close(timeout=0.3)
    assert time.monotonic() - started < 5
    lines = dead_lines(dead)
    assert sorted(r["id"] for r in lines) == [msg(i).id for i in range(5)]
    assert {r["reason"] for r in lines} == {"shutdown"}
    assert fanout.counters()["hang"] == Counters(sent=0, retried=0, failed=5, dropped=0)
    # the in-flight request finishing late does not count twice
    hang.release.set()
    time.sleep(0.1)
    assert fanout.counters()["hang"].failed == 5
    assert not events.named("alert_sent")
    assert len(dead_lines(dead)) == 5


def test_close_drains_the_queue_when_it_can(dead: Path) -> None:
    slow = Recorder("slow")
    original = slow.send

    def send(message: Message) -> None:
        time.sleep(0.005)
        original(message)

    slow.send = send  # type: ignore[method-assign]
    fanout = FanoutNotifier([slow], dead, policy=FAST)
    for i in range(20):
        fanout.publish(msg(i))
    fanout.close(timeout=10)
    assert len(slow.sent) == 20
    assert not dead.exists()
    assert slow.closed


def test_counters_and_summary(dead: Path) -> None:
    clock = FakeTime()
    discord = Recorder("discord", [TransientNotifyError("discord: server error, HTTP 500")])
    telegram = Recorder("telegram")
    fanout = FanoutNotifier([discord, telegram], dead, now=clock.now, sleep=clock.sleep)
    for i in range(3):
        fanout.publish(msg(i))
    assert fanout.flush(timeout=10)
    assert fanout.counters() == {
        "discord": Counters(sent=3, retried=1, failed=0, dropped=0),
        "telegram": Counters(sent=3, retried=0, failed=0, dropped=0),
    }
    assert fanout.summary() == "discord 3/1/0/0 telegram 3/0/0/0"
    fanout.close()


def test_summary_leaves_the_console_out_unless_it_is_alone(dead: Path) -> None:
    both = FanoutNotifier([Recorder("console"), Recorder("discord")], dead)
    alone = FanoutNotifier([Recorder("console")], dead)
    for fanout in (both, alone):
        fanout.publish(msg(0))
        assert fanout.flush(timeout=10)
        fanout.close()
    assert both.summary() == "discord 1/0/0/0"
    assert alone.summary() == "console 1/0/0/0"


def test_retry_waits_what_the_service_asks(dead: Path, events: Any) -> None:
    clock = FakeTime()
    rec = Recorder(script=[RateLimited("rec: rate limited", 7.0)])
    fanout = FanoutNotifier([rec], dead, on_event=events, now=clock.now, sleep=clock.sleep)
    fanout.publish(msg(0))
    assert fanout.flush(timeout=10)
    fanout.close()
    assert 7.0 <= sum(clock.sleeps) <= 7.7
    [retry] = events.named("alert_retry")
    assert retry["attempt"] == 1
    assert 7.0 <= retry["delay_s"] <= 7.7
    assert retry["error"] == "rec: rate limited"
    [sent] = events.named("alert_sent")
    assert sent["attempts"] == 2
    assert sent["latency_s"] == pytest.approx(sum(clock.sleeps), abs=0.01)


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0, jitter=0.5)
    highs = [policy.delay(n, None, 0.0) for n in range(1, 9)]
    lows = [policy.delay(n, None, 0.999999) for n in range(1, 9)]
    assert highs == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert lows == pytest.approx([h / 2 for h in highs], rel=1e-5)
    assert policy.delay(1, 12.0, 0.0) == 12.0  # a service's hint is honoured, not shortened
    assert 12.0 <= policy.delay(5, 12.0, 0.99) <= 13.2


def test_attempts_are_capped(dead: Path, events: Any) -> None:
    clock = FakeTime()
    bad = Failing("bad", TransientNotifyError("bad: no reply within 10 s (timed out)"))
    fanout = FanoutNotifier([bad], dead, on_event=events, now=clock.now, sleep=clock.sleep)
    fanout.publish(msg(0))
    assert fanout.flush(timeout=10)
    fanout.close()
    assert bad.calls == 5
    assert len(clock.sleeps) == 4
    [line] = dead_lines(dead)
    assert line["reason"] == "attempts"
    assert line["attempts"] == 5
    assert line["error"] == "bad: no reply within 10 s (timed out)"
    assert fanout.counters()["bad"] == Counters(sent=0, retried=4, failed=1, dropped=0)


def test_an_alert_is_dead_lettered_when_a_retry_would_make_it_stale(dead: Path) -> None:
    clock = FakeTime()
    rec = Recorder(script=[RateLimited("rec: rate limited", 100.0)] * 2)
    fanout = FanoutNotifier([rec], dead, now=clock.now, sleep=clock.sleep)
    fanout.publish(msg(0))
    assert fanout.flush(timeout=10)
    fanout.close()
    assert rec.calls == 2  # 100 s, then another 100 s would pass the 180 s limit
    assert rec.sent == []
    [line] = dead_lines(dead)
    assert line["reason"] == "stale"
    assert "180 s" in line["error"]
    assert "rate limited" in line["error"]


def test_an_alert_that_waited_too_long_in_the_queue_is_not_sent(dead: Path) -> None:
    clock = FakeTime()
    hang = Hanging()
    fanout = FanoutNotifier([hang], dead, now=clock.now, sleep=clock.sleep)
    fanout.publish(msg(0))
    assert hang.started.wait(5)
    fanout.publish(msg(1))
    clock.t += 181  # the first send hangs for "three minutes"
    hang.release.set()
    assert fanout.flush(timeout=10)
    fanout.close()
    assert [m.id for m in hang.sent] == ["m000"]  # the one in flight still counts
    [line] = dead_lines(dead)
    assert (line["id"], line["reason"], line["attempts"]) == ("m001", "stale", 0)


def test_publish_after_close_is_dead_lettered(dead: Path) -> None:
    rec = Recorder()
    fanout = FanoutNotifier([rec], dead)
    fanout.close()
    fanout.publish(msg(9))
    assert fanout.flush(timeout=1)
    assert [(r["id"], r["reason"]) for r in dead_lines(dead)] == [("m009", "closed")]
    fanout.close()  # twice is fine


def test_a_backend_bug_is_retried_and_its_text_kept_out(dead: Path, events: Any) -> None:
    rec = Recorder(script=[RuntimeError("GET https://x/bot1:SENTINEL-TOKEN/sendMessage")])
    fanout = FanoutNotifier([rec], dead, on_event=events, policy=FAST)
    fanout.publish(msg(0))
    assert fanout.flush(timeout=10)
    fanout.close()
    assert len(rec.sent) == 1
    [retry] = events.named("alert_retry")
    assert retry["error"] == "rec: unexpected RuntimeError"


def test_a_failing_event_handler_does_not_stop_delivery(dead: Path) -> None:
    def on_event(event: dict[str, Any]) -> None:
        raise OSError("audit disk full")

    rec = Recorder(script=[TransientNotifyError("rec: HTTP 502")])
    fanout = FanoutNotifier([rec], dead, on_event=on_event, policy=FAST)
    fanout.publish(msg(0))
    fanout.publish(msg(1))
    assert fanout.flush(timeout=10)
    fanout.close()
    assert [m.id for m in rec.sent] == ["m000", "m001"]


def test_dead_letter_line_keeps_the_alert_but_not_the_image(dead: Path) -> None:
    bad = Failing("bad", PermanentNotifyError("bad: HTTP 401: 401: Unauthorized"))
    fanout = FanoutNotifier([bad], dead)
    fanout.publish(
        Message(kind="trigger", text="🟢 BUY signal", ts=12.5, image_png=b"\x89PNG...", id="a1")
    )
    assert fanout.flush(timeout=10)
    fanout.close()
    [line] = dead_lines(dead)
    assert line.pop("age_s") >= 0
    assert line == {
        "id": "a1",
        "kind": "trigger",
        "text": "🟢 BUY signal",
        "ts": 12.5,
        "has_image": True,
        "backend": "bad",
        "reason": "permanent",
        "attempts": 1,
        "error": "bad: HTTP 401: 401: Unauthorized",
    }


def test_each_backend_has_its_own_named_worker(dead: Path) -> None:
    fanout = FanoutNotifier([Recorder("discord"), Recorder("telegram")], dead)
    names = {t.name for t in threading.enumerate()}
    assert {"atm-notify-discord", "atm-notify-telegram"} <= names
    fanout.close()
    assert not {"atm-notify-discord", "atm-notify-telegram"} & {
        t.name for t in threading.enumerate()
    }


def test_backend_names_must_be_unique(dead: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        FanoutNotifier([Recorder("x"), Recorder("x")], dead)


# -- a full queue drops by kind: heartbeats, arm/prime, health, then levels and triggers ---


def test_a_full_queue_drops_heartbeats_then_arm_prime_then_health_and_triggers_last(
    dead: Path, events: Any
) -> None:
    hang = Hanging()
    fanout = FanoutNotifier([hang], dead, on_event=events, queue_size=6, policy=FAST)
    fanout.publish(msg(0))  # in flight: the queue is empty
    assert hang.started.wait(5)
    kinds = ["heartbeat", "trigger", "arm", "health", "heartbeat", "levels"]
    for i, kind in enumerate(kinds, 1):
        fanout.publish(msg(i, kind))
    for i in range(7, 12):  # five more triggers push five alerts out
        fanout.publish(msg(i, "trigger"))
    fanout.publish(msg(12, "heartbeat"))  # a heartbeat into a queue of triggers: itself
    dropped = [(e["id"], e["kind"]) for e in events.named("alert_dropped")]
    assert dropped == [
        ("m001", "heartbeat"),
        ("m005", "heartbeat"),
        ("m003", "arm"),
        ("m004", "health"),
        ("m002", "trigger"),  # then the oldest of triggers and levels
        ("m012", "heartbeat"),
    ]
    hang.release.set()
    assert fanout.flush(timeout=10)
    fanout.close()
    assert [m.id for m in hang.sent] == ["m000", "m006", "m007", "m008", "m009", "m010", "m011"]
    assert [r["reason"] for r in dead_lines(dead)] == ["dropped"] * 6


def test_a_rate_limit_holds_the_whole_lane(dead: Path) -> None:
    clock = FakeTime()
    times: list[float] = []
    rec = Recorder(script=[RateLimited("rec: rate limited", 7.0)])
    original = rec.send

    def send(message: Message) -> None:
        times.append(clock.t)
        original(message)

    rec.send = send  # type: ignore[method-assign]
    one_try = RetryPolicy(max_attempts=1)  # m000 gives up at its 429...
    fanout = FanoutNotifier(
        [rec], dead, now=clock.now, sleep=clock.sleep, rand=lambda: 0.0, policy=one_try
    )
    for i in range(3):
        fanout.publish(msg(i))
    assert fanout.flush(timeout=10)
    fanout.close()
    assert [m.id for m in rec.sent] == ["m001", "m002"]
    assert times[0] == 1000.0
    assert times[1] >= 1007.0  # ...and the next waits the quiet the service asked for


def test_the_shutdown_drain_honours_retry_after_within_its_bound(dead: Path, events: Any) -> None:
    rec = Recorder(script=[RateLimited("rec: rate limited", 0.4)])
    fanout = FanoutNotifier([rec], dead, on_event=events, policy=FAST, rand=lambda: 0.0)
    for i in range(4):
        fanout.publish(msg(i))
    fanout.close(timeout=3.0)
    assert [m.id for m in rec.sent] == ["m000", "m001", "m002", "m003"]  # waited, then sent
    assert rec.calls == 5
    assert not dead.exists()


def test_the_shutdown_drain_dead_letters_what_a_long_retry_after_holds(dead: Path) -> None:
    rec = Recorder(script=[RateLimited("rec: rate limited", 30.0)])
    fanout = FanoutNotifier([rec], dead, rand=lambda: 0.0)
    for i in range(4):
        fanout.publish(msg(i))
    deadline = time.monotonic() + 5
    while rec.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    fanout.close(timeout=0.5)
    assert time.monotonic() - started < 3
    assert rec.calls == 1  # nothing sent into the rate limit
    lines = dead_lines(dead)
    assert sorted(r["id"] for r in lines) == ["m000", "m001", "m002", "m003"]
    assert {r["reason"] for r in lines} == {"shutdown"}
