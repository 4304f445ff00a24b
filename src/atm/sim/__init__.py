"""The built-in chart simulator: TradeStation-like frames with an M2D MAPS strip, the
sessions behind them with ground-truth FIREs, and labelled corpora (SPEC §5).

    theme     colours of a dark and a light chart
    layout    geometry at a DPI scale; the price ↔ pixel mapping
    render    Scene → (H, W, 3) uint8 RGB frame
    scenario  generate(bars, seed) → Session (colours, FIREs, candles, SL/TP levels)
    corpus    write_corpus(...) → PNGs + labels.json + config.toml; corpus_config(...)
    effects   what screens and screenshots do to a frame (JPEG, noise, colour drift)
    overlays  what lies over a chart on a desktop: crosshair, data tip, toast, dialog
    adversary sessions watched while the desktop gets in the way, with ground truth
"""

from __future__ import annotations

from atm.geometry import Rect
from atm.sim.corpus import CorpusSummary, corpus_config, write_corpus
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Candle, Levels, Scene, render
from atm.sim.scenario import Bar, Session, generate
from atm.sim.theme import DARK, LIGHT, THEMES, Theme

__all__ = [
    "DARK",
    "LIGHT",
    "THEMES",
    "Bar",
    "Candle",
    "CorpusSummary",
    "Layout",
    "Levels",
    "PriceAxis",
    "Rect",
    "Scene",
    "Session",
    "Theme",
    "corpus_config",
    "generate",
    "render",
    "write_corpus",
]
