"""Two simulator charts side by side (different symbols, scales and themes) as the frames
of one screen, with the `[[charts]]` config that watches both: what the multi-chart tests
replay, label and calibrate against."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from atm.config.charts import CHART_KEYS
from atm.sim.corpus import write_corpus
from atm.types import Image
from atm.vision.image_io import read_image, write_png

CHARTS = {  # name: (symbol, scale, theme, seed)
    "DIA": ("DIA→US30", 1.0, "dark", 21),
    "GLD": ("GLD→XAUUSD", 1.25, "light", 33),
}
BARS = 60


def shifted(value: Any, dx: int, dy: int = 0) -> Any:
    """A TOML-shaped value with every `{x, y, w, h}` table in it moved by (dx, dy), and
    every `{y, price}` axis point by dy."""
    if isinstance(value, dict) and set(value) == {"x", "y", "w", "h"}:
        return {**value, "x": value["x"] + dx, "y": value["y"] + dy}
    if isinstance(value, dict) and set(value) == {"y", "price"}:
        return {**value, "y": value["y"] + dy}
    if isinstance(value, dict):
        return {k: shifted(v, dx, dy) for k, v in value.items()}
    if isinstance(value, list):
        return [shifted(v, dx, dy) for v in value]
    return value


def build_screen(root: Path) -> Path:
    """Frames of both charts side by side, as one screen, and its [[charts]] config."""
    corpora = {}
    for name, (_, scale, theme, seed) in CHARTS.items():
        corpora[name] = root / name
        write_corpus(corpora[name], bars=BARS, scale=scale, seed=seed, theme=theme)
    out = root / "screen"
    out.mkdir()
    widths = combine(corpora["DIA"], corpora["GLD"], out)
    tables, x = [], 0
    for name, (symbol, *_rest) in CHARTS.items():
        raw = tomllib.loads((corpora[name] / "config.toml").read_text())
        own = {k: v for k, v in raw.items() if k in CHART_KEYS and k != "capture"}
        tables.append({"name": name, **shifted(own, x), "symbol_label": symbol})
        x += widths[name]
    height = max(read_image(p).shape[0] for p in out.glob("*.png"))
    config = {"capture": {"region": {"x": 0, "y": 0, "w": x, "h": height}}, "charts": tables}
    (out / "charts.toml").write_text(tomli_w.dumps(config))
    return out


def combine(left: Path, right: Path, out: Path, edit: Callable[[str, Image], None] | None = None
             ) -> dict[str, int]:  # fmt: skip
    widths: dict[str, int] = {}
    for path in sorted(left.glob("*.png")):
        a, b = read_image(path), read_image(right / path.name)
        canvas = np.zeros((max(a.shape[0], b.shape[0]), a.shape[1] + b.shape[1], 3), np.uint8)
        canvas[: a.shape[0], : a.shape[1]] = a
        canvas[: b.shape[0], a.shape[1] :] = b
        if edit is not None:
            edit(path.name, canvas)
        write_png(out / path.name, canvas)
        widths = {left.name: a.shape[1], right.name: b.shape[1]}
    return widths
