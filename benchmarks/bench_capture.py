"""Capture benchmarks under Xvfb; prints numbers, not a test.

Per grab, wall time (median, p95) and CPU time of this process (`time.process_time`):
a full 1920x1080 frame and the 1700x40 dot strip, each as a raw mss grab (BGRA) and
through `ScreenCapture` (BGRA → contiguous RGB copy included), plus one `find_window()`
(the window-following capture's periodic look-up).

Starts its own Xvfb + openbox (tests/fakes/xvfb.py), so it needs the same Debian
packages as the tests: xvfb xdotool openbox x11-xserver-utils.

    python -m benchmarks.bench_capture [--grabs 200] [--quick]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import mss

from atm.capture.screen import ScreenCapture
from atm.capture.window import find_window
from atm.clock import WallClock
from atm.geometry import Rect
from benchmarks._common import expect, parser
from tests.fakes.proc import cpu_seconds
from tests.fakes.xvfb import ImageWindow, XServer, missing_tools, pattern

FULL = Rect(0, 0, 1920, 1080)
STRIP = Rect(60, 930, 1700, 40)  # the default dot_roi


def measure(label: str, action: Callable[[], object], n: int, server_pid: int) -> float:
    """Runs `action` n times after a warm-up; prints and returns the median wall ms.

    `cpu` is this process (`time.process_time`); `Xvfb` is the server's share, which
    is where the pixels are copied with MIT-SHM (coarse: clock ticks of 10 ms).
    """
    for _ in range(5):
        action()
    walls: list[float] = []
    cpu_start, server_start = time.process_time(), cpu_seconds(server_pid)
    for _ in range(n):
        t0 = time.perf_counter()
        action()
        walls.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (time.process_time() - cpu_start) * 1000 / n
    server_ms = (cpu_seconds(server_pid) - server_start) * 1000 / n
    median = statistics.median(walls)
    p95 = statistics.quantiles(walls, n=20)[-1]
    print(
        f"{label:<34} median {median:7.3f} ms  p95 {p95:7.3f} ms  "
        f"cpu {cpu_ms:6.3f} ms  Xvfb {server_ms:6.3f} ms /grab"
    )
    return median


def run(grabs: int, pid: int) -> None:
    check = ScreenCapture(FULL, WallClock())
    shape = check.grab().image.shape
    check.close()
    expect(shape == (FULL.h, FULL.w, 3), f"a full grab gave {shape}")
    with mss.MSS() as sct:
        print(f"mss {mss.__version__}, backend {type(sct._impl).__name__}")
        raw_full = measure("mss grab 1920x1080 (BGRA)", lambda: sct.grab(_box(FULL)), grabs, pid)
        raw_strip = measure("mss grab 1700x40 (BGRA)", lambda: sct.grab(_box(STRIP)), grabs, pid)
    capture = ScreenCapture(FULL, WallClock())
    full = measure("ScreenCapture.grab 1920x1080 (RGB)", capture.grab, grabs, pid)
    strip = measure(
        "ScreenCapture.grab_rect 1700x40",
        lambda: capture.grab_rect(STRIP.x, STRIP.y, STRIP.w, STRIP.h),
        grabs,
        pid,
    )
    capture.close()
    title = "ATM bench - Chart Analysis"
    with ImageWindow(os.environ["DISPLAY"], pattern(), x=100, y=100, title=title):
        measure("find_window (pywinctl)", lambda: find_window("Chart Analysis"), 50, pid)
    print(
        f"strip vs full, median: mss {raw_full / raw_strip:.0f}x, ScreenCapture {full / strip:.0f}x"
    )
    expect(strip < full, "grabbing the strip alone is no cheaper than the whole screen")


def _box(rect: Rect) -> dict[str, int]:
    return {"left": rect.x, "top": rect.y, "width": rect.w, "height": rect.h}


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--grabs", type=int, default=200)
    args = cli.parse_args(argv)
    if missing := missing_tools():
        sys.exit(f"missing: {', '.join(missing)}")
    grabs = 20 if args.quick else args.grabs
    server = XServer(Path(tempfile.mkdtemp(prefix="atm-bench-"))).start()
    os.environ["DISPLAY"] = server.display
    try:
        run(grabs, server.xvfb_pid)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
