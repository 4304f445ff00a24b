"""The webhook token and the bot token appear nowhere: output, logs, events, files, errors."""

from __future__ import annotations

import io
import json
import logging
import traceback
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from rich.console import Console

from atm.config import from_dict
from atm.errors import NotifyError
from atm.notify import factory
from atm.notify.base import Message, Notifier
from atm.notify.discord import DiscordNotifier
from atm.notify.fanout import RetryPolicy
from atm.notify.telegram import TelegramNotifier
from tests.fakes.discord import FakeDiscord
from tests.fakes.http_service import Answer, Fault, Recorded
from tests.fakes.telegram import CHAT_ID, FakeTelegram

FAULTS = [Fault("400"), Fault("401"), Fault("403"), Fault("404"), Fault("429", 0.01)]
FAULTS += [Fault("500"), Fault("502"), Fault("hang", 1.0), Fault("crash", 0.0)]
PNG = b"\x89PNG\r\n\x1a\n0000"


def _backends(discord: FakeDiscord, telegram: FakeTelegram) -> list[Notifier]:
    return [
        DiscordNotifier(SecretStr(discord.webhook_url), timeout=0.3),
        TelegramNotifier(
            SecretStr(telegram.token), CHAT_ID, api_base=telegram.api_base, timeout=0.3
        ),
    ]


def _error_texts(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_errors_raised_by_backends_carry_no_token(
    fault: Fault,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    no_secret: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for backend, server in zip(
        _backends(discord_server, telegram_server), (discord_server, telegram_server), strict=True
    ):
        server.script(fault)
        with pytest.raises(NotifyError) as info:
            backend.send(Message(kind="trigger", text="t", ts=0.0, image_png=PNG))
        backend.close()
        exc = info.value
        # nothing chained: httpx's exceptions hold the request, URL and token included
        assert exc.__cause__ is None
        assert exc.__context__ is None
        no_secret(*_error_texts(exc), repr(backend))
    no_secret(caplog.text)


def test_refused_connection_error_carries_no_token(dead_port: int, no_secret: Any) -> None:
    url = f"http://127.0.0.1:{dead_port}/api/webhooks/1/SENTINEL-DISCORD-TOKEN-xyz"
    base = f"http://127.0.0.1:{dead_port}"
    backends: list[Notifier] = [
        DiscordNotifier(SecretStr(url), timeout=0.3),
        TelegramNotifier(
            SecretStr("123456789:SENTINEL-TELEGRAM-TOKEN-abc"), CHAT_ID, api_base=base
        ),
    ]
    for backend in backends:
        with pytest.raises(NotifyError, match="cannot connect") as info:
            backend.send(Message(kind="trigger", text="t", ts=0.0))
        backend.close()
        no_secret(*_error_texts(info.value), repr(backend))


class EchoDiscord(FakeDiscord):
    """A hostile reply: the service echoes the request path (token included) back."""

    def answer(self, request: Recorded, fault: Fault | None) -> Answer:
        return Answer(400, {"message": f"bad path {request.path}", "code": 0})


class EchoTelegram(FakeTelegram):
    def answer(self, request: Recorded, fault: Fault | None) -> Answer:
        path = request.path.replace(":", "%3A")
        return Answer(400, {"ok": False, "error_code": 400, "description": f"bad {path}"})


def test_a_token_echoed_by_the_service_is_redacted(no_secret: Any) -> None:
    with EchoDiscord() as discord, EchoTelegram() as telegram:
        for backend in _backends(discord, telegram):
            with pytest.raises(NotifyError, match=r"\*\*\*") as info:
                backend.send(Message(kind="trigger", text="t", ts=0.0))
            backend.close()
            no_secret(*_error_texts(info.value))


def test_nothing_leaks_through_a_whole_faulty_run(
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    tmp_path: Path,
    events: Any,
    no_secret: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    config = from_dict(
        {
            "notify": {
                "discord": {"webhook_url": discord_server.webhook_url},
                "telegram": {
                    "token": telegram_server.token,
                    "chat_id": CHAT_ID,
                    "api_base": telegram_server.api_base,
                },
            }
        }
    )
    dead = tmp_path / "logs" / "dead_letter.jsonl"
    console_out = io.StringIO()
    fanout = factory.build(
        config.notify,
        dead,
        console=Console(file=console_out),
        on_event=events,
        policy=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02),
        timeout=0.3,
    )
    for server in (discord_server, telegram_server):
        server.script(*FAULTS)
    for i in range(len(FAULTS)):
        fanout.publish(Message(kind="trigger", text=f"alert {i}", ts=0.0, image_png=PNG))
    assert fanout.flush(timeout=20)
    fanout.close()
    assert dead.exists()  # some alerts failed: their lines must be clean too
    assert any(e["event"] == "alert_failed" for e in events.all)
    out, err = capsys.readouterr()
    no_secret(
        out,
        err,
        console_out.getvalue(),
        caplog.text,
        dead.read_text(encoding="utf-8"),
        json.dumps(events.all),
        repr(fanout),
        fanout.summary(),
        repr(config),
        str(config),
    )
    assert "HTTP Request" not in caplog.text  # httpx's per-request INFO line, URL included
    for name in ("httpx", "httpcore"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
