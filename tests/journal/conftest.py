"""Fixtures of the journal tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the end-to-end ledger test reuses the report tests' browser and hand computation
sys.path.insert(0, str(Path(__file__).parents[1] / "report"))

from signal_log import write_config


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_config(tmp_path)
    return tmp_path
