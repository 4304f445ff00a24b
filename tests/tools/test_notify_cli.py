"""`atm notify test` through the command line: 0 delivered, 1 failed, 2 bad config."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from atm.cli import main
from tests.fakes.discord import DISCORD_TOKEN, FakeDiscord
from tests.fakes.telegram import CHAT_ID, TELEGRAM_TOKEN, FakeTelegram


def config(tmp_path: Path, discord: FakeDiscord, telegram: FakeTelegram, chat: str) -> Path:
    path = tmp_path / "notify.toml"
    notify = {
        "discord": {"webhook_url": discord.webhook_url},
        "telegram": {"token": telegram.token, "chat_id": chat, "api_base": telegram.api_base},
    }
    path.write_text(tomli_w.dumps({"notify": notify}))
    return path


def test_every_backend_delivers_exit_0(
    tmp_path: Path,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = config(tmp_path, discord_server, telegram_server, CHAT_ID)
    assert main(["--home", str(tmp_path), "notify", "test", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "discord" in out and "telegram" in out
    assert len(discord_server.posted) == 1 and discord_server.posted[0].files
    assert telegram_server.sent[0].method == "sendPhoto"
    assert DISCORD_TOKEN not in out and TELEGRAM_TOKEN.split(":")[1] not in out


def test_a_wrong_chat_exits_1_with_telegrams_own_words(
    tmp_path: Path,
    discord_server: FakeDiscord,
    telegram_server: FakeTelegram,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = config(tmp_path, discord_server, telegram_server, "-42")
    assert main(["--home", str(tmp_path), "notify", "test", "--config", str(cfg)]) == 1
    assert "chat not found" in capsys.readouterr().out


def test_a_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[notify.discord]\nwebhook_url = "not a url"\n')
    assert main(["--home", str(tmp_path), "notify", "test", "--config", str(bad)]) == 2
    assert "notify.discord.webhook_url" in capsys.readouterr().err
