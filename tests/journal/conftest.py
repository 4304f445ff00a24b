"""Fixtures of the journal tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.journal.signal_log import write_config


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_config(tmp_path)
    return tmp_path
