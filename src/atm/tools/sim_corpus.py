"""`atm sim DIR`: write a labelled simulator corpus, with a progress bar."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from atm.sim.corpus import write_corpus
from atm.sim.effects import Variation
from atm.tools.progress import bar


def write_sim_corpus(
    out: Path,
    bars: int,
    scale: float,
    seed: int,
    theme: str,
    variation: Variation,
    console: Console,
) -> int:
    with bar(console, "rendering") as progress:
        summary = write_corpus(
            out, bars, scale, seed, theme, variation=variation, progress=progress
        )
    console.print(
        f"wrote {summary.frames} frames ({summary.width}x{summary.height}, {theme}) with "
        f"{summary.buy_fires} BUY and {summary.sell_fires} SELL fires to {summary.out}; "
        f"replay it with: atm dryrun {summary.out}"
    )
    return 0
