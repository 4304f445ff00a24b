"""Notification benchmarks; prints numbers, not a test.

1. Enqueue latency: `publish()` while the only HTTP backend hangs on a real request, with
   the queue not yet full, and full (each publish then drops the oldest alert, writes its
   dead-letter line and reports the drop).
2. Fault soak: N alerts through the fake Discord and fake Telegram over loopback with a
   share of injected faults (429, 5xx, ok:false, hang past the client timeout, crash then
   refused connections). Prints, per backend: delivered, dead-lettered, dropped, lost
   (must be 0: neither delivered nor dead-lettered) and duplicates (alerts the server
   received more than once: a timed-out request the server accepted late, then retried).

    python -m benchmarks.bench_notify [--alerts 1000] [--fault-rate 0.3] [--rate 20] [--seed 1]
                                      [--quick]
"""

from __future__ import annotations

import json
import logging
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from atm.notify.base import Message, Notifier
from atm.notify.discord import DiscordNotifier
from atm.notify.fanout import FanoutNotifier, RetryPolicy
from atm.notify.telegram import TelegramNotifier
from benchmarks._common import expect, parser
from tests.fakes.discord import FakeDiscord
from tests.fakes.http_service import Fault
from tests.fakes.telegram import CHAT_ID, FakeTelegram

FAULTS = {
    "discord": ["429", "500", "502", "hang", "crash"],
    "telegram": ["429", "500", "502", "ok_false_500", "hang", "crash"],
}
# Short so the soak finishes in about a minute; the ratios are what matter
CLIENT_TIMEOUT = 0.1
HANG = 0.3  # longer than the client timeout: the request times out, the server posts late
DOWN = 0.05  # how long a crashed server refuses connections
SOAK_POLICY = RetryPolicy(max_attempts=6, base_delay=0.05, max_delay=0.5, max_age=60.0)


class AuditSink:
    """Stands in for the runner's audit log: one JSON line per event, flushed."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="utf-8")
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self._file.write(json.dumps(event) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def enqueue_latency(n: int) -> None:
    print("== enqueue latency while the Discord backend hangs on a real request ==")
    with FakeDiscord() as server, tempfile.TemporaryDirectory() as tmp:
        server.chooser = lambda: Fault("hang", 60.0)
        backend = DiscordNotifier(SecretStr(server.webhook_url), timeout=60.0)
        sink = AuditSink(Path(tmp) / "audit.jsonl")
        fanout = FanoutNotifier([backend], Path(tmp) / "dead_letter.jsonl", on_event=sink)
        fanout.publish(Message(kind="trigger", text="first", ts=0.0))
        while not server.requests:  # the first alert is in flight, the worker is stuck
            time.sleep(0.01)
        not_full: list[float] = []
        full: list[float] = []
        for i in range(n):
            message = Message(kind="trigger", text=f"alert {i}", ts=float(i))
            start = time.perf_counter_ns()
            fanout.publish(message)
            (not_full if i < 50 else full).append((time.perf_counter_ns() - start) / 1000)
        started = time.monotonic()
        fanout.close(timeout=0.5)
        closed = time.monotonic() - started
        sink.close()
        drops = sum(1 for e in sink.events if e["event"] == "alert_dropped")
        for label, values in (("queue not full", not_full), ("queue full, drop", full)):
            print(
                f"  {label:17} n={len(values):5d}  p50 {pct(values, 0.5):7.1f} µs  "
                f"p99 {pct(values, 0.99):7.1f} µs  max {max(values):8.1f} µs"
            )
        print(f"  drops reported {drops}; close(0.5) returned after {closed:.2f} s")


def soak(alerts: int, fault_rate: float, rate: float, seed: int) -> None:
    print(
        f"== fault soak: {alerts} alerts, {fault_rate:.0%} of requests faulted, "
        f"published at {rate:g}/s =="
    )
    rng = random.Random(seed)
    lock = threading.Lock()

    def chooser(kinds: list[str]) -> Callable[[], Fault | None]:
        def pick() -> Fault | None:
            with lock:
                if rng.random() >= fault_rate:
                    return None
                kind = rng.choice(kinds)
            seconds = {"429": 0.05, "hang": HANG, "crash": DOWN}.get(kind, 0.0)
            return Fault(kind, seconds)

        return pick

    with FakeDiscord() as discord, FakeTelegram() as telegram, tempfile.TemporaryDirectory() as tmp:
        discord.chooser = chooser(FAULTS["discord"])
        telegram.chooser = chooser(FAULTS["telegram"])
        backends: list[Notifier] = [
            DiscordNotifier(SecretStr(discord.webhook_url), timeout=CLIENT_TIMEOUT),
            TelegramNotifier(
                SecretStr(telegram.token),
                CHAT_ID,
                api_base=telegram.api_base,
                timeout=CLIENT_TIMEOUT,
            ),
        ]
        dead = Path(tmp) / "dead_letter.jsonl"
        sink = AuditSink(Path(tmp) / "audit.jsonl")
        fanout = FanoutNotifier(backends, dead, on_event=sink, policy=SOAK_POLICY)
        ids = []
        started = time.monotonic()
        for i in range(alerts):
            image = b"\x89PNG\r\n\x1a\n" + bytes(64) if i % 4 == 0 else None
            message = Message(kind="trigger", text=f"soak {i:04d}", ts=float(i), image_png=image)
            ids.append(message.id)
            fanout.publish(message)
            time.sleep(max(0.0, started + (i + 1) / rate - time.monotonic()))
        fanout.close(timeout=60)
        elapsed = time.monotonic() - started
        time.sleep(HANG + 0.2)  # let hung server threads finish their late posts
        sink.close()
        received = {
            "discord": Counter(discord.contents()),
            "telegram": Counter(telegram.texts()),
        }
        requests = {"discord": len(discord.requests), "telegram": len(telegram.requests)}
        injected = {
            "discord": Counter(r.fault for r in discord.requests if r.fault),
            "telegram": Counter(r.fault for r in telegram.requests if r.fault),
        }
        letters = (
            [json.loads(line) for line in dead.read_text().splitlines()] if dead.exists() else []
        )
        texts = {m_id: f"soak {i:04d}" for i, m_id in enumerate(ids)}
        print(f"  wall time {elapsed:.1f} s (publishing + draining); {fanout.summary()}")
        for name in ("discord", "telegram"):
            lost = report(name, ids, texts, sink.events, letters, received[name])
            expect(lost == 0, f"{name}: {lost} alerts neither delivered nor dead-lettered")
            faults = ", ".join(f"{k} {v}" for k, v in sorted(injected[name].items()))
            print(f"    requests {requests[name]}, faults injected: {faults}")


def report(
    name: str,
    ids: list[str],
    texts: dict[str, str],
    events: list[dict[str, Any]],
    letters: list[dict[str, Any]],
    received: Counter[str],
) -> int:
    """Print one backend's outcome; return how many alerts were lost."""
    mine = [e for e in events if e["backend"] == name]
    sent = {e["id"] for e in mine if e["event"] == "alert_sent"}
    dropped = {e["id"] for e in mine if e["event"] == "alert_dropped"}
    dead = {r["id"] for r in letters if r["backend"] == name}
    reasons = Counter(r["reason"] for r in letters if r["backend"] == name)
    on_server = {m_id for m_id in ids if received[texts[m_id]] > 0}
    lost = [m_id for m_id in ids if m_id not in sent and m_id not in dead]
    phantom = sent - on_server  # the client says sent, the server never saw it
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    latencies = [e["latency_s"] for e in mine if e["event"] == "alert_sent"]
    print(
        f"  {name:9} delivered {len(sent):4d}  dead-lettered {len(dead - dropped):3d} "
        f"{dict(reasons)}  dropped {len(dropped)}  lost {len(lost)}  "
        f"sent-but-not-received {len(phantom)}  duplicates {duplicates} "
        f"(alerts {sum(1 for n in received.values() if n > 1)})  "
        f"dead-lettered-but-received {len(dead & on_server)}"
    )
    if latencies:
        print(
            f"    delivery latency p50 {statistics.median(latencies) * 1000:.0f} ms  "
            f"p95 {pct(latencies, 0.95) * 1000:.0f} ms  p99 {pct(latencies, 0.99) * 1000:.0f} ms  "
            f"max {max(latencies) * 1000:.0f} ms"
        )
    return len(lost)


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--alerts", type=int, default=1000)
    cli.add_argument("--fault-rate", type=float, default=0.3)
    cli.add_argument("--rate", type=float, default=20.0, help="alerts published per second")
    cli.add_argument("--seed", type=int, default=1)
    cli.add_argument("--enqueue", type=int, default=10_000, help="publishes timed")
    args = cli.parse_args(argv)
    if args.quick:
        args.enqueue, args.alerts, args.rate = 200, 60, 40.0
    # the fanout logs every drop and failure at WARNING; the numbers below say it all
    logging.basicConfig(level=logging.ERROR)
    enqueue_latency(args.enqueue)
    soak(args.alerts, args.fault_rate, args.rate, args.seed)


if __name__ == "__main__":
    main()
