"""pHash of the canary region: stable for the same layout, distant for a changed one."""

from __future__ import annotations

import numpy as np
import pytest

from atm.geometry import Rect
from atm.sim import effects
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import generate
from atm.sim.theme import THEMES
from atm.types import Image
from atm.vision.phash import distance, from_hex, phash, to_hex

CASES = [(1.0, "dark"), (1.0, "light"), (1.5, "dark"), (1.5, "light")]


def _frame(scale: float, theme: str, seed: int = 1, title: str | None = None) -> Image:
    layout = Layout.for_scale(scale)
    session = generate(30, seed=seed)
    axis = PriceAxis.fit(*session.price_range(), layout)
    scene = Scene(layout, THEMES[theme], axis, session.candles, session.colors)
    if title is not None:
        scene = Scene(layout, THEMES[theme], axis, session.candles, session.colors, title=title)
    return render(scene)


def _crop(image: Image, r: Rect, dx: int = 0, dy: int = 0) -> Image:
    return image[r.y + dy : r.bottom + dy, r.x + dx : r.right + dx]


@pytest.fixture(scope="module", params=CASES, ids=[f"{s}-{t}" for s, t in CASES])
def case(request: pytest.FixtureRequest) -> tuple[Layout, str, Image]:
    scale, theme = request.param
    return Layout.for_scale(scale), theme, _frame(scale, theme)


def test_hex_round_trip_is_16_lowercase_digits() -> None:
    for h in (0, 1, 0xDEADBEEF, (1 << 64) - 1):
        text = to_hex(h)
        assert len(text) == 16 and text == text.lower()
        assert from_hex(text) == h and from_hex(text.upper()) == h
    for bad in ("", "123", "g" * 16, "0" * 17, " " + "0" * 15):
        with pytest.raises(ValueError, match="16 hex digits"):
            from_hex(bad)
    with pytest.raises(ValueError, match="64-bit"):
        to_hex(1 << 64)


def test_distance_counts_differing_bits() -> None:
    assert distance(0, 0) == 0
    assert distance(0, (1 << 64) - 1) == 64
    assert distance(0b1011, 0b0110) == 3


def test_hash_is_64_bits_and_half_set(case: tuple[Layout, str, Image]) -> None:
    layout, _, frame = case
    h = phash(_crop(frame, layout.canary))
    assert 0 <= h < 1 << 64
    # bits are "above the median of the 63 AC terms": about half of them are set
    assert 24 <= h.bit_count() <= 40


def test_rejects_what_is_not_an_rgb_image() -> None:
    with pytest.raises(ValueError, match="RGB"):
        phash(np.zeros((0, 10, 3), np.uint8))
    with pytest.raises(ValueError, match="RGB"):
        phash(np.zeros((10, 10), np.uint8))


def test_identical_layout_hashes_identically_whatever_the_market_does(
    case: tuple[Layout, str, Image],
) -> None:
    layout, theme, frame = case
    other_session = _frame(layout.scale, theme, seed=7)
    assert distance(phash(_crop(frame, layout.canary)), phash(_crop(frame, layout.canary))) == 0
    h = phash(_crop(frame, layout.canary))
    assert distance(h, phash(_crop(other_session, layout.canary))) == 0


def _around(frame: Image, r: Rect) -> tuple[Image, Rect]:
    """The 16-pixel JPEG blocks that hold `r`, and `r` within them.

    A JPEG round trip of whole blocks gives the same pixels as one of the full frame,
    at a fraction of the cost.
    """
    x0, y0 = r.x // 16 * 16, r.y // 16 * 16
    x1, y1 = (
        min(-(-r.right // 16) * 16, frame.shape[1]),
        min(-(-r.bottom // 16) * 16, frame.shape[0]),
    )
    return frame[y0:y1, x0:x1], r.offset(-x0, -y0)


def test_jpeg_and_noise_move_few_bits(case: tuple[Layout, str, Image]) -> None:
    layout, _, frame = case
    part, c = _around(frame, layout.canary)
    h = phash(_crop(part, c))
    assert distance(h, phash(_crop(effects.jpeg(part, 90), c))) <= 4
    noisy = effects.noise(part, 1.0, np.random.default_rng(0))
    assert distance(h, phash(_crop(noisy, c))) <= 4
    assert distance(h, phash(_crop(effects.jpeg(part, 75), c))) <= 4
    # what replayed robustness corpora do, within the default max_distance of 8
    rng = np.random.default_rng(1)
    for _ in range(5):
        grainy = effects.jpeg(effects.noise(part, 3.0, rng), 85)
        assert distance(h, phash(_crop(grainy, c))) <= 8


def test_layout_shifted_by_40_px_is_far(case: tuple[Layout, str, Image]) -> None:
    layout, _, frame = case
    h = phash(_crop(frame, layout.canary))
    shift = round(40 * layout.scale)
    assert distance(h, phash(_crop(frame, layout.canary, dx=-shift))) > 8
    assert distance(h, phash(_crop(frame, layout.canary, dy=shift))) > 8


def test_window_moved_over_the_region_is_far(case: tuple[Layout, str, Image]) -> None:
    layout, theme, frame = case
    covered = frame.copy()
    c, s = layout.canary, layout.scale
    # another application's window: its frame colour with a title bar, over the left part
    other = THEMES["light" if theme == "dark" else "dark"]
    covered[: c.bottom, : c.x + round(90 * s)] = other.window
    covered[: round(22 * s), : c.x + round(90 * s)] = other.title_bar
    assert distance(phash(_crop(frame, c)), phash(_crop(covered, c))) > 8


def test_changed_title_text_is_far(case: tuple[Layout, str, Image]) -> None:
    layout, theme, frame = case
    # the title bar's text end, where a different workspace or symbol shows
    title = Rect(0, 0, round(300 * layout.scale), layout.title.h)
    renamed = _frame(layout.scale, theme, title="MultiCharts64 - Workspace 2 - @ES 1 tick")
    assert distance(phash(_crop(frame, title)), phash(_crop(renamed, title))) > 8
