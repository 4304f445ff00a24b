"""Windows only: a real Tk window showing a known picture, found by its title and captured
with the same `WindowCapture` `atm run` uses, pixel for pixel. Runs on the CI's Windows
runner; skipped elsewhere (Linux has the Xvfb tests in tests/capture)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

pytestmark = pytest.mark.skipif(sys.platform != "win32", reason="a Windows desktop is needed")

TITLE = "ATM real-window test"
X, Y = 120, 140

# The child: shows argv[1] with no frame at argv[2], argv[3] and prints "ready" once drawn.
CHILD = r"""
import sys, tkinter as tk
path, x, y, title = sys.argv[1:5]
root = tk.Tk()
root.title(title)
root.overrideredirect(True)
root.geometry(f"+{int(x)}+{int(y)}")
root.attributes("-topmost", True)
photo = tk.PhotoImage(file=path)
tk.Label(root, image=photo, borderwidth=0, highlightthickness=0).pack()
root.update()
print("ready", flush=True)
root.mainloop()
"""


def pattern(h: int = 120, w: int = 200) -> np.ndarray:
    image = np.zeros((h, w, 3), np.uint8)
    image[: h // 2, : w // 2] = (255, 0, 0)
    image[: h // 2, w // 2 :] = (0, 255, 0)
    image[h // 2 :, : w // 2] = (0, 0, 255)
    image[h // 2 :, w // 2 :] = (10, 20, 30)
    return image


def test_a_window_is_found_by_title_and_captured_exactly(tmp_path: Path) -> None:
    from atm.capture.dpi import set_dpi_awareness
    from atm.capture.window import WindowCapture, find_window
    from atm.clock import WallClock
    from atm.geometry import Rect

    set_dpi_awareness()
    image = pattern()
    png = tmp_path / "pattern.png"
    PILImage.fromarray(image).save(png)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(png), str(X), str(Y), TITLE],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(0.5)  # the compositor shows the window a frame later
        found = find_window(TITLE)
        assert found is not None and not found.is_minimized
        h, w = image.shape[:2]
        capture = WindowCapture(TITLE, Rect(0, 0, w, h), WallClock())
        try:
            frame = capture.grab()
        finally:
            capture.close()
        assert frame.image.shape == image.shape
        assert np.abs(frame.image.astype(int) - image.astype(int)).max() <= 2
    finally:
        child.kill()
        child.wait()
