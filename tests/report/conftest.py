"""The report tests reuse the journal tests' audit-log helpers."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "journal"))
