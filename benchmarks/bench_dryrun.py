"""Dry-run throughput on a 1080p PNG corpus (SPEC §9: ≥ 100 frames/s).

    python -m benchmarks.bench_dryrun [--bars N] [--quick]

Writes a simulator corpus to a temporary folder, then times `atm.tools.dryrun.evaluate`
end to end (decode, detect, state machine, scoring), and decode alone for comparison.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from atm import config as config_mod
from atm.evaluate import evaluate
from atm.sim.corpus import write_corpus
from atm.vision.image_io import read_image
from benchmarks._common import expect, machine, parser


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--bars", type=int, default=400, help="frames in the corpus")
    args = cli.parse_args(argv)
    bars = 30 if args.quick else args.bars
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
    expect(result.frames == len(frames) and result.passed, "the dry run did not pass its gate")


if __name__ == "__main__":
    main()
