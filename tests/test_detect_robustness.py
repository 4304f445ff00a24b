"""The detector under what real screens do (issue 3): every variation must pass the gate.

Each case renders a labelled corpus with the simulator, degraded one way, and replays it
through the same decision core as the live monitor. The config keeps the clean,
calibrated colours, as a user's config would after the screen drifts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from atm import config as config_mod
from atm.evaluate import evaluate
from atm.sim.corpus import write_corpus
from atm.sim.effects import CATALOGUE


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "case"), list(enumerate(CATALOGUE)))
def test_variation_passes_the_gate(seed: int, case: str, tmp_path: Path) -> None:
    scale, theme, variation = CATALOGUE[case]
    bars = 40 if scale >= 2 else 50
    out = tmp_path / case
    write_corpus(out, bars=bars, scale=scale, seed=seed, theme=theme, variation=variation)
    result = evaluate(out, config_mod.load(out / "config.toml"))
    assert result.frames == bars
    assert result.color_accuracy is not None and result.color_accuracy >= 0.995, result.confusion
    assert result.expected, "the scenario planted no FIRE: the case proves nothing"
    assert result.precision == 1.0
    assert result.recall >= 0.995
