"""Live alert latency and CPU under Xvfb at 1080p (SPEC §9: p95 ≤ 1 s, ≤ 2 % of one core).

    python -m benchmarks.bench_live [SETUPS]

Starts Xvfb (with openbox), shows a simulator chart in a window, runs `atm run` in a
subprocess capturing the screen with mss, grows the strip one dot at a time, and times
each trigger from the moment the dot is on screen to the moment the fake Discord on
127.0.0.1 receives the request. Prints the latency distribution and the monitor's CPU.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks._common import machine
from tests.fakes.discord import FakeDiscord
from tests.fakes.live_session import run_live_session
from tests.fakes.xvfb import XServer

SETUP = ["gray", "turquoise", "gray", "dark_green", "light_green", "gray",
         "yellow", "dark_red", "dark_red", "light_red", "gray", "gray"]  # fmt: skip


def main(setups: int) -> None:
    print(machine())
    colors = ["gray"] * 5 + SETUP * setups
    with tempfile.TemporaryDirectory() as tmp, FakeDiscord() as discord:
        (Path(tmp) / "x").mkdir()
        server = XServer(Path(tmp) / "x").start()
        try:
            home = Path(tmp) / "home"
            home.mkdir()
            result = run_live_session(
                server.display, home, discord, colors, dwell_s=1.0, interval_s=5.0, idle_s=60.0
            )
        finally:
            server.stop()
    lat = sorted(result.latencies)
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    print(
        f"{len(lat)} triggers: latency median {statistics.median(lat) * 1e3:.0f} ms, "
        f"p95 {p95 * 1e3:.0f} ms, max {lat[-1] * 1e3:.0f} ms"
    )
    print(
        f"CPU while a dot changed every second: {result.cpu_s:.2f} s over {result.wall_s:.1f} s"
        f" = {100 * result.cpu_s / result.wall_s:.2f} % of one core"
    )
    print(
        f"CPU while the chart stood still: {result.idle_cpu_s:.2f} s over "
        f"{result.idle_wall_s:.1f} s = {100 * result.idle_cpu_s / result.idle_wall_s:.2f} % "
        f"of one core (exit code {result.exit_code})"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
