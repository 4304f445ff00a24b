"""Both HTTP backends against the fake servers over loopback, through every documented fault."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from atm.notify.base import Message, Notifier
from atm.notify.discord import DiscordNotifier
from atm.notify.fanout import FanoutNotifier, RetryPolicy
from atm.notify.telegram import TelegramNotifier
from tests.fakes.discord import THREAD_ID, FakeDiscord
from tests.fakes.http_service import Fault
from tests.fakes.telegram import CHAT_ID, TOPIC_ID, FakeTelegram

POLICY = RetryPolicy(max_attempts=3, base_delay=0.02, max_delay=0.1, max_age=30.0)
TIMEOUT = 0.4  # the client's; a hang sleeps longer
HANG = Fault("hang", 1.2)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass(frozen=True)
class Case:
    name: str
    faults: tuple[Fault, ...] = ()
    outcome: str = "sent"  # or the dead-letter reason: permanent, attempts
    attempts: tuple[int, int] = (1, 1)  # inclusive range
    error: dict[str, str] = field(default_factory=dict)  # backend → text the error must show
    setup: str = ""  # "refused", "wrong_token", "wrong_chat", "text_only"
    only: str = ""  # run for this backend only


def _both(text: str) -> dict[str, str]:
    return {"discord": text, "telegram": text}


CASES = [
    Case("200"),
    Case("200-text-only", setup="text_only"),
    Case("429-then-ok", (Fault("429", 0.05),), attempts=(2, 2)),
    Case("500-then-ok", (Fault("500"),), attempts=(2, 2)),
    Case("502-html-then-ok", (Fault("502"),), attempts=(2, 2)),
    Case("hang-then-ok", (HANG,), attempts=(2, 2)),
    Case("reset-then-ok", (Fault("crash", 0.0),), attempts=(2, 3)),
    Case("500-always", (Fault("500"),) * 3, "attempts", (3, 3), _both("Internal Server Error")),
    Case("429-always", (Fault("429", 0.01),) * 3, "attempts", (3, 3), _both("rate limited")),
    Case("hang-always", (HANG,) * 3, "attempts", (3, 3), _both("timed out")),
    Case("refused", (), "attempts", (3, 3), _both("cannot connect"), setup="refused"),
    Case(
        "400",
        (Fault("400"),),
        "permanent",
        error={
            "discord": "Cannot send an empty message",
            "telegram": "Bad Request: chat not found",
        },
    ),
    Case(
        "401",
        (Fault("401"),),
        "permanent",
        error={"discord": "401: Unauthorized", "telegram": "Unauthorized"},
    ),
    Case(
        "403",
        (Fault("403"),),
        "permanent",
        error={
            "discord": "Missing Permissions",
            "telegram": "Forbidden: bot was blocked by the user",
        },
    ),
    Case(
        "404",
        (Fault("404"),),
        "permanent",
        error={"discord": "Unknown Webhook (code 10015)", "telegram": "Not Found"},
    ),
    Case("204", (Fault("204"),), only="discord"),
    Case(
        "wrong-token",
        (),
        "permanent",
        error={"discord": "Invalid Webhook Token", "telegram": "Unauthorized"},
        setup="wrong_token",
    ),
    Case(
        "ok-false-at-200",
        (Fault("ok_false"),),
        "permanent",
        error={"telegram": "Bad Request: chat not found"},
        only="telegram",
    ),
    Case("ok-false-500-then-ok", (Fault("ok_false_500"),), attempts=(2, 2), only="telegram"),
    Case("not-json-then-ok", (Fault("not_json"),), attempts=(2, 2), only="telegram"),
    Case(
        "wrong-chat",
        (),
        "permanent",
        error={"telegram": "Bad Request: chat not found"},
        setup="wrong_chat",
        only="telegram",
    ),
]

PARAMS = [
    pytest.param(backend, case, id=f"{backend}-{case.name}")
    for case in CASES
    for backend in ("discord", "telegram")
    if case.only in ("", backend)
]


def make_backend(
    backend: str, case: Case, discord: FakeDiscord, telegram: FakeTelegram, dead_port: int
) -> tuple[Notifier, Any]:
    if backend == "discord":
        url = discord.webhook_url
        if case.setup == "refused":
            url = url.replace(f":{discord.port}/", f":{dead_port}/")
        if case.setup == "wrong_token":
            url = url.replace(discord.token, "SENTINEL-DISCORD-TOKEN-xyz-old")
        notifier: Notifier = DiscordNotifier(
            SecretStr(url), heartbeat_thread_id=THREAD_ID, timeout=TIMEOUT
        )
        return notifier, discord
    base = telegram.api_base
    if case.setup == "refused":
        base = base.replace(str(telegram.port), str(dead_port))
    token = telegram.token + ("x" if case.setup == "wrong_token" else "")
    chat = "-1009999" if case.setup == "wrong_chat" else CHAT_ID
    notifier = TelegramNotifier(
        SecretStr(token), chat, api_base=base, heartbeat_thread_id=str(TOPIC_ID), timeout=TIMEOUT
    )
    return notifier, telegram


@pytest.mark.parametrize(("backend", "case"), PARAMS)
def test_backend_conformance(
    backend: str,
    case: Case,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    dead_port: int,
    tmp_path: Path,
    events: Any,
    no_secret: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    notifier, server = make_backend(backend, case, discord_server, telegram_server, dead_port)
    server.script(*case.faults)
    dead = tmp_path / "dead_letter.jsonl"
    fanout = FanoutNotifier([notifier], dead, on_event=events, policy=POLICY)
    image = None if case.setup == "text_only" else PNG
    message = Message(
        kind="trigger", text="🟢 BUY signal DIA→US30 | 22:47:03", ts=0.0, image_png=image
    )
    fanout.publish(message)
    assert fanout.flush(timeout=15)
    fanout.close(timeout=1)

    [end] = events.final(backend)
    low, high = case.attempts
    assert low <= end["attempts"] <= high
    if case.setup != "refused":
        assert len(server.requests) >= end["attempts"]  # a crash may see one more connection
    counters = fanout.counters()[backend]
    assert counters.retried == end["attempts"] - 1
    if case.outcome == "sent":
        assert end["event"] == "alert_sent"
        assert counters.sent == 1
        assert not dead.exists()
        delivered = discord_server.contents() if backend == "discord" else telegram_server.texts()
        assert message.text in delivered
    else:
        assert end["event"] == "alert_failed"
        assert end["reason"] == case.outcome
        assert case.error[backend] in end["error"]
        [line] = dead.read_text(encoding="utf-8").splitlines()
        record = json.loads(line)
        assert record["id"] == message.id
        assert record["backend"] == backend
        assert record["reason"] == case.outcome
        assert record["attempts"] == end["attempts"]
        assert case.error[backend] in record["error"]
        assert counters.failed == 1
    out, err = capsys.readouterr()
    no_secret(
        out,
        err,
        caplog.text,
        json.dumps(events.all),
        dead.read_text(encoding="utf-8") if dead.exists() else "",
        repr(notifier),
        repr(fanout),
    )


def test_discord_request_shape(discord_server: FakeDiscord) -> None:
    notifier = DiscordNotifier(SecretStr(discord_server.webhook_url), heartbeat_thread_id=THREAD_ID)
    notifier.send(Message(kind="trigger", text="🟢 BUY signal", ts=0.0, image_png=PNG))
    notifier.send(Message(kind="heartbeat", text="🟢 22:00 alive", ts=0.0))
    notifier.send(Message(kind="arm", text="x" * 2500, ts=0.0))
    notifier.close()
    photo, heartbeat, long = discord_server.requests
    assert photo.query == {"wait": "true"}
    assert photo.headers["content-type"].startswith("multipart/form-data")
    payload = json.loads(photo.parts["payload_json"].data)
    assert payload["content"] == "🟢 BUY signal"
    assert payload["allowed_mentions"] == {"parse": []}
    assert payload["attachments"] == [{"id": 0, "filename": "alert.png"}]
    assert photo.parts["files[0]"].data == PNG
    assert photo.parts["files[0]"].content_type == "image/png"
    assert heartbeat.query == {"wait": "true", "thread_id": THREAD_ID}
    assert heartbeat.json["content"] == "🟢 22:00 alive"
    assert len(long.json["content"]) == 2000
    assert long.json["content"].endswith("…")
    assert [p.thread_id for p in discord_server.posted] == [None, THREAD_ID, None]


def test_telegram_request_shape(telegram_server: FakeTelegram) -> None:
    notifier = TelegramNotifier(
        SecretStr(telegram_server.token),
        CHAT_ID,
        api_base=telegram_server.api_base,
        heartbeat_thread_id=str(TOPIC_ID),
    )
    notifier.send(Message(kind="trigger", text="c" * 1500, ts=0.0, image_png=PNG))
    notifier.send(Message(kind="heartbeat", text="🟢 22:00 alive", ts=0.0, image_png=PNG))
    notifier.send(Message(kind="heartbeat", text="t" * 5000, ts=0.0))
    notifier.send(Message(kind="levels", text="✅ Levels: SL=484.35", ts=0.0))
    notifier.close()
    photo, topic_photo, topic_text, text = telegram_server.sent
    assert photo.method == "sendPhoto"
    assert photo.photo is not None
    assert photo.photo.data == PNG
    assert len(photo.text) == 1024
    assert photo.thread_id is None
    assert topic_photo.request.form()["message_thread_id"] == str(TOPIC_ID)
    assert topic_photo.thread_id == TOPIC_ID
    assert topic_text.method == "sendMessage"
    assert topic_text.request.json["message_thread_id"] == TOPIC_ID
    assert len(topic_text.text) == 4096
    assert text.request.json == {"chat_id": CHAT_ID, "text": "✅ Levels: SL=484.35"}
