"""Per-cycle detection on 1080p and 1440p simulator frames (SPEC §9: ≤ 2 ms median).

    python -m benchmarks.bench_detect [--quick]

Times what the watch stage runs on every tick: `Detector.detect` on the frame's `dot_roi`
crop (`Frame.crop`), for a strip that changed since the last read (a new dot: a real read)
and for one that did not (most ticks: a bar lasts minutes and the strip is read ten times
a second, so the last dot is reused), and `Detector.history` (every dot of the strip: late
start and catch-up only). Every read is checked against the colour the simulator drew.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from atm import config as config_mod
from atm.colors import Color
from atm.detect import Detector
from atm.frame import Frame
from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import generate
from atm.sim.theme import DARK
from benchmarks._common import expect, machine, parser, summary_ms


def frames(scale: float, bars: int) -> tuple[Layout, list[Frame], list[Color], config_mod.Config]:
    """Frames of a session from bar 20 on (a strip full of history), their newest colours."""
    layout = Layout.for_scale(scale)
    session = generate(bars, seed=1)
    axis = PriceAxis.fit(*session.price_range(), layout)
    shown = range(min(20, bars - 1), bars)
    images = [
        Frame(
            render(Scene(layout, DARK, axis, session.candles[: i + 1], session.colors[: i + 1])),
            0.0,
        )
        for i in shown
    ]
    colors = [session.colors[i] for i in shown]
    return layout, images, colors, config_mod.from_dict(corpus_config(layout, DARK, axis))


def measure(scale: float, bars: int, rounds: int) -> None:
    layout, shots, colors, config = frames(scale, bars)
    detector = Detector(config)
    detector.detect(shots[-1].crop(config.dot_roi), 0.0)  # warm up (first-call costs)
    changed, unchanged, history = [], [], []
    for _ in range(rounds):
        for frame, color in zip(shots, colors, strict=True):
            strip = frame.crop(config.dot_roi)
            t = time.perf_counter()
            seen = detector.detect(strip, 0.0)
            changed.append(time.perf_counter() - t)
            t = time.perf_counter()
            again = detector.detect(frame.crop(config.dot_roi), 0.0)
            unchanged.append(time.perf_counter() - t)
            expect(seen.dot is not None and seen.dot.color == color,
                   f"read {seen.dot} where the simulator drew {color}")  # fmt: skip
            expect(again.dot == seen.dot, "the same strip read twice gave two dots")
    for frame in shots[::10]:
        t = time.perf_counter()
        dots = detector.history(frame.crop(config.dot_roi))
        history.append(time.perf_counter() - t)
        expect(len(dots) >= 20, f"history found {len(dots)} dots on a strip of 20+")
    size = f"{layout.width}x{layout.height}"
    print(f"{size} detect, strip changed (a new dot): {summary_ms(changed)}")
    print(f"{size} detect, strip unchanged (reused):  {summary_ms(unchanged)}")
    print(f"{size} history (all dots):               {summary_ms(history)}")


def main(argv: Sequence[str] | None = None) -> None:
    args = parser(__doc__).parse_args(argv)
    print(machine())
    for scale in (1.0,) if args.quick else (1.0, 4 / 3):
        measure(scale, 40 if args.quick else 200, 1 if args.quick else 5)


if __name__ == "__main__":
    main()
