"""Live alert latency and CPU under Xvfb with 1, 2 and 4 charts on one screen (SPEC §9:
p95 ≤ 1 s, ≤ 2 % of one core; issue 11's watch-path target: p95 ≤ 0.25 s at ≤ 1 % of one
core while the chart stands still; issue 15's: four charts at no more than twice the CPU
of one, p95 unchanged).

    python -m benchmarks.bench_live [--charts 1,2,4,4q] [--setups N] [--idle S]
                                    [--watch S] [--quick]

For each chart count, starts Xvfb (with openbox) on a screen just big enough, shows a
simulator chart per window — each 1920×1080 at 100 %, the same layout and theme, two
side by side as on two 1080p monitors, four as the quarters of a 4K screen, so the charts
differ only in place, symbol and script and the cost measured is the count's; "4q" is
four quarter-size charts (960×540, dots and bars as large) tiling one 1080p screen, the
screen of the one-chart run — and runs
one `atm run` in a subprocess on a `[[charts]]` config capturing that screen with mss
(the product's own `loop.watch_interval_s` unless `--watch`; `loop.interval_s = 5`).
Every chart's strip grows one dot a second, all windows at once (bars of one timeframe
close together), each chart with its own setups, started three dots after the previous
chart's so that triggers seldom coincide; each trigger is timed
from the moment its dot is on screen to the moment the fake Discord on 127.0.0.1 has the
request. Then the charts stand still (a bar in progress) and the monitor's own CPU time
(user + system, from /proc: what contention on a shared machine changes least) is
measured: what watching costs between signals. "×1" is the CPU per second against one
chart's.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from atm.config import Loop
from atm.sim.layout import Layout
from benchmarks._common import expect, machine, p95, parser
from tests.fakes.discord import FakeDiscord
from tests.fakes.live_charts import QUARTER, place, screen_size, write_charts_config
from tests.fakes.live_session import LAYOUT, LiveChart, LiveResult, drive
from tests.fakes.xvfb import XServer

SETUP = ["gray", "turquoise", "gray", "dark_green", "light_green", "gray",
         "yellow", "dark_red", "dark_red", "light_red", "gray", "gray"]  # fmt: skip
SYMBOLS = ("DIA→US30", "GLD→XAUUSD", "SPY→US500", "QQQ→NAS100")
STAGGER = 3  # dots between one chart's setups and the next chart's


@dataclass(frozen=True, slots=True)
class Screen:
    """`count` charts of `layout`'s size; `name` as `--charts` spells it ("4", "4q")."""

    name: str
    count: int
    layout: Layout

    @classmethod
    def parse(cls, name: str) -> Screen:
        quarter = name.endswith("q")
        count = int(name.removesuffix("q")) if name.removesuffix("q").isdigit() else 0
        expect(1 <= count <= len(SYMBOLS), f"--charts {name}: 1 to 4 charts, q for quarter size")
        return cls(name, count, QUARTER if quarter else LAYOUT)

    @property
    def size(self) -> tuple[int, int]:
        return screen_size(self.count, self.layout)


@dataclass(frozen=True, slots=True)
class Run:
    setups: int
    idle_s: float
    dwell_s: float
    watch_s: float | None


def charts(screen: Screen, setups: int) -> list[LiveChart]:
    """The screen's charts, each `setups` BUY and SELL setups, staggered; all as long."""
    out, count = [], screen.count
    for i, (x, y) in enumerate(place(count, screen.layout)):
        lead, tail = ["gray"] * (5 + i * STAGGER), ["gray"] * ((count - 1 - i) * STAGGER + 2)
        colors = tuple(lead + SETUP * setups + tail)
        title = f"TradeStation - {SYMBOLS[i]}"
        out.append(LiveChart(title, SYMBOLS[i], colors, x, y, screen.layout))
    return out


def session(screen: Screen, run: Run) -> LiveResult:
    with tempfile.TemporaryDirectory() as tmp, FakeDiscord() as discord:
        (Path(tmp) / "x").mkdir()
        server = XServer(Path(tmp) / "x", size=screen.size).start()
        try:
            home = Path(tmp) / "home"
            home.mkdir()
            shown = charts(screen, run.setups)
            config = write_charts_config(home, discord, shown, 5.0, run.watch_s)
            return drive(
                server.display, home, config, discord, shown, dwell_s=run.dwell_s,
                idle_s=run.idle_s,
            )  # fmt: skip
        finally:
            server.stop()


def row(screen: Screen, result: LiveResult, setups: int, one: LiveResult | None) -> str:
    """The count's line; "×1" against `one` (the one-chart run), "—" without one."""
    lat = sorted(result.latencies)
    active, idle = _rate(result.cpu_s, result.wall_s), _rate(result.idle_cpu_s, result.idle_wall_s)
    if one is None:
        ratios = ("—", "—")
    else:
        base = (_rate(one.cpu_s, one.wall_s), _rate(one.idle_cpu_s, one.idle_wall_s))
        ratios = (f"{active / base[0]:.2f}", f"{idle / base[1]:.2f}")
    width, height = screen.size
    return (
        f"{screen.name:>6}  {width}x{height}  {len(lat):>3}/{2 * setups * screen.count:<3}  "
        f"{statistics.median(lat) * 1e3:>6.0f}  {p95(lat) * 1e3:>6.0f}  {lat[-1] * 1e3:>6.0f}  "
        f"{result.cpu_s:>6.2f} s {100 * active:>5.2f} %  {ratios[0]:>4}  "
        f"{result.idle_cpu_s:>5.2f} s {100 * idle:>5.2f} %  {ratios[1]:>4}"
    )


def _rate(cpu_s: float, wall_s: float) -> float:
    """CPU seconds per second: the share of one core."""
    return cpu_s / wall_s


def per_chart(result: LiveResult) -> str:
    return "; ".join(
        f"{symbol} p50 {statistics.median(lat) * 1e3:.0f} p95 {p95(lat) * 1e3:.0f} ms"
        for symbol, lat in result.by_chart.items()
    )


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument(
        "--charts", default="1,2,4,4q", help="chart counts, comma-separated (≤ 4; 4q: quarter size)"
    )
    cli.add_argument("--setups", type=int, default=10, help="BUY and SELL setups per chart")
    cli.add_argument("--idle", type=float, default=60.0, help="seconds of still charts")
    cli.add_argument("--watch", type=float, default=None, help="loop.watch_interval_s")
    args = cli.parse_args(argv)
    screens = [Screen.parse(name) for name in args.charts.split(",")]
    run = Run(1, 5.0, 0.6, args.watch) if args.quick else Run(args.setups, args.idle, 1.0,
                                                              args.watch)  # fmt: skip
    watch = args.watch if args.watch is not None else Loop().watch_interval_s
    print(machine())
    print(f"loop.watch_interval_s {watch:g} s, loop.interval_s 5 s, a dot every "
          f"{run.dwell_s:g} s on every chart; {run.idle_s:g} s of still charts")  # fmt: skip
    print("charts  screen     triggers  p50 ms  p95 ms  max ms  CPU while dots change    ×1  "
          "CPU while still    ×1")  # fmt: skip
    one, details = None, []
    for screen in screens:
        result = session(screen, run)
        got, name = len(result.latencies), f"{screen.name} charts"
        expect(got == 2 * run.setups * screen.count, f"{name}: {got} triggers reached Discord")
        expect(result.exit_code == 0, f"{name}: atm run exited {result.exit_code}")
        one = one or (result if screen.name == "1" else None)
        print(row(screen, result, run.setups, one), flush=True)
        details.append(f"{name}: {per_chart(result)}")
    print("\n".join(["per chart:", *details]))


if __name__ == "__main__":
    main()
