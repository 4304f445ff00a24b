"""Detection accuracy per robustness variation (SPEC §9 first row), on larger corpora.

    python -m benchmarks.bench_accuracy [--bars N] [--quick]

Renders one corpus per case of `atm.sim.effects.CATALOGUE` and prints colour accuracy and
FIRE precision/recall for each, plus the totals.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from atm import config as config_mod
from atm.evaluate import evaluate
from atm.sim.corpus import write_corpus
from atm.sim.effects import CATALOGUE
from benchmarks._common import expect, machine, parser

#: `--quick` runs these: JPEG, light theme and the everything-at-once case.
QUICK = ("jpeg80-small-light", "everything")


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--bars", type=int, default=200, help="bars per case")
    args = cli.parse_args(argv)
    bars = 12 if args.quick else args.bars
    cases = {k: v for k, v in CATALOGUE.items() if not args.quick or k in QUICK}
    print(machine())
    frames = right = tp = expected = detected = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed, (name, (scale, theme, variation)) in enumerate(cases.items(), 100):
            out = Path(tmp) / name
            write_corpus(out, bars, scale, seed, theme, variation=variation)
            r = evaluate(out, config_mod.load(out / "config.toml"))
            acc = r.color_accuracy or 0.0
            print(
                f"{name:24s} frames {r.frames:4d}  colour {acc:7.2%}  fires {r.tp}/"
                f"{len(r.expected)} expected, {r.fp} false  "
                f"precision {r.precision:.1%} recall {r.recall:.1%}"
            )
            frames += r.frames
            right += round(acc * r.labelled)
            tp, expected, detected = (
                tp + r.tp,
                expected + len(r.expected),
                detected + len(r.detected),
            )
    print(
        f"TOTAL {frames} frames: colour accuracy {right / frames:.2%}, "
        f"precision {tp / max(detected, 1):.2%}, recall {tp / max(expected, 1):.2%}"
    )
    expect(tp == detected and expected > 0, "a false FIRE, or no FIRE to find")


if __name__ == "__main__":
    main()
