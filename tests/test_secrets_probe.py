"""The secrets probe: every command, with a webhook token, a bot token and an apprise
credential set (in the environment and the config) and services that echo them back;
no output line and no workspace file may hold any of them.

The config files under configs/ are where a user keeps secrets, so the apprise
credential they hold may stay there; the secrets that come only from the environment
may not appear even there (calibration writes a new config).
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w

from atm.sim.corpus import write_corpus
from tests.fakes.discord import WEBHOOK_ID
from tests.test_secrets_property import (
    EchoDiscord,
    EchoTelegram,
    assert_nowhere,
    environment,
    run,
)

TOKEN = "Zq7PROBE-webhook-token_0123456789abcdef"
BOT = "Zq7PROBE-bot-token_abcdefghijkmnop"
APPRISE = "Zq7PROBE-apprise-key_qrstuvwxyz"
SECRETS = (TOKEN, BOT, APPRISE)


pytestmark = pytest.mark.slow  # whole `atm` commands and replays


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("probe") / "corpus"
    write_corpus(out, bars=12, scale=1.0, seed=5, theme="dark")
    return out


@pytest.fixture(scope="module")
def services() -> Iterator[tuple[EchoDiscord, EchoTelegram]]:
    with EchoDiscord() as discord, EchoTelegram() as telegram:
        yield discord, telegram


@pytest.fixture
def home(
    tmp_path: Path, corpus: Path, services: tuple[EchoDiscord, EchoTelegram]
) -> Iterator[Path]:
    """A workspace with two configs holding the secrets, and the environment holding them."""
    discord, telegram = services
    data = tomllib.loads((corpus / "config.toml").read_text())
    data["notify"] = {
        "telegram": {"chat_id": "-100", "api_base": telegram.api_base},
        "apprise": {"urls": [f"json://user:{APPRISE}@127.0.0.1:9/hook?key={APPRISE}"]},
    }
    (tmp_path / "configs").mkdir()
    for name in ("2026-01-01-0000.toml", "2026-01-02-0000.toml"):
        (tmp_path / "configs" / name).write_text(tomli_w.dumps(data))
    (tmp_path / "configs" / "current.txt").write_text("2026-01-02-0000.toml\n")
    shutil.copy(sorted(corpus.glob("*.png"))[6], tmp_path / "shot.png")
    env = {
        "ATM_DISCORD_URL": f"{discord.base_url}/api/webhooks/{WEBHOOK_ID}/{TOKEN}",
        "ATM_TG_TOKEN": f"123456789:{BOT}",
        "ATM_TG_CHAT": "-100",
    }
    with environment(env):
        yield tmp_path


COMMANDS = {
    "config check": ["config", "check"],
    "config list": ["config", "list"],
    "config use": ["config", "use", "2026-01-01-0000.toml"],
    "config rollback": ["config", "rollback"],
    "notify test": ["notify", "test"],
    "run": ["run", "--replay", "{corpus}"],
    "debug": ["debug", "--screenshot", "{home}/shot.png"],
    "dryrun": ["dryrun", "{corpus}", "--config", "{home}/configs/2026-01-02-0000.toml"],
    "sim": ["sim", "{home}/sim", "--bars", "3"],
    "calibrate": ["calibrate", "--screenshot", "{home}/shot.png", "--auto", "--yes"],
    "demo": ["demo"],
    "journal": ["journal"],
}


def workspace_files(home: Path, configs: bool = False) -> str:
    """Every workspace file's text; the user's configs only with `configs`."""
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace")
        for p in sorted(home.rglob("*"))
        if p.is_file() and (configs or not (p.suffix == ".toml" and p.parent.name == "configs"))
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # apprise's plugins import imghdr
@pytest.mark.parametrize("command", COMMANDS.values(), ids=list(COMMANDS))
def test_no_command_shows_or_stores_a_secret(command: list[str], home: Path, corpus: Path) -> None:
    argv = [a.format(home=home, corpus=corpus) for a in command]
    out = run(["--home", str(home), *argv])
    for secret in SECRETS:
        assert_nowhere(secret, out, workspace_files(home))
    for secret in (TOKEN, BOT):  # only ever in the environment: not even in a config
        assert_nowhere(secret, workspace_files(home, configs=True))
