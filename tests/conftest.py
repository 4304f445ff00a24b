"""Fixtures every test folder may use: the fake Discord and Telegram servers on loopback."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Tests never read or write the developer's real OS keyring; a test that needs one sets
# its own backend (tests/secrets/file_keyring.py).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

# The fakes live beside the notifier tests; the runner tests use them too.
sys.path.insert(0, str(Path(__file__).parent / "notify"))

from fake_discord import FakeDiscord
from fake_healthcheck import FakeHealthcheck
from fake_telegram import FakeTelegram


@pytest.fixture
def discord_server() -> Iterator[FakeDiscord]:
    with FakeDiscord() as server:
        yield server


@pytest.fixture
def telegram_server() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def healthcheck_server() -> Iterator[FakeHealthcheck]:
    with FakeHealthcheck() as server:
        yield server


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """`machine_zone("Europe/Bucharest")`: this process runs as if the machine were there
    (TZ and `time.tzset`, POSIX only), until the test ends."""

    def move(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield move
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="session")
def ocr() -> Any:
    """The OCR engine of the `[ocr]` extra, loaded once (its models take ~0.5 s)."""
    pytest.importorskip("rapidocr")
    from atm.vision.ocr import RapidReader

    return RapidReader()
