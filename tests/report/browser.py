"""A real headless Chromium (the OS package) rendering a page: a screenshot, and the DOM.

Skipped when Chromium is missing outside CI; in CI (`CI` set) a missing browser fails,
since `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def _run(page: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="atm-chromium-") as profile:
        command = [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}", *flags,
            page.resolve().as_uri(),
        ]  # fmt: skip
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def screenshot(page: Path, out: Path, width: int = 1280, height: int = 2600) -> Image.Image:
    _run(page, f"--screenshot={out}", f"--window-size={width},{height}")
    return Image.open(out).convert("RGB")


def dom(page: Path) -> str:
    return _run(page, "--dump-dom").stdout


def ink(image: Image.Image) -> float:
    """The share of pixels that are not the page's white background."""
    pixels = np.asarray(image, dtype=np.int16)
    return float((np.abs(pixels - 255).sum(axis=2) > 30).mean())
