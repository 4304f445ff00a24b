"""Levels scan (SPEC §7, §9: ≤ 1 tick, also after the chart rescales): price error and time.

    python -m benchmarks.bench_levels [--frames N] [--quick]

Frames come from `atm.sim.levels_corpus` (the axis range and span change every frame, SL
and TP lines with their tags at known prices) at each DPI and theme, and from a renderer
the scan was not built on (tests/fakes/foreign_chart.py). For each level present the
error is |read − true| in ticks; a line not found is a miss, not an error. "axis only"
repeats the scan ignoring the price tags: what the axis fit alone achieves.

Without a reading of the axis (OCR missing, or labels it cannot read), the calibration's
`y_axis.points` stand in only while the axis column matches its calibration fingerprint:
the last section scans the same rescaling frames with no OCR and counts what would be
sent — prices (right only on the calibration's own scale) or "levels unavailable".

Time per scan: "cold" is a frame whose axis the OCR cache has never seen (every label
read), "warm" the same frame again (a chart whose scale did not change since the last
scan: the usual case while Phase B waits). `find_lines` is one colour on the chart crop.
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Iterable, Sequence

import numpy as np

from atm import config as config_mod
from atm.frame import Frame
from atm.levels import LevelsReading, scan
from atm.sim.levels_corpus import SCALES, levels_frames
from atm.vision.axis_print import fingerprint
from atm.vision.lines import find_lines
from atm.vision.ocr import INSTALL_HINT, RapidReader, available
from benchmarks._common import expect, machine, parser, summary_ms
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
    """Scan every case; print the error distribution; the cold and warm scan times."""
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
    expect(bool(errs) and max(errs) <= 1 + 1e-6, f"{name}: a level more than a tick off")
    return cold, warm


def without_ocr(frames: int) -> None:
    """The points fallback on frames rescaled since calibration: never a stale price."""
    right = refused = stale = 0
    for scale in SCALES:
        shots = list(levels_frames(max(frames, 3), seed=round(scale * 31), scale=scale))
        raw = copy.deepcopy(shots[0].config)
        roi = raw["y_axis"]["roi"]
        crop = shots[0].image[roi["y"] : roi["y"] + roi["h"], roi["x"] : roi["x"] + roi["w"]]
        raw["y_axis"]["fingerprint"] = fingerprint(crop)
        config = config_mod.from_dict(raw)
        for f in shots:
            got = scan(Frame(f.image, 0.0), config, None, direction=f.direction)
            errs, misses = errors(got, (f.truth.sl, f.truth.tp1, f.truth.tp2))
            if got.axis == "unreadable":
                refused += 1
            elif errs and not misses and max(errs) <= 1 + 1e-6:
                right += 1
            else:
                stale += 1
    print(
        f"without OCR, {len(SCALES)} calibrations: frames priced from the points within a "
        f"tick {right}, 'levels unavailable' {refused}, sent with a wrong price {stale}"
    )
    expect(stale == 0 and right >= len(SCALES), "the points fallback sent a wrong price")


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--frames", type=int, default=25, help="frames per DPI × theme")
    args = cli.parse_args(argv)
    frames = 2 if args.quick else args.frames
    print(machine())
    if not available():
        sys.exit(INSTALL_HINT)
    t = time.perf_counter()
    ocr = RapidReader()
    print(f"OCR engine start: {(time.perf_counter() - t) * 1e3:.0f} ms")
    timing: dict[float, tuple[list[float], list[float]]] = {}
    for scale in SCALES[:1] if args.quick else SCALES:
        for theme in ("dark", "light"):
            cold, warm = run(f"sim {scale:.2f} {theme:5}", sim_cases(frames, scale, theme), ocr)
            timing.setdefault(scale, ([], []))
            timing[scale][0].extend(cold)
            timing[scale][1].extend(warm)
    foreign = ((1.0, "navy"), (1.25, "paper"), (1.5, "navy"), (2.0, "paper"))
    for scale, look in foreign[:1] if args.quick else foreign:
        run(f"foreign {scale:.2f} {look}", foreign_cases(max(frames // 2, 2), scale, look), ocr)
    print()
    for scale, (cold, warm) in timing.items():
        print(f"scan at {scale:.2f} cold: {summary_ms(cold)}")
        print(f"scan at {scale:.2f} warm: {summary_ms(warm)}")
    without_ocr(frames)
    image, config, _, _ = sim_cases(1, 1.0, "dark")[0]
    chart = Frame(image, 0.0).crop(config.chart_roi)
    samples = []
    for _ in range(20 if args.quick else 200):
        t = time.perf_counter()
        find_lines(chart, config.levels.sl_rgb, config.levels.tolerance)
        samples.append(time.perf_counter() - t)
    print(f"find_lines 1700x860, one colour: {summary_ms(samples)}")


if __name__ == "__main__":
    main()
