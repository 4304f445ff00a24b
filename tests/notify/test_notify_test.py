"""`atm notify test` and the factory behind it, against the fake servers."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pydantic import SecretStr
from rich.console import Console

from atm.config import Config, from_dict
from atm.errors import ConfigError, NotifyError
from atm.notify import factory
from atm.notify.base import Message
from atm.notify.fanout import RetryPolicy
from atm.tools.notify_test import run_notify_test
from atm.workspace import Workspace
from tests.fakes.discord import FakeDiscord
from tests.fakes.http_service import Fault
from tests.fakes.telegram import CHAT_ID, FakeTelegram

QUICK = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02, max_age=30.0)


def _config(discord: FakeDiscord | None, telegram: FakeTelegram | None, **tg: str) -> Config:
    notify: dict[str, Any] = {}
    if discord is not None:
        notify["discord"] = {"webhook_url": discord.webhook_url}
    if telegram is not None:
        notify["telegram"] = {
            "token": telegram.token,
            "chat_id": CHAT_ID,
            "api_base": telegram.api_base,
        } | tg
    return from_dict({"symbol_label": "DIA→US30", "notify": notify})


def _run(config: Config, home: Path) -> tuple[int, str]:
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None)
    code = run_notify_test(config, Workspace(home), console, policy=QUICK, wait=10, timeout=0.5)
    return code, out.getvalue()


def _rows(output: str) -> dict[str, str]:
    """The table's rows by backend name (first cell)."""
    rows = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) == 4 and cells[0] in ("console", "discord", "telegram"):
            rows[cells[0]] = line
    return rows


def test_all_backends_deliver(
    discord_server: FakeDiscord, telegram_server: FakeTelegram, tmp_path: Path, no_secret: Any
) -> None:
    code, output = _run(_config(discord_server, telegram_server), tmp_path)
    assert code == 0
    rows = _rows(output)
    assert set(rows) == {"console", "discord", "telegram"}
    assert all("delivered" in row for row in rows.values())
    [posted] = discord_server.posted
    assert "ATM test message for DIA→US30" in posted.content
    assert "signal" not in posted.content  # only trigger alerts say "signal"
    png = posted.files["files[0]"].data
    assert Image.open(io.BytesIO(png)).size == (64, 32)
    [sent] = telegram_server.sent
    assert sent.method == "sendPhoto"
    assert sent.photo is not None
    assert sent.photo.data == png
    assert not (tmp_path / "logs" / "dead_letter.jsonl").exists()
    no_secret(output)


def test_a_failing_backend_shows_the_service_description(
    discord_server: FakeDiscord, telegram_server: FakeTelegram, tmp_path: Path, no_secret: Any
) -> None:
    config = _config(discord_server, telegram_server, chat_id="-100777")
    code, output = _run(config, tmp_path)
    assert code == 1
    rows = _rows(output)
    assert "delivered" in rows["discord"]
    assert "failed" in rows["telegram"]
    assert "Bad Request: chat not found" in output
    [line] = (tmp_path / "logs" / "dead_letter.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["backend"] == "telegram"
    no_secret(output, line)


def test_retries_are_counted_in_the_table(
    discord_server: FakeDiscord, telegram_server: FakeTelegram, tmp_path: Path
) -> None:
    discord_server.script(Fault("503"))
    code, output = _run(_config(discord_server, telegram_server), tmp_path)
    assert code == 0
    cells = [c.strip() for c in _rows(output)["discord"].strip("│ ").split("│")]
    assert cells[:3] == ["discord", "delivered", "2"]


def test_an_unreachable_service_fails_with_the_reason(
    discord_server: FakeDiscord, tmp_path: Path, dead_port: int
) -> None:
    url = discord_server.webhook_url.replace(str(discord_server.port), str(dead_port))
    config = from_dict({"notify": {"discord": {"webhook_url": url}}})
    code, output = _run(config, tmp_path)
    assert code == 1
    assert "cannot connect" in _rows(output)["discord"]


def test_console_alone_works_out_of_the_box(tmp_path: Path) -> None:
    code, output = _run(from_dict({}), tmp_path)
    assert code == 0
    assert list(_rows(output)) == ["console"]
    assert "ATM test message" in output  # the console backend printed it


def test_factory_always_has_the_console_and_adds_what_is_configured(
    discord_server: FakeDiscord, telegram_server: FakeTelegram, tmp_path: Path
) -> None:
    dead = tmp_path / "dead.jsonl"
    only_console = factory.build(from_dict({}).notify, dead)
    assert only_console.backends == ["console"]
    only_console.close()
    both = factory.build(_config(discord_server, telegram_server).notify, dead)
    assert both.backends == ["console", "discord", "telegram"]
    both.close()
    half = _config(None, telegram_server, chat_id="")  # a token without a chat: not enabled
    assert factory.backends(half.notify)[0].name == "console"
    assert len(factory.backends(half.notify)) == 1


def test_apprise_urls_without_apprise_is_a_config_error(tmp_path: Path) -> None:
    try:
        import apprise  # noqa: F401

        pytest.skip("apprise is installed")
    except ImportError:
        pass
    config = from_dict({"notify": {"apprise": {"urls": ["json://127.0.0.1:9/x"]}}})
    with pytest.raises(ConfigError, match=r"pip install 'atm-monitor\[apprise\]'"):
        factory.build(config.notify, tmp_path / "dead.jsonl")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # apprise's plugins import imghdr
def test_apprise_backend_delivers_and_reports_failure(
    discord_server: FakeDiscord,
    no_secret: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    pytest.importorskip("apprise")
    from atm.notify.apprise import AppriseNotifier

    # apprise's generic JSON service, its "message" field renamed to Discord's "content"
    path = discord_server.webhook_url.split("://", 1)[1]
    good = AppriseNotifier(SecretStr(f"json://{path}?:message=content"), name="apprise-json")
    good.send(Message(kind="startup", text="ATM started", ts=0.0))
    assert discord_server.contents() == ["ATM started"]
    bad = AppriseNotifier(SecretStr(f"json://{path}"), name="apprise-json")  # no "content"
    with pytest.raises(NotifyError, match="apprise-json: not accepted") as info:
        bad.send(Message(kind="startup", text="ATM started", ts=0.0))
    assert "Bad Request" in str(info.value)
    no_secret(str(info.value), repr(good), repr(bad), caplog.text, *capsys.readouterr())
