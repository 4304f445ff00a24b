"""Refactors change no behaviour: `atm demo` and `atm dryrun --json` equal tests/golden/.

After a deliberate change of behaviour, `python scripts/golden.py --update` rewrites them
and the diff of tests/golden/ shows what changed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "golden.py"


@pytest.mark.slow
def test_demo_and_dryrun_outputs_equal_the_golden_files() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
