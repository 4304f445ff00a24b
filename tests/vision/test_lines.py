"""SL/TP line detection: the right rows at every DPI and theme, sub-pixel on anti-aliased
lines, and nothing for candles of the line colour, grid lines or bands of colour."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from atm.sim.layout import Layout, PriceAxis
from atm.sim.levels_corpus import SCALES, LevelsFrame, levels_frames
from atm.sim.render import Candle, Scene, render
from atm.sim.theme import DARK, LIGHT, Theme
from atm.types import Image
from atm.vision.lines import find_grid, find_lines

RED, GREEN = (255, 0, 0), (0, 255, 0)
THEMES = ["dark", "light"]


def _chart(f: LevelsFrame) -> Image:
    c = f.layout.chart
    return f.image[c.y : c.bottom, c.x : c.right]


def _row(f: LevelsFrame, price: float) -> float:
    """The row the simulator draws `price` on, in chart-crop pixels (its line's centre)."""
    t = max(1, round(f.layout.scale))
    return round(f.axis.y(price, f.layout)) - f.layout.chart.y + (t - 1) / 2 - (t - 1) // 2


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("theme", THEMES)
def test_every_line_is_found_on_its_row(scale: float, theme: str) -> None:
    for f in levels_frames(3, seed=11, scale=scale, theme=theme):
        assert f.truth.sl is not None and f.truth.tp1 is not None and f.truth.tp2 is not None
        reds, greens = find_lines(_chart(f), RED, 60), find_lines(_chart(f), GREEN, 60)
        assert [round(ln.y, 2) for ln in reds] == [_row(f, f.truth.sl)]
        assert sorted(round(ln.y, 2) for ln in greens) == sorted(
            _row(f, p) for p in (f.truth.tp1, f.truth.tp2)
        )
        for line in reds + greens:
            assert line.coverage > 0.99
            assert line.thickness == pytest.approx(max(1, round(scale)), abs=0.05)


@pytest.mark.parametrize("y", [300.0, 300.25, 300.5, 300.8])
@pytest.mark.parametrize("bg", [(0, 0, 0), (255, 255, 255)])
def test_an_anti_aliased_line_is_placed_at_its_fractional_row(
    y: float, bg: tuple[int, int, int]
) -> None:
    chart = np.empty((600, 1700, 3), np.uint8)
    chart[:] = bg
    lo = int(y)
    for row, share in ((lo, 1 - (y - lo)), (lo + 1, y - lo)):  # a 1 px line split in two
        blend = np.asarray(bg) * (1 - share) + np.asarray(RED) * share
        chart[row, 100:1650] = np.rint(blend).astype(np.uint8)
    [line] = find_lines(chart, RED, 60)
    assert line.y == pytest.approx(y, abs=0.02)
    assert line.thickness == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=THEMES)
def test_candles_in_the_line_colour_are_not_lines(theme: Theme) -> None:
    look = replace(theme, candle_up=(255, 0, 0), candle_down=(250, 10, 10))
    for f in levels_frames(4, seed=3, theme=look.name, lines=0, look=look):
        assert find_lines(_chart(f), RED, 60) == []


def test_a_flat_market_of_red_candles_is_not_a_line() -> None:
    """Dense bars (6 px apart, 5 px bodies) at one price make rows mostly red: still no line."""
    layout = Layout.for_scale(1.0, bar_spacing=6)
    axis = PriceAxis(480.0, 486.0)
    candles = [Candle(483.0, 483.05, 482.98, 483.02)] * 300  # bodies ~2 px, wicks ~6 px
    look = replace(DARK, candle_up=(255, 0, 0), candle_down=(255, 0, 0))
    img = render(Scene(layout, look, axis, candles))
    chart = img[layout.chart.y : layout.chart.bottom, layout.chart.x : layout.chart.right]
    assert find_lines(chart, RED, 60) == []


def test_grid_lines_and_bands_of_colour_are_not_lines() -> None:
    for f in levels_frames(2, seed=5, lines=0):
        chart = _chart(f)
        assert find_lines(chart, RED, 60) == [] and find_lines(chart, GREEN, 60) == []
    band = np.zeros((400, 1700, 3), np.uint8)
    band[100:130, :] = RED  # 30 rows: a filled area, not a 1-3 px line
    assert find_lines(band, RED, 60) == []


def test_a_short_segment_is_not_a_line() -> None:
    chart = np.zeros((400, 1700, 3), np.uint8)
    chart[200, 0:800] = RED  # under half the width
    assert find_lines(chart, RED, 60) == []
    chart[200, 0:1400] = RED
    assert [ln.y for ln in find_lines(chart, RED, 60)] == [200.0]


@pytest.mark.parametrize("scale", [1.0, 2.0])
@pytest.mark.parametrize("theme", THEMES)
def test_the_grid_is_at_the_label_rows(scale: float, theme: str) -> None:
    f = next(levels_frames(1, seed=8, scale=scale, theme=theme, lines=0))
    chart = f.layout.chart
    expected = [
        float(round(f.axis.y(p, f.layout)) - chart.y)
        for p in f.axis.labels(f.layout)
        if chart.y <= round(f.axis.y(p, f.layout)) < chart.bottom
    ]
    found = find_grid(_chart(f))
    assert set(expected) - {0.0} <= set(found)
    assert len(found) <= len(expected)
