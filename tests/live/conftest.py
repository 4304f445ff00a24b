"""The browser chart's fixtures: the pinned charting library, installed once per cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fakes.web_chart import PACKAGES, Unavailable, chart_library, find_browser


@pytest.fixture(scope="session")
def chart_js() -> Path:
    """lightweight-charts' bundle and a Chromium to run it in; skipped without them
    (no cached copy and no network, or no browser), but never in CI, which installs both."""
    try:
        find_browser()
        return chart_library()
    except Unavailable as exc:
        reason = f"the browser chart needs {PACKAGES} and the npm registry: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must install them; {reason}")
        pytest.skip(reason)
