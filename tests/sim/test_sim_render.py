"""The simulator's frames: geometry at every DPI scale, anti-aliased dots, a consistent axis."""

from __future__ import annotations

import math

import numpy as np
import pytest

from atm.colors import DOT_COLORS
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Candle, Levels, Scene, render
from atm.sim.theme import DARK, LIGHT, THEMES, Theme

SCALES = [1.0, 1.25, 1.5, 2.0]


def _scene(
    layout: Layout,
    theme: Theme,
    dots: list[str],
    candles: list[Candle] | None = None,
) -> Scene:
    axis = PriceAxis.fit(480.0, 486.0, layout)
    return Scene(layout, theme, axis, candles=candles or [], dots=dots)


def _distance(a: object, b: object) -> float:
    return float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float)))


@pytest.mark.parametrize("scale", SCALES)
def test_frame_size_and_rois_follow_the_dpi_scale(scale: float) -> None:
    layout = Layout.for_scale(scale)
    img = render(_scene(layout, DARK, ["gray"]))
    assert img.shape == (round(1080 * scale), round(1920 * scale), 3)
    assert img.dtype == np.uint8
    assert (layout.strip.x, layout.strip.y) == (round(60 * scale), round(930 * scale))
    assert (layout.chart.w, layout.chart.h) == (round(1700 * scale), round(860 * scale))
    for roi in (layout.chart, layout.axis, layout.strip, layout.canary):
        assert roi.right <= layout.width and roi.bottom <= layout.height


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_rightmost_dot_is_an_anti_aliased_disc_of_the_theme_colour(
    scale: float, theme: Theme
) -> None:
    layout = Layout.for_scale(scale)
    for color in DOT_COLORS:
        img = render(_scene(layout, theme, ["gray", "yellow", color]))
        cx, cy, r = layout.bar_x(0), layout.dot_y, layout.dot_radius
        assert tuple(img[cy, cx]) == theme.dot(color)
        # just outside the disc (and the gap to the next bar) is untouched strip background
        for dx, dy in ((math.ceil(r + 1), 0), (0, math.ceil(r + 1)), (-math.ceil(r + 1), 0)):
            assert tuple(img[cy + dy, cx + dx]) == theme.strip_bg
        # the rim is a ring of blends, each between dot colour and background
        k = math.ceil(r + 1)
        box = img[cy - k : cy + k + 1, cx - k : cx + k + 1].reshape(-1, 3).astype(int)
        lo = np.minimum(theme.dot(color), theme.strip_bg)
        hi = np.maximum(theme.dot(color), theme.strip_bg)
        assert np.all((box >= lo) & (box <= hi))
        pure = np.all(box == theme.dot(color), axis=1) | np.all(box == theme.strip_bg, axis=1)
        assert (~pure).sum() >= 8


def test_dots_are_found_from_the_strip_alone() -> None:
    """Scanning the strip from the right finds the current bar's dot where the layout says."""
    layout = Layout.for_scale(1.5)
    img = render(_scene(layout, LIGHT, ["turquoise", "dark_green"]))
    s = layout.strip
    strip = img[s.y : s.bottom, s.x : s.right].astype(int)
    fg = np.abs(strip - np.asarray(LIGHT.strip_bg)).sum(axis=2) > 0
    fg[: layout.dot_y - s.y - math.ceil(layout.dot_radius) - 1] = False  # the pane's name
    cols = np.flatnonzero(fg.any(axis=0))
    assert s.x + (cols.max() + cols.min()) // 2 != layout.bar_x(0)  # two dots, not one
    right = [c for c in cols if c > cols.max() - 2 * layout.dot_radius - 1]
    assert s.x + (min(right) + max(right)) / 2 == pytest.approx(layout.bar_x(0), abs=0.5)
    assert tuple(img[layout.dot_y, layout.bar_x(0)]) == LIGHT.dot("dark_green")
    assert tuple(img[layout.dot_y, layout.bar_x(1)]) == LIGHT.dot("turquoise")


def test_only_the_bars_that_fit_are_drawn_and_dots_align_right() -> None:
    layout = Layout.for_scale(1.0)
    n = layout.visible_bars
    dots = ["yellow"] + ["gray"] * (n - 1) + ["light_red"]
    img = render(_scene(layout, DARK, dots))
    assert tuple(img[layout.dot_y, layout.bar_x(0)]) == DARK.dot("light_red")
    assert tuple(img[layout.dot_y, layout.bar_x(n - 1)]) == DARK.dot("gray")
    assert layout.bar_x(n - 1) - layout.dot_radius > layout.strip.x
    assert not np.any(np.all(img == DARK.dot("yellow"), axis=2))  # scrolled off the left


def test_empty_scene_renders_an_empty_strip() -> None:
    layout = Layout.for_scale(1.0)
    img = render(_scene(layout, DARK, []))
    s = layout.strip
    dot_row = img[layout.dot_y - 5 : layout.dot_y + 6, s.x : s.right]
    assert np.all(dot_row == DARK.strip_bg)


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_candles_and_levels_use_the_axis_mapping(scale: float) -> None:
    layout = Layout.for_scale(scale)
    axis = PriceAxis.fit(480.0, 486.0, layout)
    candles = [Candle(482.0, 483.0, 481.5, 482.5)]
    levels = Levels(sl=481.0, tp1=484.0, tp2=None)
    img = render(Scene(layout, DARK, axis, candles=candles, dots=["gray"], levels=levels))
    x = layout.bar_x(0)
    column = np.all(img[:, x] == DARK.candle_up, axis=1)
    rows = np.flatnonzero(column)
    assert rows.min() == round(axis.y(483.0, layout))
    assert rows.max() == round(axis.y(481.5, layout))
    mid = layout.chart.x + 40
    sl_rows = np.flatnonzero(np.all(img[:, mid] == DARK.sl, axis=1))
    tp_rows = np.flatnonzero(np.all(img[:, mid] == DARK.tp, axis=1))
    assert len(sl_rows) == len(tp_rows) == max(1, round(scale))
    assert abs(sl_rows.mean() - axis.y(481.0, layout)) <= 0.5
    assert abs(tp_rows.mean() - axis.y(484.0, layout)) <= 0.5
    # the level's price tag sits on the axis in the line's colour
    tag = img[round(axis.y(481.0, layout)), layout.axis.x : layout.axis.right]
    assert np.all(tag == DARK.sl, axis=1).mean() > 0.5


def test_fitted_axis_puts_labels_on_whole_rows_with_grid_lines() -> None:
    for scale in SCALES:
        layout = Layout.for_scale(scale)
        axis = PriceAxis.fit(481.37, 484.92, layout)
        assert axis.lo <= 481.37 and axis.hi >= 484.92
        labels = axis.labels(layout)
        assert len(labels) >= 5
        img = render(Scene(layout, DARK, axis))
        for price in labels:
            y = axis.y(price, layout)
            assert y == pytest.approx(round(y), abs=1e-6)
            if round(y) < layout.chart.bottom:
                assert tuple(img[round(y), layout.chart.x + 5]) == DARK.grid
        gaps = np.diff([axis.y(p, layout) for p in labels])
        assert np.allclose(gaps, gaps[0])  # evenly spaced round prices


def test_axis_labels_are_text_in_the_axis_column() -> None:
    layout = Layout.for_scale(1.0)
    axis = PriceAxis.fit(480.0, 486.0, layout)
    img = render(Scene(layout, DARK, axis))
    col = layout.axis
    price = axis.labels(layout)[3]
    y = round(axis.y(price, layout))
    band = img[y - 4 : y + 5, col.x : col.right].astype(int)
    ink = np.flatnonzero((np.abs(band - np.asarray(DARK.chart_bg)).sum(axis=2) > 60).any(axis=0))
    assert len(ink) > 10
    assert col.x + ink.max() > col.right - 20  # right-aligned


def test_candle_and_text_colours_keep_clear_of_the_classes() -> None:
    for theme in THEMES.values():
        for candle in (theme.candle_up, theme.candle_down):
            for _, dot in theme.dots:
                assert _distance(candle, dot) > 60
            assert _distance(candle, theme.sl) > 60 and _distance(candle, theme.tp) > 60


def test_render_is_deterministic_and_returns_fresh_arrays() -> None:
    layout = Layout.for_scale(1.25)
    scene = _scene(layout, LIGHT, ["turquoise", "gray"], candles=[Candle(483, 484, 482, 483.5)])
    a, b = render(scene), render(scene)
    assert a.tobytes() == b.tobytes()
    a[:] = 0
    assert render(scene).tobytes() == b.tobytes()
