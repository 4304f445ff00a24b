"""Dry-run throughput on a 1080p PNG corpus (SPEC §9: ≥ 100 frames/s).

    python -m benchmarks.bench_dryrun [BARS]

Writes a simulator corpus to a temporary folder, then times `atm.tools.dryrun.evaluate`
end to end (decode, detect, state machine, scoring), and decode alone for comparison.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from atm import config as config_mod
from atm.evaluate import evaluate
from atm.sim.corpus import write_corpus
from atm.vision.image_io import read_image
from benchmarks._common import machine


def main(bars: int) -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "corpus"
        write_corpus(out, bars=bars, scale=1.0, seed=3, theme="dark")
        config = config_mod.load(out / "config.toml")
        frames = sorted(out.glob("*.png"))
        t = time.perf_counter()
        for path in frames:
            read_image(path)
        decode = time.perf_counter() - t
        t = time.perf_counter()
        result = evaluate(out, config)
        total = time.perf_counter() - t
    print(f"decode only, one thread: {len(frames) / decode:.0f} frames/s")
    print(
        f"dry run: {result.frames} frames in {total:.2f} s = {result.frames / total:.0f} frames/s "
        f"(gate {'passed' if result.passed else 'FAILED'})"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
