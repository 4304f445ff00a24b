"""Taken / Skipped / False signal buttons: keyboard, long-poll, journal, offset, 409."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from pydantic import SecretStr

from atm.config.journal import Journal, SymbolJournal
from atm.corpus import load_labels
from atm.journal import store
from atm.journal.recorder import PressRecorder
from atm.notify.base import Message
from atm.notify.telegram import TelegramNotifier
from atm.notify.telegram_poll import OFFSET_FILE, PressPoller
from atm.vision.image_io import write_png
from atm.workspace import Workspace
from tests.fakes.telegram import CHAT_ID, TELEGRAM_TOKEN, FakeTelegram
from tests.journal.signal_log import SYMBOL, Fired, write_signals

FIRES = [("2026-11-16 10:05:00", "BUY"), ("2026-11-16 11:41:30", "SELL")]
LEVELS = {0: (48390.0, 48520.0, 48600.0)}
JOURNAL = Journal(symbols={SYMBOL: SymbolJournal(instrument="US30", point_value=1, fee=2.5)})


class Events:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: list[dict[str, Any]] = []
        self.health: list[str] = []

    def event(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.items.append(record)

    def alert(self, text: str) -> None:
        with self.lock:
            self.health.append(text)

    def named(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [e for e in self.items if e["event"] == name]


@pytest.fixture
def fired(home: Path) -> list[Fired]:
    signals = write_signals(home, FIRES, LEVELS)
    frame = np.zeros((40, 60, 3), np.uint8)
    frame[10:20, 40:50] = (144, 238, 144)
    (home / "logs" / "fires").mkdir(parents=True)
    for s in signals:  # the raw FIRE frame the runner keeps beside the annotated one
        write_png(home / "logs" / "fires" / f"{s.id}_raw.png", frame)
    _add_frames_to_audit(home, signals)
    return signals


def _add_frames_to_audit(home: Path, signals: list[Fired]) -> None:
    """Point each signal event at its raw frame (the runner writes both in one line)."""
    for path in (home / "logs").glob("*.jsonl"):
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("event") == "signal":
                record["frame"] = str(home / "logs" / "fires" / f"{record['signal']}_raw.png")
            out.append(json.dumps(record, ensure_ascii=False))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")


def poller(home: Path, server: FakeTelegram, events: Events, chat: str = CHAT_ID) -> PressPoller:
    now = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)
    recorder = PressRecorder(Workspace(home), JOURNAL, lambda: now, events.event)
    return PressPoller(
        SecretStr(server.token),
        chat,
        home / OFFSET_FILE,
        recorder,
        api_base=server.api_base,
        on_event=events.event,
        on_health=events.alert,
        poll_s=1,
        conflict_wait=0.2,
    )


def send_trigger(server: FakeTelegram, signal: Fired, photo: bool = True) -> int:
    notifier = TelegramNotifier(
        SecretStr(server.token), CHAT_ID, api_base=server.api_base, buttons=True
    )
    image = b"\x89PNG\r\n\x1a\n" + b"0" * 64 if photo else None
    text = f"🟢 {signal.direction} signal {SYMBOL} | 10:05:00 | #{signal.id[:6]}"
    notifier.send(Message(kind="trigger", text=text, ts=signal.ts, image_png=image, id=signal.id))
    notifier.close()
    return server.sent[-1].message_id


def wait_for_journal(home: Path, seconds: float = 10.0) -> None:
    """Until the poller thread has written the journal (or `seconds` pass)."""
    deadline = time.monotonic() + seconds
    while not (home / "trades.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def events() -> Events:
    return Events()


def test_trigger_alerts_carry_the_three_buttons(
    telegram_server: FakeTelegram, fired: list[Fired]
) -> None:
    buy, sell = fired
    send_trigger(telegram_server, buy)
    send_trigger(telegram_server, sell, photo=False)
    photo, text = telegram_server.sent
    for sent, s in ((photo, buy), (text, sell)):
        assert sent.buttons() == [f"taken:{s.id}", f"skipped:{s.id}", f"false:{s.id}"]
    labels = [b["text"] for b in photo.reply_markup["inline_keyboard"][0]]  # type: ignore[index]
    assert labels == ["Taken", "Skipped", "False signal"]
    plain = TelegramNotifier(SecretStr(telegram_server.token), CHAT_ID,
                             api_base=telegram_server.api_base)  # fmt: skip
    plain.send(Message(kind="trigger", text="🟢 BUY signal X | 10:00:00", ts=0.0, id="abcd1234"))
    assert telegram_server.sent[-1].reply_markup is None  # buttons = false: none


def test_taken_press_makes_a_stub_answers_and_ticks(
    telegram_server: FakeTelegram, fired: list[Fired], home: Path, events: Events
) -> None:
    buy, _ = fired
    message_id = send_trigger(telegram_server, buy)
    update = telegram_server.press(message_id, f"taken:{buy.id}")
    p = poller(home, telegram_server, events)
    assert p.poll_once(0) == 1
    record = store.read(home / "trades.jsonl").by_signal()[buy.id]
    assert (record.decision, record.source, record.closed) == ("taken", "telegram", False)
    assert (record.sl, record.tp1, record.instrument) == (48390.0, 48520.0, "US30")
    assert telegram_server.answers[-1]["text"] == f"Taken: recorded as t{buy.id}"
    labels = [b["text"] for b in telegram_server.markup_of(message_id)["inline_keyboard"][0]]  # type: ignore[index]
    assert labels == ["✅ Taken", "Skipped", "False signal"]
    assert json.loads((home / OFFSET_FILE).read_text()) == {"offset": update + 1}
    assert p.poll_once(0) == 0 and telegram_server.pending_updates() == []  # confirmed
    assert events.named("press")[0]["choice"] == "taken"


def test_false_signal_labels_the_frame_and_a_change_of_mind_unlabels_it(
    telegram_server: FakeTelegram, fired: list[Fired], home: Path, events: Events
) -> None:
    buy, _ = fired
    message_id = send_trigger(telegram_server, buy)
    p = poller(home, telegram_server, events)
    telegram_server.press(message_id, f"false:{buy.id}")
    p.poll_once(0)
    record = store.read(home / "trades.jsonl").by_signal()[buy.id]
    assert record.false_signal
    labels = load_labels(home / "samples")
    ((name, label),) = labels.items()
    assert name == "20261116_100500_light_green.png" and label.not_fire
    assert (home / "samples" / name).read_bytes() == (
        home / "logs" / "fires" / f"{buy.id}_raw.png"
    ).read_bytes()
    telegram_server.press(message_id, f"taken:{buy.id}")
    p.poll_once(0)
    assert store.read(home / "trades.jsonl").by_signal()[buy.id].decision == "taken"
    assert not load_labels(home / "samples")[name].not_fire
    telegram_server.press(message_id, f"taken:{buy.id}")  # the same button again
    p.poll_once(0)
    assert telegram_server.answers[-1]["text"] == "Taken: already recorded"
    assert len((home / "trades.jsonl").read_text().splitlines()) == 2


def test_presses_from_another_chat_are_refused(
    telegram_server: FakeTelegram, fired: list[Fired], home: Path, events: Events
) -> None:
    buy, _ = fired
    message_id = send_trigger(telegram_server, buy)
    telegram_server.press(message_id, f"taken:{buy.id}", chat_id="-100999")
    poller(home, telegram_server, events).poll_once(0)
    assert not (home / "trades.jsonl").exists()
    assert "not the one ATM reports to" in telegram_server.answers[-1]["text"]
    assert events.named("press_refused")[0]["reason"] == "other chat"


def test_a_restart_loses_no_press_and_replays_none(
    telegram_server: FakeTelegram, fired: list[Fired], home: Path, events: Events
) -> None:
    buy, sell = fired
    first = send_trigger(telegram_server, buy)
    second = send_trigger(telegram_server, sell)
    telegram_server.press(first, f"skipped:{buy.id}")
    poller(home, telegram_server, events).poll_once(0)
    saved = (home / OFFSET_FILE).read_text()
    telegram_server.press(second, f"taken:{sell.id}")  # while ATM is stopped
    poller(home, telegram_server, events).poll_once(0)  # a new process
    by_signal = store.read(home / "trades.jsonl").by_signal()
    assert (by_signal[buy.id].decision, by_signal[sell.id].decision) == ("skipped", "taken")
    assert len((home / "trades.jsonl").read_text().splitlines()) == 2
    # a crash after the journal write, before the offset was stored: the press comes again
    (home / OFFSET_FILE).write_text(saved)
    telegram_server.press(second, f"taken:{sell.id}")
    poller(home, telegram_server, events).poll_once(0)
    assert len((home / "trades.jsonl").read_text().splitlines()) == 2  # recorded once


def test_a_journal_that_cannot_be_written_keeps_the_press_for_later(
    telegram_server: FakeTelegram, fired: list[Fired], home: Path, events: Events
) -> None:
    buy, _ = fired
    message_id = send_trigger(telegram_server, buy)
    update = telegram_server.press(message_id, f"taken:{buy.id}")
    (home / "trades.jsonl").mkdir()
    p = poller(home, telegram_server, events)
    with pytest.raises(Exception, match="is a folder"):
        p.poll_once(0)
    assert not (home / OFFSET_FILE).exists() and telegram_server.pending_updates() == [update]
    (home / "trades.jsonl").rmdir()
    p.poll_once(0)
    assert store.read(home / "trades.jsonl").by_signal()[buy.id].decision == "taken"


def test_a_409_conflict_is_one_health_alert_then_presses_resume(
    telegram_server: FakeTelegram, fired: list[Fired], home: Path, events: Events
) -> None:
    buy, _ = fired
    message_id = send_trigger(telegram_server, buy)
    telegram_server.conflict(1.0)
    p = poller(home, telegram_server, events).start()
    try:
        time.sleep(0.6)  # several polls fail meanwhile
        telegram_server.press(message_id, f"taken:{buy.id}")
        wait_for_journal(home)
    finally:
        p.stop()
    assert len(events.health) == 1 and "409 Conflict" in events.health[0]
    assert [e["kind"] for e in events.named("telegram_poll_failed")] == ["conflict"]
    assert events.named("telegram_poll_recovered")
    assert store.read(home / "trades.jsonl").by_signal()[buy.id].decision == "taken"
    assert all(TELEGRAM_TOKEN not in json.dumps(e) for e in events.items)


def test_stop_collects_the_last_presses(
    telegram_server: FakeTelegram, fired: list[Fired], home: Path, events: Events
) -> None:
    buy, sell = fired
    first = send_trigger(telegram_server, buy)
    p = poller(home, telegram_server, events).start()
    time.sleep(0.2)  # the worker is holding a long poll
    telegram_server.press(first, f"skipped:{buy.id}")
    second = send_trigger(telegram_server, sell)
    telegram_server.press(second, f"false:{sell.id}")
    p.stop()
    by_signal = store.read(home / "trades.jsonl").by_signal()
    assert by_signal[buy.id].decision == "skipped" and by_signal[sell.id].false_signal
    assert not events.health  # our own last poll ending the held one is no conflict


def test_one_overlapping_poll_is_not_a_conflict(
    telegram_server: FakeTelegram, fired: list[Fired], home: Path, events: Events
) -> None:
    buy, _ = fired
    message_id = send_trigger(telegram_server, buy)
    p = poller(home, telegram_server, events).start()
    try:
        time.sleep(0.3)  # the worker holds a long poll; `atm doctor` checks the token
        url = f"{telegram_server.api_base}/bot{telegram_server.token}/getUpdates"
        assert httpx.post(url, json={"timeout": 0, "limit": 1}).json()["ok"] is True
        time.sleep(0.3)
        telegram_server.press(message_id, f"skipped:{buy.id}")
        wait_for_journal(home)
    finally:
        p.stop()
    assert events.health == [] and not events.named("telegram_poll_failed")
    assert store.read(home / "trades.jsonl").by_signal()[buy.id].decision == "skipped"
