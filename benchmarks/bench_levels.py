"""Levels scan (SPEC §7, §9: ≤ 1 tick, also after the chart rescales): price error and time.

    python -m benchmarks.bench_levels [--frames N]

Frames come from `atm.sim.levels_corpus` (the axis range and span change every frame, SL
and TP lines with their tags at known prices) at each DPI and theme, and from a renderer
the scan was not built on (tests/fakes/foreign_chart.py). For each level present the
error is |read − true| in ticks; a line not found is a miss, not an error. "axis only"
repeats the scan ignoring the price tags: what the axis fit alone achieves.

Time per scan: "cold" is a frame whose axis the OCR cache has never seen (every label
read), "warm" the same frame again (a chart whose scale did not change since the last
scan: the usual case while Phase B waits). `find_lines` is one colour on the chart crop.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence

import numpy as np

from atm import config as config_mod
from atm.frame import Frame
from atm.levels import LevelsReading, scan
from atm.sim.levels_corpus import SCALES, levels_frames
from atm.vision.lines import find_lines
from atm.vision.ocr import RapidReader, available
from benchmarks._common import machine, summary_ms
from tests.fakes.foreign_chart import foreign_frames

TICK = 0.01
Case = tuple[np.ndarray, config_mod.Config, str, tuple[float | None, ...]]


def sim_cases(n: int, scale: float, theme: str) -> list[Case]:
    out: list[Case] = []
    for f in levels_frames(n, seed=round(scale * 100) + len(theme), scale=scale, theme=theme):
        truth = (f.truth.sl, f.truth.tp1, f.truth.tp2)
        out.append((f.image, config_mod.from_dict(f.config), f.direction, truth))
    return out


def foreign_cases(n: int, scale: float, look: str) -> list[Case]:
    return [
        (f.image, config_mod.from_dict(f.config), f.direction, (f.sl, f.tp1, f.tp2))
        for f in foreign_frames(n, seed=round(scale * 10) + len(look), scale=scale, look=look)
    ]


def errors(reading: LevelsReading, truth: Sequence[float | None]) -> tuple[list[float], int]:
    errs, misses = [], 0
    for got, want in zip(reading.prices, truth, strict=True):
        if want is None:
            continue
        if got is None:
            misses += 1
        else:
            errs.append(abs(got - want) / TICK)
    return errs, misses


def distribution(errs: Iterable[float]) -> str:
    e = np.round(np.asarray(list(errs)), 6)
    if e.size == 0:
        return "no levels"
    return (
        f"max {e.max():.0f} ticks, p95 {np.percentile(e, 95):.0f}, exact {np.mean(e == 0):.1%}, "
        f"≤1 tick {np.mean(e <= 1):.1%} (n={e.size})"
    )


def run(name: str, cases: list[Case], ocr: RapidReader) -> tuple[list[float], list[float]]:
    errs, axis_errs, misses, cold, warm = [], [], 0, [], []
    for image, config, direction, truth in cases:
        frame = Frame(image, 0.0)
        t = time.perf_counter()
        reading = scan(frame, config, ocr, direction=direction)  # type: ignore[arg-type]
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        scan(frame, config, ocr, direction=direction)  # type: ignore[arg-type]
        warm.append(time.perf_counter() - t)
        e, m = errors(reading, truth)
        errs += e
        misses += m
        alone = scan(frame, config, ocr, direction=direction, tags=False)  # type: ignore[arg-type]
        axis_errs += errors(alone, truth)[0]
    print(f"{name}: {distribution(errs)}, missed lines {misses}")
    print(f"{'':{len(name)}}  axis only: {distribution(axis_errs)}")
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=25, help="frames per DPI × theme")
    args = parser.parse_args()
    print(machine())
    if not available():
        sys.exit('the [ocr] extra is not installed: pip install -e ".[ocr]"')
    t = time.perf_counter()
    ocr = RapidReader()
    print(f"OCR engine start: {(time.perf_counter() - t) * 1e3:.0f} ms")
    timing: dict[float, tuple[list[float], list[float]]] = {}
    for scale in SCALES:
        for theme in ("dark", "light"):
            cold, warm = run(
                f"sim {scale:.2f} {theme:5}", sim_cases(args.frames, scale, theme), ocr
            )
            timing.setdefault(scale, ([], []))
            timing[scale][0].extend(cold)
            timing[scale][1].extend(warm)
    for scale, look in ((1.0, "navy"), (1.25, "paper"), (1.5, "navy"), (2.0, "paper")):
        run(
            f"foreign {scale:.2f} {look}", foreign_cases(max(args.frames // 2, 4), scale, look), ocr
        )
    print()
    for scale, (cold, warm) in timing.items():
        print(f"scan at {scale:.2f} cold: {summary_ms(cold)}")
        print(f"scan at {scale:.2f} warm: {summary_ms(warm)}")
    image, config, _, _ = sim_cases(1, 1.0, "dark")[0]
    chart = Frame(image, 0.0).crop(config.chart_roi)
    samples = []
    for _ in range(200):
        t = time.perf_counter()
        find_lines(chart, config.levels.sl_rgb, config.levels.tolerance)
        samples.append(time.perf_counter() - t)
    print(f"find_lines 1700x860, one colour: {summary_ms(samples)}")


if __name__ == "__main__":
    main()
