"""What every test folder shares: the fakes' fixtures, no real keyring, the machine's zone,
the OCR engine and the `slow` rule."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest_plugins = ["tests.fakes.fixtures"]

# Tests never read or write the developer's real OS keyring; a test that needs one sets
# its own backend (tests/fakes/file_keyring.py).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

#: A test that needs a real X display starts windows and subprocesses: seconds each.
X_FIXTURE = "x_server"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the X display is marked `xvfb` and `slow`, so none can be forgotten."""
    for item in items:
        if X_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xvfb)
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """`machine_zone("Europe/Bucharest")`: this process runs as if the machine were there
    (TZ and `time.tzset`, POSIX only), until the test ends."""
    if sys.platform == "win32":
        pytest.skip("moving the machine's zone needs time.tzset (POSIX)")

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
