"""Fixtures for the notify tests: the fake Discord and Telegram servers, a dead port, events."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from tests.fakes.discord import DISCORD_TOKEN
from tests.fakes.telegram import TELEGRAM_TOKEN

SECRETS = (DISCORD_TOKEN, TELEGRAM_TOKEN)


class EventLog:
    """An `on_event` sink that tests can read: thread-safe, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._events.append(dict(event))

    @property
    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events)

    def named(self, name: str, backend: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.all if e["event"] == name and backend in (None, e.get("backend"))]

    def final(self, backend: str) -> list[dict[str, Any]]:
        """The outcome events (sent, failed, dropped) of one backend."""
        ends = ("alert_sent", "alert_failed", "alert_dropped")
        return [e for e in self.all if e["event"] in ends and e["backend"] == backend]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
            # the part after "123456789:" is the real secret of a bot token
            assert secret.split(":")[-1] not in text


@pytest.fixture
def dead_port() -> int:
    """A loopback port nobody listens on: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def no_secret() -> Any:
    """`no_secret(*texts)` fails if a sentinel token appears in any of them."""
    return assert_no_secret
