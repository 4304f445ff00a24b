"""Per-cycle detect time on simulator frames at 1920×1080 and 2560×1440 (SPEC §9: ≤ 2 ms).

    python -m benchmarks.bench_detect

Times `Detector.detect` (the rightmost dot: what runs every cycle) and `Detector.history`
(every dot: late start and catch-up only) over frames of a whole simulated session.
"""

from __future__ import annotations

import time

from atm import config as config_mod
from atm.detect import Detector
from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import generate
from atm.sim.theme import DARK
from benchmarks._common import machine, summary_ms

ROUNDS = 5


def frames(scale: float, bars: int = 200) -> tuple[Layout, list, config_mod.Config]:  # type: ignore[type-arg]
    layout = Layout.for_scale(scale)
    session = generate(bars, seed=1)
    axis = PriceAxis.fit(*session.price_range(), layout)
    images = [
        render(Scene(layout, DARK, axis, session.candles[: i + 1], session.colors[: i + 1]))
        for i in range(20, bars)
    ]
    return layout, images, config_mod.from_dict(corpus_config(layout, DARK, axis))


def main() -> None:
    print(machine())
    for scale in (1.0, 4 / 3):
        layout, images, config = frames(scale)
        detector = Detector(config)
        cycle, history = [], []
        for _ in range(ROUNDS):
            for image in images:
                t = time.perf_counter()
                detector.detect(image, 0.0)
                cycle.append(time.perf_counter() - t)
        for image in images[::10]:
            t = time.perf_counter()
            detector.history(image)
            history.append(time.perf_counter() - t)
        print(f"{layout.width}x{layout.height} detect (rightmost): {summary_ms(cycle)}")
        print(f"{layout.width}x{layout.height} history (all dots): {summary_ms(history)}")


if __name__ == "__main__":
    main()
