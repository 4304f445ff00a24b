"""Colour themes of the simulated TradeStation window: a dark and a light chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from atm.colors import DOT_COLORS, REFERENCE_RGB, Rgb


@dataclass(frozen=True, slots=True)
class Theme:
    """Every colour the renderer paints, as (R, G, B) 0-255.

    `dots` pairs each dot class name with its RGB; a tuple rather than a dict so the
    theme stays hashable (the renderer caches static layers per theme).
    """

    name: str
    window: Rgb  # window frame and the toolbar column left of the chart
    title_bar: Rgb
    title_text: Rgb
    chart_bg: Rgb
    grid: Rgb
    axis_text: Rgb
    pane_border: Rgb
    candle_up: Rgb
    candle_down: Rgb
    strip_bg: Rgb
    strip_text: Rgb
    sl: Rgb
    tp: Rgb
    tag_text: Rgb
    dots: tuple[tuple[str, Rgb], ...]

    def dot(self, color: str) -> Rgb:
        """The RGB of a dot class; KeyError for a name that is not one."""
        for name, rgb in self.dots:
            if name == color:
                return rgb
        raise KeyError(color)


_REFERENCE_DOTS: Final = tuple((name, REFERENCE_RGB[name]) for name in DOT_COLORS)

# Candle colours sit far (> 80 RGB distance) from every dot class and from the SL/TP
# line colours, so neither the detector nor the level scan can mistake a candle for them.
DARK: Final = Theme(
    name="dark",
    window=(32, 32, 36),
    title_bar=(45, 45, 48),
    title_text=(222, 222, 222),
    chart_bg=(0, 0, 0),
    grid=(36, 36, 40),
    axis_text=(200, 200, 200),
    pane_border=(70, 70, 76),
    candle_up=(38, 166, 154),
    candle_down=(239, 83, 80),
    strip_bg=REFERENCE_RGB["background"],
    strip_text=(190, 190, 190),
    sl=(255, 0, 0),
    tp=(0, 255, 0),
    tag_text=(0, 0, 0),
    dots=_REFERENCE_DOTS,
)

LIGHT: Final = Theme(
    name="light",
    window=(225, 225, 228),
    title_bar=(240, 240, 240),
    title_text=(20, 20, 20),
    chart_bg=(255, 255, 255),
    grid=(228, 228, 232),
    axis_text=(40, 40, 40),
    pane_border=(170, 170, 176),
    candle_up=(8, 153, 129),
    candle_down=(242, 54, 69),
    strip_bg=(255, 255, 255),
    strip_text=(60, 60, 60),
    sl=(255, 0, 0),
    tp=(0, 255, 0),
    tag_text=(0, 0, 0),
    dots=_REFERENCE_DOTS,
)

THEMES: Final[dict[str, Theme]] = {"dark": DARK, "light": LIGHT}
