"""Detection accuracy per robustness variation (SPEC §9 first row), on larger corpora,
and per adversarial situation (SPEC §9 "adversarial screens", issue 11).

    python -m benchmarks.bench_accuracy [--bars N] [--seeds N] [--quick]

Renders one corpus per case of `atm.sim.effects.CATALOGUE` and prints colour accuracy and
FIRE precision/recall for each, plus the totals.

Then replays every situation of `atm.sim.adversary.SITUATIONS` on SEEDS simulated
sessions (seeds 0, 1, …): 60 three-minute bars watched from bar 30 (from the first bar of a
setup under way, for a late start), a frame every 20 s, through the real `Runner`
(`atm.trial`: every frame a full cycle, no canary). Each holds short episodes — a frame
or two on every FIRE bar and on the bar before it, which must stay out of the channels —
and one sustained episode, which must raise one health alert naming its cause and one
recovery. Per situation: frames, and those whose live dot was not in plain view (a
crosshair line over it is meant to be seen through, so those count as clean); FIREs in
the watch and those whose bar had a clean frame; triggers sent on their FIRE's own bar,
false (any other bar), duplicate (a bar sent twice), missed (a FIRE with a clean frame
not sent); the health alerts and recoveries and the words they opened with. Bar: 0
false, 0 duplicate, 0 missed, one alert per sustained episode.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from atm import config as config_mod
from atm import trial
from atm.evaluate import evaluate
from atm.sim.adversary import SITUATIONS, build
from atm.sim.corpus import write_corpus
from atm.sim.effects import CATALOGUE
from benchmarks._common import expect, machine, parser

#: `--quick` runs these: JPEG, light theme and the everything-at-once case...
QUICK = ("jpeg80-small-light", "everything")
#: ...and one adversarial situation on one session.
QUICK_SITUATIONS = ("scroll-back",)


def main(argv: Sequence[str] | None = None) -> None:
    cli = parser(__doc__)
    cli.add_argument("--bars", type=int, default=200, help="bars per case")
    cli.add_argument("--seeds", type=int, default=8, help="sessions per adversarial situation")
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
    if args.quick:
        adversarial(1, QUICK_SITUATIONS, first_seed=3)
    else:
        adversarial(args.seeds, tuple(SITUATIONS))


def adversarial(seeds: int, names: Sequence[str], first_seed: int = 0) -> None:
    """Per situation, summed over `seeds` sessions: frames, FIREs and alerts (see above)."""
    print(f"adversarial situations, {seeds} sessions of 60 watched bars each, a frame per 20 s")
    totals = [0] * 8
    for name in names:
        counts, alerts, words = [0] * 8, [0, 0], set()
        with tempfile.TemporaryDirectory() as tmp:
            for seed in range(first_seed, first_seed + seeds):
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
        deserved = seeds if SITUATIONS[name].alert else 0
        expect(alerts == [deserved, deserved], f"{name}: alerts {alerts}, {deserved} deserved")
    frames, hidden, expected, seen, hits, false, duplicate, missed = totals
    print(f"TOTAL {frames} frames ({hidden} hidden), FIREs {expected} ({seen} with a clean frame): "
          f"{hits} sent right, {false} false, {duplicate} duplicate, {missed} missed")  # fmt: skip
    expect(seen > 0 and (false, duplicate, missed) == (0, 0, 0), "a FIRE false, twice or lost")


if __name__ == "__main__":
    main()
