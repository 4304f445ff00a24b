"""Live alert latency and CPU under Xvfb at 1080p (SPEC §9: p95 ≤ 1 s, ≤ 2 % of one core;
issue 11's watch-path target: p95 ≤ 0.25 s at ≤ 1 % of one core while the chart stands still).

    python -m benchmarks.bench_live [--setups N] [--idle S] [--watch S] [--quick]

Starts Xvfb (with openbox), shows a simulator chart in a window, runs `atm run` in a
subprocess capturing the screen with mss (the product's own `loop.watch_interval_s`
unless `--watch`; `loop.interval_s = 5`), grows the strip one dot a second, and times
each trigger from the moment the dot is on screen to the moment the fake Discord on
127.0.0.1 has the request. Then the chart stands still (a bar in progress) and the
monitor's own CPU is measured: what watching costs between signals.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path

from atm.config import Loop
from benchmarks._common import expect, machine, p95, parser
from tests.fakes.discord import FakeDiscord
from tests.fakes.live_session import LiveResult, run_live_session
from tests.fakes.xvfb import XServer

SETUP = ["gray", "turquoise", "gray", "dark_green", "light_green", "gray",
         "yellow", "dark_red", "dark_red", "light_red", "gray", "gray"]  # fmt: skip


def session(setups: int, idle_s: float, watch_s: float | None, dwell_s: float) -> LiveResult:
    colors = ["gray"] * 5 + SETUP * setups
    with tempfile.TemporaryDirectory() as tmp, FakeDiscord() as discord:
        (Path(tmp) / "x").mkdir()
        server = XServer(Path(tmp) / "x").start()
        try:
            home = Path(tmp) / "home"
            home.mkdir()
            return run_live_session(
                server.display,
                home,
                discord,
                colors,
                dwell_s=dwell_s,
                interval_s=5.0,
                watch_s=watch_s,
                idle_s=idle_s,
            )
        finally:
            server.stop()


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--setups", type=int, default=10, help="BUY and SELL setups (2 triggers)")
    cli.add_argument("--idle", type=float, default=60.0, help="seconds of a still chart")
    cli.add_argument("--watch", type=float, default=None, help="loop.watch_interval_s")
    args = cli.parse_args(argv)
    setups, idle, dwell = (1, 5.0, 0.6) if args.quick else (args.setups, args.idle, 1.0)
    watch = args.watch if args.watch is not None else Loop().watch_interval_s
    print(machine())
    result = session(setups, idle, args.watch, dwell)
    lat = sorted(result.latencies)
    expect(len(lat) == 2 * setups, f"{len(lat)} of {2 * setups} triggers reached Discord")
    expect(result.exit_code == 0, f"atm run exited {result.exit_code}")
    print(f"loop.watch_interval_s {watch:g} s, loop.interval_s 5 s, a dot every {dwell:g} s")
    print(
        f"{len(lat)} triggers: latency median {statistics.median(lat) * 1e3:.0f} ms, "
        f"p95 {p95(lat) * 1e3:.0f} ms, max {lat[-1] * 1e3:.0f} ms"
    )
    print(
        f"CPU while a dot changed every {dwell:g} s: {result.cpu_s:.2f} s over "
        f"{result.wall_s:.1f} s = {100 * result.cpu_s / result.wall_s:.2f} % of one core"
    )
    print(
        f"CPU while the chart stood still: {result.idle_cpu_s:.2f} s over "
        f"{result.idle_wall_s:.1f} s = {100 * result.idle_cpu_s / result.idle_wall_s:.2f} % "
        "of one core"
    )


if __name__ == "__main__":
    main()
