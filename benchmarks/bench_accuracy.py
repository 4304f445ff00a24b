"""Detection accuracy per robustness variation (SPEC §9 first row), on larger corpora, and
per adversarial situation (SPEC §9 "adversarial screens", issue 11).

    python -m benchmarks.bench_accuracy [BARS] [SEEDS]

Renders one corpus per case of `atm.sim.effects.CATALOGUE` and prints colour accuracy and
FIRE precision/recall for each, plus the totals. Then replays every situation of
`atm.sim.adversary.SITUATIONS` on SEEDS sessions through the real runner (a frame every
20 s) and prints, per situation, the FIREs in the watch, those whose bar had a clean
frame, what was sent (right, false, duplicate), what was missed, and the health alerts.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from atm import config as config_mod
from atm import trial
from atm.evaluate import evaluate
from atm.sim.adversary import SITUATIONS, build
from atm.sim.corpus import write_corpus
from atm.sim.effects import CATALOGUE
from benchmarks._common import machine


def main(bars: int) -> None:
    print(machine())
    frames = right = tp = expected = detected = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed, (name, (scale, theme, variation)) in enumerate(CATALOGUE.items(), 100):
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


def adversarial(seeds: int) -> None:
    """Per situation, summed over `seeds` sessions: frames, FIREs and alerts (see above)."""
    print(f"adversarial situations, {seeds} sessions of 60 watched bars each, a frame per 20 s")
    totals = [0] * 8
    for name in SITUATIONS:
        counts, alerts, words = [0] * 8, [0, 0], set()
        with tempfile.TemporaryDirectory() as tmp:
            for seed in range(seeds):
                s = trial.run(build(name, seed), Path(tmp) / str(seed))
                got = (s.frames, s.hidden, s.expected, s.seen, s.hits, s.false, s.duplicate,
                       s.missed)  # fmt: skip
                counts = [a + b for a, b in zip(counts, got, strict=True)]
                alerts = [alerts[0] + len(s.opened), alerts[1] + len(s.recovered)]
                words |= {t.split(":")[0].split(" — ")[0][3:] for t in s.opened}
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        frames, hidden, expected, seen, hits, false, duplicate, missed = counts
        print(
            f"{name:20s} frames {frames} ({hidden} hidden)  FIREs {expected:3d} (clean frame "
            f"{seen:3d})  sent right {hits:3d}  false {false}  duplicate {duplicate}  "
            f"missed {missed}  alerts {alerts[0]} + {alerts[1]} recovered: "
            f"{'; '.join(sorted(words)) or '-'}"
        )
    frames, hidden, expected, seen, hits, false, duplicate, missed = totals
    print(f"TOTAL {frames} frames ({hidden} hidden), FIREs {expected} ({seen} with a clean frame): "
          f"{hits} sent right, {false} false, {duplicate} duplicate, {missed} missed")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    adversarial(int(sys.argv[2]) if len(sys.argv) > 2 else 8)
