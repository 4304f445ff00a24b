"""Secrets in the OS keyring: `atm secrets set` on a real terminal, precedence environment >
keyring > config file, sources shown masked, calibration never writing a held token, and a
machine with no keyring saying so in one line."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null

from atm import config as config_mod
from atm.cli import main
from atm.corpus import list_frames
from atm.secrets import SERVICE, KeyringStore
from atm.sim.corpus import write_corpus
from tests.fakes.file_keyring import FileKeyring

ROOT = Path(__file__).parents[2]  # where `tests.fakes` imports from
TOKEN = "123456789:SENTINEL-KEYRING-TOKEN-abcdefghij"
URL = "https://discord.com/api/webhooks/42/SENTINEL-KEYRING-WEBHOOK"
FILE_TOKEN = "987654321:SENTINEL-FILE-TOKEN-abcdefghijkl"
BACKEND = "tests.fakes.file_keyring.FileKeyring"
ENV_TOKEN = "555555555:SENTINEL-ENV-TOKEN-abcdefghijklm"


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[FileKeyring]:
    """The process's keyring is a real backend on a file, restored after the test."""
    before = keyring.get_keyring()
    backend = FileKeyring(tmp_path / "keyring.json")
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def keyring_env(path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": BACKEND,
        "ATM_TEST_KEYRING": str(path),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def on_terminal(args: list[str], env: dict[str, str], typed: str) -> tuple[int, str]:
    """Run `python -m atm ARGS` with a pseudo-terminal as its controlling terminal (what
    getpass needs to switch echo off), type `typed`, and return the exit code and the
    whole screen."""
    pty = pytest.importorskip("pty", reason="a POSIX pseudo-terminal")
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execve(sys.executable, [sys.executable, "-m", "atm", *args], env)
    screen, sent, deadline = b"", False, time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        if not sent and b"(input hidden)" in screen:
            os.write(fd, typed.encode() + b"\r")
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), screen.decode(errors="replace")


def config_file(tmp_path: Path, token: str = FILE_TOKEN) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[notify.telegram]\ntoken = "{token}"\nchat_id = "-100"\n', encoding="utf-8")
    return path


# -- atm secrets set, on a real terminal --------------------------------------------------------


def test_set_prompts_without_echo_and_config_check_shows_the_source(tmp_path: Path) -> None:
    env = keyring_env(tmp_path / "keyring.json")
    code, screen = on_terminal(["secrets", "set", "telegram"], env, TOKEN)
    assert code == 0, screen
    assert "Telegram bot token (input hidden):" in screen
    assert TOKEN not in screen and TOKEN.split(":")[1] not in screen  # not echoed
    said = " ".join(screen.split())  # the terminal is 80 columns: long lines wrap
    assert f"stored the Telegram bot token in the keyring ({BACKEND})" in said
    assert FileKeyring(tmp_path / "keyring.json").get_password(SERVICE, "telegram") == TOKEN

    config = config_file(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "atm", "config", "check", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "# notify.telegram.token: keyring" in out.stdout
    assert "# notify.discord.webhook_url: not set" in out.stdout
    assert 'notify.telegram.token = "***"' in out.stdout
    for secret in (TOKEN, FILE_TOKEN):
        assert secret.split(":")[1] not in out.stdout + out.stderr


def test_set_refuses_what_is_not_a_token_without_echoing_it(tmp_path: Path) -> None:
    env = keyring_env(tmp_path / "keyring.json")
    code, screen = on_terminal(["secrets", "set", "telegram"], env, "SENTINEL-not-a-token")
    assert code == 2
    assert "does not look like a bot token" in screen and "SENTINEL" not in screen
    assert not (tmp_path / "keyring.json").exists()


# -- precedence --------------------------------------------------------------------------------


def test_environment_beats_keyring_beats_config_file(
    tmp_path: Path, file_keyring: FileKeyring
) -> None:
    path = config_file(tmp_path)
    loaded = config_mod.load(path, env={})
    assert loaded.notify.telegram.token.get_secret_value() == FILE_TOKEN
    assert loaded.secret_sources["notify.telegram.token"] == "config file"

    file_keyring.set_password(SERVICE, "telegram", TOKEN)
    file_keyring.set_password(SERVICE, "discord", URL)
    loaded = config_mod.load(path, env={})
    assert loaded.notify.telegram.token.get_secret_value() == TOKEN
    assert loaded.notify.discord.webhook_url.get_secret_value() == URL
    assert loaded.secret_sources == {
        "notify.telegram.token": "keyring",
        "notify.discord.webhook_url": "keyring",
    }

    loaded = config_mod.load(path, env={"ATM_TG_TOKEN": ENV_TOKEN})
    assert loaded.notify.telegram.token.get_secret_value() == ENV_TOKEN
    assert loaded.secret_sources["notify.telegram.token"] == "environment"


def test_delete_removes_it_and_the_file_value_comes_back(
    tmp_path: Path, file_keyring: FileKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    file_keyring.set_password(SERVICE, "telegram", TOKEN)
    assert main(["secrets", "delete", "telegram"]) == 0
    assert main(["secrets", "delete", "telegram"]) == 1  # nothing left to delete
    out = capsys.readouterr().out
    assert "removed the Telegram bot token" in out and "holds no Telegram bot token" in out
    loaded = config_mod.load(config_file(tmp_path), env={})
    assert loaded.notify.telegram.token.get_secret_value() == FILE_TOKEN


# -- no keyring --------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring])
def test_no_keyring_backend_is_one_clear_line(
    tmp_path: Path, backend: type, capsys: pytest.CaptureFixture[str]
) -> None:
    before = keyring.get_keyring()
    keyring.set_keyring(backend())
    try:
        assert main(["secrets", "set", "discord"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "no OS keyring on this machine" in err
        assert "Traceback" not in err
        # loading still works: secrets come from the file, and config check says why
        path = config_file(tmp_path)
        assert config_mod.load(path, env={}).notify.telegram.token.get_secret_value() == FILE_TOKEN
        assert main(["config", "check", str(path)]) == 0
        assert "# keyring: not used: no OS keyring on this machine" in capsys.readouterr().out
    finally:
        keyring.set_keyring(before)


def test_a_keyring_that_keeps_nothing_is_reported(tmp_path: Path) -> None:
    class Forgetful(FileKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            return None  # accepts the write, keeps nothing

    before = keyring.get_keyring()
    keyring.set_keyring(Forgetful(tmp_path / "k.json"))
    try:
        with pytest.raises(Exception, match="did not keep the secret") as info:
            KeyringStore().set("telegram", TOKEN)
        assert TOKEN not in str(info.value)
    finally:
        keyring.set_keyring(before)


# -- calibration -------------------------------------------------------------------------------


def test_calibration_never_writes_a_token_the_keyring_holds(
    tmp_path: Path,
    file_keyring: FileKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    corpus, home = tmp_path / "corpus", tmp_path / "home"
    write_corpus(corpus, 12, 1.0, 8, "dark")
    file_keyring.set_password(SERVICE, "telegram", TOKEN)
    monkeypatch.setenv("ATM_TG_TOKEN", ENV_TOKEN)  # even the environment's is not written
    monkeypatch.setenv("ATM_DISCORD_URL", URL)  # not in the keyring, still not written
    frame = list_frames(corpus)[-1]
    assert (
        main(["--home", str(home), "calibrate", "--auto", "--yes", "--screenshot", str(frame)]) == 0
    )
    assert "ATM_TG_TOKEN: in the OS keyring, not written to the file" in capsys.readouterr().out
    configs = home / "configs"
    text = (configs / (configs / "current.txt").read_text().strip()).read_text(encoding="utf-8")
    assert TOKEN not in text and ENV_TOKEN not in text
    assert 'token = ""' in text and URL not in text
    monkeypatch.delenv("ATM_TG_TOKEN")
    loaded = config_mod.load(configs / (configs / "current.txt").read_text().strip())
    assert loaded.notify.telegram.token.get_secret_value() == TOKEN  # the keyring fills it in
