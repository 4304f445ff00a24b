"""The detector under what real screens do (issue 3): every variation must pass the gate.

Each case renders a labelled corpus with the simulator, degraded one way, and replays it
through the same decision core as the live monitor. The config keeps the clean,
calibrated colours, as a user's config would after the screen drifts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from atm import config as config_mod
from atm.sim.corpus import write_corpus
from atm.sim.effects import Variation
from atm.tools.dryrun import evaluate

CASES = {
    "dpi125": (1.25, "dark", Variation()),
    "dpi150-light": (1.5, "light", Variation()),
    "dpi200": (2.0, "dark", Variation()),
    "radius2-spacing6": (1.0, "dark", Variation(dot_radius=2, bar_spacing=6)),
    "radius5": (1.0, "light", Variation(dot_radius=5, bar_spacing=14)),
    "jpeg85": (1.0, "dark", Variation(jpeg=85)),
    "jpeg80-small-light": (1.0, "light", Variation(jpeg=80, dot_radius=2, bar_spacing=6)),
    "noise6": (1.0, "dark", Variation(noise=6)),
    "drift15": (1.0, "dark", Variation(drift=15)),
    "drift15-light": (1.0, "light", Variation(drift=15)),
    "half-visible-edge-dot": (1.0, "dark", Variation(clip_edge=True)),
    "everything": (
        1.5,
        "light",
        Variation(dot_radius=2, bar_spacing=6, jpeg=85, noise=3, drift=15, clip_edge=True),
    ),
}


@pytest.mark.parametrize(("seed", "case"), list(enumerate(CASES)))
def test_variation_passes_the_gate(seed: int, case: str, tmp_path: Path) -> None:
    scale, theme, variation = CASES[case]
    bars = 40 if scale >= 2 else 50
    out = tmp_path / case
    write_corpus(out, bars=bars, scale=scale, seed=seed, theme=theme, variation=variation)
    result = evaluate(out, config_mod.load(out / "config.toml"))
    assert result.frames == bars
    assert result.color_accuracy is not None and result.color_accuracy >= 0.995, result.confusion
    assert result.expected, "the scenario planted no FIRE: the case proves nothing"
    assert result.precision == 1.0
    assert result.recall >= 0.995
