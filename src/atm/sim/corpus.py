"""Write a labelled simulator corpus (SPEC §5): one PNG per bar, `labels.json`, and the
`config.toml` that matches the frames' geometry and colours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import tomli_w
from PIL import Image as PILImage

from atm.corpus import Label, frame_name, save_labels
from atm.errors import InputError
from atm.fileio import write_atomic
from atm.sim.effects import Variation, drift
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import Session, generate
from atm.sim.theme import THEMES, Theme
from atm.types import Image

DEFAULT_START: Final = datetime(2026, 11, 20, 21, 0, 0)
#: A frame is taken this long after its bar opened, as a 5 s monitoring loop would.
FRAME_OFFSET_S: Final = 3.0
_PNG_LEVEL: Final = 1  # fast to write and to decode; size matters less than dry-run speed
CLEAN: Final = Variation()


@dataclass(frozen=True, slots=True)
class CorpusSummary:
    """What `write_corpus` wrote."""

    out: Path
    frames: int
    buy_fires: int
    sell_fires: int
    width: int
    height: int


def write_corpus(
    out: Path,
    bars: int,
    scale: float,
    seed: int,
    theme: str,
    start: datetime | None = None,
    *,
    variation: Variation = CLEAN,
    progress: Callable[[int, int], None] | None = None,
) -> CorpusSummary:
    """Render `bars` frames of a `generate(bars, seed)` session into `out`.

    Frame `i` shows every bar up to and including bar `i` (its rightmost dot) and is
    named after its local time, `start + i × period + 3 s`. `variation` degrades the
    frames as real screens do; the config keeps the clean, calibrated values.
    `progress(done, total)` is called after each frame. Raises `InputError` if `out`
    holds anything already.
    """
    look = _theme(theme)
    layout = _layout(scale, variation)
    if bars < 1:
        raise InputError(f"--bars: expected at least 1, got {bars}")
    _prepare(out)
    session = generate(bars, seed)
    axis = PriceAxis.fit(*session.price_range(), layout)
    first = (start or DEFAULT_START).timestamp()  # a naive datetime is local time
    rng = np.random.default_rng(seed)
    shown = drift(look, variation.drift, rng) if variation.drift else look
    frames = _Frames(out, variation, rng)
    labels = _write_frames(frames, session, layout, shown, axis, first, progress)
    save_labels(out, labels)
    config = corpus_config(layout, look, axis)
    if variation.clip_edge:
        config["dot_roi"]["w"] = layout.bar_x(0) - layout.strip.x + 1
    write_atomic(out / "config.toml", tomli_w.dumps(config))
    fires = [f for _, f in session.fires()]
    return CorpusSummary(
        out, len(labels), fires.count("BUY"), fires.count("SELL"), layout.width, layout.height
    )


def corpus_config(layout: Layout, theme: Theme, axis: PriceAxis | None = None) -> dict[str, Any]:
    """The TOML-shaped config (SPEC §4 keys) matching frames rendered with `layout`/`theme`.

    With `axis`, `y_axis.points` are two of its labelled prices (exact pixel rows);
    without it they are left to the config default.
    """
    config: dict[str, Any] = {
        "schema": 1,
        "window_title": "TradeStation",
        "symbol_label": "DIA→US30",
        "dot_roi": layout.strip.as_dict(),
        "chart_roi": layout.chart.as_dict(),
        "capture": {"region": {"x": 0, "y": 0, "w": layout.width, "h": layout.height}},
        "colors": {
            **{name: {"rgb": list(rgb), "tolerance": 60} for name, rgb in theme.dots},
            "background": {"rgb": list(theme.strip_bg), "tolerance": 25},
        },
        "y_axis": {"roi": layout.axis.as_dict()},
        "levels": {"sl_rgb": list(theme.sl), "tp_rgb": list(theme.tp)},
        "canary": {"roi": layout.canary.as_dict()},
        "lockout": {"minutes": 4},
    }
    if axis is not None:
        config["y_axis"]["points"] = _axis_points(layout, axis)
    return config


def _axis_points(layout: Layout, axis: PriceAxis) -> list[dict[str, Any]]:
    """The highest and lowest labels printed in full on the axis: far apart, for precision."""
    chart, margin = layout.chart, 16 * layout.scale
    labels = [
        p
        for p in axis.labels(layout)
        if chart.y + margin < axis.y(p, layout) < chart.bottom - margin
    ]
    top, bottom = labels[0], labels[-1]
    return [
        {"y": round(axis.y(top, layout)), "price": top},
        {"y": round(axis.y(bottom, layout)), "price": bottom},
    ]


def _theme(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        raise InputError(f"--theme: unknown theme {name!r}; expected one of: dark, light") from None


def _prepare(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out}: already exists and is not an empty folder; choose a new one")
    out.mkdir(parents=True, exist_ok=True)


def _layout(scale: float, variation: Variation) -> Layout:
    try:
        return Layout.for_scale(
            scale,
            bar_spacing=variation.bar_spacing * scale if variation.bar_spacing else None,
            dot_radius=variation.dot_radius * scale if variation.dot_radius else None,
        )
    except ValueError as exc:
        raise InputError(f"--scale: {exc}") from None


@dataclass(frozen=True, slots=True)
class _Frames:
    """Where and how frames are saved: PNG, or JPEG at the variation's quality."""

    out: Path
    variation: Variation
    rng: np.random.Generator

    @property
    def suffix(self) -> str:
        return ".jpg" if self.variation.jpeg else ".png"

    def save(self, name: str, image: Image) -> None:
        """`image` is (H, W, 3) uint8 RGB."""
        shown = PILImage.fromarray(self.variation.degrade(image, self.rng))
        if self.variation.jpeg:
            shown.save(self.out / name, format="JPEG", quality=self.variation.jpeg)
        else:
            shown.save(self.out / name, format="PNG", compress_level=_PNG_LEVEL)


def _write_frames(
    frames: _Frames,
    session: Session,
    layout: Layout,
    theme: Theme,
    axis: PriceAxis,
    start: float,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Label]:
    labels: dict[str, Label] = {}
    colors = session.colors
    for i, bar in enumerate(session.bars):
        name = frame_name(start + i * session.bar_seconds + FRAME_OFFSET_S, suffix=frames.suffix)
        scene = Scene(layout, theme, axis, session.candles[: i + 1], colors[: i + 1], bar.levels)
        frames.save(name, render(scene))
        labels[name] = Label(color=bar.color, fire=bar.fire)
        if progress is not None:
            progress(i + 1, len(session.bars))
    return labels
