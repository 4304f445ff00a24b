"""kill -9 at random moments with a hanging backend: every alert ends delivered or
dead-lettered after a restart, and none reaches a service twice (`tests/soak.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak import soak, soak_workspace


@pytest.mark.slow
def test_kill_9_with_a_hanging_backend_loses_no_alert_and_sends_none_twice(
    tmp_path: Path,
) -> None:
    corpus, home = soak_workspace(tmp_path, bars=40, seed=21)
    result = soak(corpus, home, kills=6, seed=3, life=(0.8, 4.0))
    assert result.held, result.summary()
    assert result.kills == 6 and len(result.created) > 20
    assert result.outcomes["sent"] > 0
