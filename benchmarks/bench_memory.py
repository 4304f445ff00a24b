"""Memory over an 8-hour replayed session (SPEC §9: flat, growth ≤ 5 MB).

    python -m benchmarks.bench_memory [--hours H] [--quick]

Runs the real runner on the simulator capture and the replay clock (a frame every 5 s,
alerts through the fanout to the console backend, audit on disk) and prints the
process's resident memory after every simulated hour.
"""

from __future__ import annotations

import io
import resource
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console

from atm import config as config_mod
from atm.audit import AuditLog
from atm.capture.sim import SimCapture
from atm.clock import ReplayClock
from atm.notify import factory
from atm.runner import Runner
from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout
from atm.sim.scenario import generate
from atm.sim.theme import DARK
from atm.workspace import Workspace
from benchmarks._common import expect, machine, parser


def rss_mb() -> float:
    """Current resident set size, from /proc (Linux)."""
    if sys.platform == "win32":
        raise NotImplementedError("reads /proc: Linux only")
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--hours", type=float, default=8.0, help="simulated session length")
    args = cli.parse_args(argv)
    hours = 0.5 if args.quick else args.hours
    every = 600 if args.quick else 3600  # seconds between two RSS readings
    print(machine())
    layout = Layout.for_scale(1.0)
    start = datetime(2026, 11, 20, 15, 0).timestamp()
    session = generate(round(hours * 20), seed=5)
    clock = ReplayClock(start)
    capture = SimCapture(session, layout, DARK, interval_s=5.0, start_ts=start, clock=clock)
    config = config_mod.from_dict(corpus_config(layout, DARK, capture.axis))
    console = Console(file=io.StringIO())  # alerts rendered but not printed
    marks: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp))
        notifier = factory.builder(config.notify, ws.dead_letter, console=console)
        runner = Runner(config, capture, clock, notifier, ws, AuditLog(ws.logs))
        next_mark = start

        def should_stop() -> bool:
            nonlocal next_mark
            if clock.time() >= next_mark:
                marks.append(((clock.time() - start) / 3600, rss_mb()))
                next_mark += every
            return False

        stats = runner.run(should_stop)
    for hour, rss in marks:
        print(f"after {hour:5.2f} h: RSS {rss:7.1f} MB")
    growth = marks[-1][1] - marks[1][1]
    print(
        f"{stats.cycles} cycles, {len(stats.sent)} triggers; "
        f"growth from the second reading: {growth:+.1f} MB"
    )
    expect(len(marks) >= 3 and stats.cycles >= hours * 700, "the session did not run through")
    expect(len(stats.sent) > 0, "no trigger sent in the replayed session")


if __name__ == "__main__":
    main()
