"""The live slot (issue 11): what one read makes of a frame with the desktop in the way.

Each case draws a simulator frame, lays something over it as real screens do, and reads
it with a detector that saw the clean chart one bar earlier (its grid learned). A line
across the newest dot is seen through and the dot read right; anything else over the
slot, or the chart scrolled or moved, gives no colour at all — never an older dot's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from atm import config as config_mod
from atm.detect import Detection, Detector
from atm.frame import Frame
from atm.geometry import Rect
from atm.sim import overlays
from atm.sim.corpus import corpus_config
from atm.sim.effects import jpeg
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import generate
from atm.sim.theme import THEMES
from atm.types import Image

SESSION = generate(120, seed=3)
BAR = 81  # the bar read; the detector saw bar 80 clean
Draw = Callable[[Image, Layout, str, PriceAxis], Image]


def _read(scale: float, theme: str, draw: Draw, quality: int | None = None) -> Detection:
    layout = Layout.for_scale(scale)
    axis = PriceAxis.fit(*SESSION.price_range(), layout)
    config = config_mod.from_dict(corpus_config(layout, THEMES[theme], axis))

    def frame(i: int, scroll: int = 0) -> Image:
        scene = Scene(layout, THEMES[theme], axis, SESSION.candles[: i + 1],
                      SESSION.colors[: i + 1], scroll=scroll)  # fmt: skip
        return render(scene)

    detector = Detector(config)
    assert detector.detect(Frame(frame(BAR - 1), 0).crop(config.dot_roi), 0).status == "live"
    image = draw(frame(BAR), layout, theme, axis)
    image = jpeg(image, quality) if quality else image
    return detector.detect(Frame(image, 1).crop(config.dot_roi), 1)


def _cross(dx: float, dy: float, chart_y: int | None = None) -> Draw:
    """The crosshair `dx`, `dy` dot sizes from the live dot (or at a row of the chart)."""

    def draw(image: Image, layout: Layout, theme: str, axis: PriceAxis) -> Image:
        d = 2 * layout.dot_radius
        x, y = round(layout.bar_x(0) + dx * d), round(layout.dot_y + dy * d)
        return overlays.crosshair(image, layout, THEMES[theme], axis, x, chart_y or y)

    return draw


SEE_THROUGH = {
    "through the dot's centre": _cross(0, 0),
    "through its upper half": _cross(0.3, -0.3),
    "vertical only (mouse on the chart)": _cross(0, 0, chart_y=400),
    "over the dot before": _cross(-1.7, 0),
    "in the margin": _cross(1.4, 0.4),
}
SCALES = [(1.0, "dark"), (1.0, "light"), (1.5, "light"), (2.0, "dark")]


@pytest.mark.parametrize(("scale", "theme"), SCALES)
@pytest.mark.parametrize("case", list(SEE_THROUGH))
def test_a_crosshair_line_is_seen_through(scale: float, theme: str, case: str) -> None:
    read = _read(scale, theme, SEE_THROUGH[case])
    assert read.status == "live"
    assert read.dot is not None and read.dot.color == SESSION.colors[BAR]
    assert read.seen_through


def test_a_crosshair_is_seen_through_in_jpeg() -> None:
    read = _read(1.0, "dark", _cross(0, 0), quality=80)
    assert read.dot is not None and read.dot.color == SESSION.colors[BAR]


def _tip(image: Image, layout: Layout, theme: str, axis: PriceAxis) -> Image:
    s = layout.scale
    x, y = layout.bar_x(0) - round(30 * s), layout.dot_y - round(20 * s)
    crossed = overlays.crosshair(image, layout, THEMES[theme], axis, x, y)
    return overlays.tooltip(crossed, layout, THEMES[theme], x, y)


def _strip_dialog(image: Image, layout: Layout, theme: str, axis: PriceAxis) -> Image:
    s, strip = layout.scale, layout.strip
    box = Rect(
        strip.right - round(380 * s), strip.y - round(150 * s), round(460 * s), round(220 * s)
    )
    return overlays.dialog(image, layout, THEMES[theme], box)


HIDDEN: dict[str, tuple[Draw, str, str]] = {
    "a data tip": (_tip, "obstructed", "mouse"),
    "a toast": (lambda i, lay, t, a: overlays.toast(i, lay, THEMES[t]), "obstructed", "window"),
    "a dialog": (_strip_dialog, "obstructed", "window"),
    "scrolled back a bar": (lambda i, lay, t, a: _scrolled(lay, t, a, 1), "not_live", "scrolled"),
    "scrolled back 30 bars": (
        lambda i, lay, t, a: _scrolled(lay, t, a, 30),
        "not_live",
        "scrolled",
    ),
    "window moved 45 px right": (
        lambda i, lay, t, a: overlays.moved(i, THEMES[t], round(45 * lay.scale), 0),
        "not_live",
        "moved",
    ),
    "window moved 3 px down": (
        lambda i, lay, t, a: overlays.moved(i, THEMES[t], 0, round(3 * lay.scale)),
        "not_live",
        "moved",
    ),
}


def _scrolled(layout: Layout, theme: str, axis: PriceAxis, bars: int) -> Image:
    scene = Scene(layout, THEMES[theme], axis, SESSION.candles[: BAR + 1],
                  SESSION.colors[: BAR + 1], scroll=bars)  # fmt: skip
    return render(scene)


@pytest.mark.parametrize(("scale", "theme"), SCALES)
@pytest.mark.parametrize("case", list(HIDDEN))
def test_what_hides_the_live_dot_gives_no_colour(scale: float, theme: str, case: str) -> None:
    draw, status, cause = HIDDEN[case]
    read = _read(scale, theme, draw)
    assert (read.status, read.cause) == (status, cause)
    assert read.dot is None and read.accepted is None


def test_a_dialog_elsewhere_on_the_chart_changes_nothing() -> None:
    def draw(image: Image, layout: Layout, theme: str, axis: PriceAxis) -> Image:
        return overlays.dialog(image, layout, THEMES[theme], Rect(610, 300, 500, 220))

    read = _read(1.0, "dark", draw)
    assert read.status == "live" and read.dot is not None
    assert read.dot.color == SESSION.colors[BAR] and not read.seen_through


def test_a_black_frame_is_no_dot() -> None:
    read = _read(1.0, "dark", lambda i, lay, t, a: overlays.blackout(i))
    assert read.dot is None and read.accepted is None


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_touching_dots_in_jpeg_split_at_the_known_pitch(theme: str) -> None:
    layout = Layout.for_scale(1.0, bar_spacing=6, dot_radius=2.5)
    axis = PriceAxis.fit(*SESSION.price_range(), layout)
    config = config_mod.from_dict(corpus_config(layout, THEMES[theme], axis))
    detector = Detector(config)
    wrong = []
    for i in range(40, 120):
        scene = Scene(
            layout, THEMES[theme], axis, SESSION.candles[: i + 1], SESSION.colors[: i + 1]
        )
        read = detector.detect(Frame(jpeg(render(scene), 70), i).crop(config.dot_roi), i)
        if read.dot is None or read.dot.color != SESSION.colors[i]:
            wrong.append((i, read.status, read.dot and read.dot.color, SESSION.colors[i]))
    assert not wrong
    history = detector.history(Frame(jpeg(render(scene), 70), 0).crop(config.dot_roi))
    dots = [c for c in history if c is not None]
    assert len(dots) == len(SESSION.colors)  # every bar's slot holds a dot, no more
    right = sum(a == b for a, b in zip(dots, SESSION.colors, strict=True))
    assert right >= 0.97 * len(dots)


def test_the_slot_is_learned_from_a_clean_view_only() -> None:
    """A crosshair on the newest dot at start-up is seen through: its grid is right."""
    layout = Layout.for_scale(1.0)
    axis = PriceAxis.fit(*SESSION.price_range(), layout)
    config = config_mod.from_dict(corpus_config(layout, THEMES["dark"], axis))
    scene = Scene(layout, THEMES["dark"], axis, SESSION.candles[:60], SESSION.colors[:60])
    image = render(scene)
    tipped = _tip(image, layout, "dark", axis)
    detector = Detector(config)
    first = detector.detect(Frame(tipped, 0).crop(config.dot_roi), 0)
    assert first.dot is None  # the tip hides the newest dot: nothing learned from it
    assert not detector.grid_known
    clean = detector.detect(Frame(image, 1).crop(config.dot_roi), 1)
    assert clean.dot is not None and clean.dot.color == SESSION.colors[59]
    assert np.isclose(clean.dot.x, layout.bar_x(0))


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize(("spacing", "radius"), [(6, 2.5), (6, 2), (7, 3)])
@pytest.mark.parametrize("quality", [None, 80])
def test_a_crosshair_across_touching_dots_is_seen_through(
    theme: str, spacing: float, radius: float, quality: int | None
) -> None:
    """No gaps between the dots to show a line: it is the row unlike the rows beside it."""
    layout = Layout.for_scale(1.0, bar_spacing=spacing, dot_radius=radius)
    axis = PriceAxis.fit(*SESSION.price_range(), layout)
    config = config_mod.from_dict(corpus_config(layout, THEMES[theme], axis))

    def frame(i: int) -> Image:
        return render(Scene(layout, THEMES[theme], axis, SESSION.candles[: i + 1],
                            SESSION.colors[: i + 1]))  # fmt: skip

    detector = Detector(config)
    detector.detect(Frame(frame(BAR - 1), 0).crop(config.dot_roi), 0)
    for dy in (0, -1, 2):
        image = overlays.crosshair(frame(BAR), layout, THEMES[theme], axis,
                                   layout.bar_x(0), layout.dot_y + dy)  # fmt: skip
        image = jpeg(image, quality) if quality else image
        read = detector.detect(Frame(image, 1).crop(config.dot_roi), 1)
        assert read.dot is not None and read.dot.color == SESSION.colors[BAR], (dy, read)
