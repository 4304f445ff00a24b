"""What every test folder shares: the fakes' fixtures, the OCR engine, the `slow` rule."""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins = ["tests.fakes.fixtures"]

#: A test that needs a real X display starts windows and subprocesses: seconds each.
X_FIXTURE = "x_server"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the X display is marked `xvfb` and `slow`, so none can be forgotten."""
    for item in items:
        if X_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xvfb)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def ocr() -> Any:
    """The OCR engine of the `[ocr]` extra, loaded once (its models take ~0.5 s)."""
    pytest.importorskip("rapidocr")
    from atm.vision.ocr import RapidReader

    return RapidReader()
