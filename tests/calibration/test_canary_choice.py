"""Where calibration puts the layout canary: never on a clock or prices, whether it sees
one screenshot (then it says it could not verify) or several seconds apart; nowhere at all
(canary off) rather than somewhere that ticks."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from atm.calibration.auto import propose
from atm.calibration.canary import changing, check_marked
from atm.cli import main
from atm.geometry import Rect
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import generate
from atm.sim.theme import THEMES
from atm.types import Image
from atm.vision.axis import TextReader
from atm.vision.image_io import write_png
from tests.fakes.clock import Placement, clock_box, clock_text, with_clock

NOON = 12 * 3600 + 34 * 60 + 56


def _frame(scale: float, theme: str) -> tuple[Layout, Image]:
    layout = Layout.for_scale(scale)
    session = generate(12, 8)
    axis = PriceAxis.fit(*session.price_range(), layout)
    return layout, render(Scene(layout, THEMES[theme], axis, session.candles, session.colors))


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _auto_yes(home: Path, image: Image, capsys: pytest.CaptureFixture[str]) -> str:
    """`atm calibrate --auto --yes` on `image` saved as a screenshot; what it printed."""
    shot = home / "screenshot.png"
    write_png(shot, image)
    rc = main(["--home", str(home), "calibrate", "--auto", "--yes", "--screenshot", str(shot)])
    out = capsys.readouterr().out
    assert rc == 0, out
    return out


def _config(home: Path) -> dict[str, object]:
    configs = home / "configs"
    return tomllib.loads((configs / (configs / "current.txt").read_text().strip()).read_text())


@pytest.mark.parametrize(
    "text",
    ["16:42:07", "9:59", "485.50", "+12.5", "-3", "$5", "5 %", "P&L 1,250", "12"],
)
def test_what_ticks(text: str) -> None:
    assert changing(text)


@pytest.mark.parametrize("text", ["TradeStation - DIA 3 min", "- □ ×", "M2D MAPS", "", "一"])
def test_what_does_not(text: str) -> None:
    assert not changing(text)


@pytest.mark.slow
@pytest.mark.parametrize("scale", [1.0, 1.25, 2.0])
@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("placement", ["beside", "alone"])
def test_one_screenshot_with_a_clock_never_gets_the_canary_on_it(
    ocr: TextReader, scale: float, theme: str, placement: Placement
) -> None:
    layout, image = _frame(scale, theme)
    shot = with_clock(image, layout, THEMES[theme], clock_text(NOON), placement)
    proposal = propose(shot, reader=ocr)
    assert proposal.canary_roi is not None
    assert not _overlaps(proposal.canary_roi, clock_box(layout, placement))
    assert not proposal.canary_verified and "NOT verified" in proposal.canary_why
    assert any(clock_text(NOON) in r for r in proposal.canary_rejected)


def test_screenshots_seconds_apart_see_the_clock_tick(ocr: TextReader) -> None:
    layout, image = _frame(1.0, "dark")
    shots = [with_clock(image, layout, THEMES["dark"], clock_text(NOON + k)) for k in (0, 2, 4)]
    proposal = propose(shots[0], later=shots[1:], reader=ocr)
    assert proposal.canary_roi is not None and proposal.canary_verified
    assert not _overlaps(proposal.canary_roi, clock_box(layout, "beside"))
    assert "unchanged across 3 screenshots" in proposal.canary_why
    assert "changed between the screenshots" in proposal.canary_rejected[0]


def test_without_ocr_a_clock_that_ticks_is_still_seen(tmp_path: Path) -> None:
    """Live screenshots alone (no text reader) keep it off a seconds clock."""
    layout, image = _frame(1.0, "light")
    shots = [with_clock(image, layout, THEMES["light"], clock_text(NOON + k)) for k in (0, 1)]
    proposal = propose(shots[0], later=shots[1:])
    assert proposal.canary_roi is not None
    assert not _overlaps(proposal.canary_roi, clock_box(layout, "beside"))
    assert "text not checked (no OCR)" in proposal.canary_why


def test_without_a_clock_the_window_buttons_stay_the_canary(ocr: TextReader) -> None:
    layout, image = _frame(1.0, "dark")
    proposal = propose(image, later=[image.copy()], reader=ocr)
    roi = proposal.canary_roi
    assert roi is not None and proposal.canary_rejected == ()
    assert roi.right >= layout.width - 10 and roi.y < layout.chart.y  # above the axis
    assert "×" in proposal.canary_why or "X" in proposal.canary_why


def test_nowhere_steady_turns_the_canary_off_and_says_so(
    ocr: TextReader, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every region above the chart changes (a ticker tape across the title bar)."""
    layout, image = _frame(1.0, "dark")
    bar = layout.title
    rng = np.random.default_rng(1)
    shots = []
    for _ in range(2):
        shot = np.array(image)
        shot[bar.y : bar.bottom + 12] = rng.integers(0, 255, (bar.h + 12, layout.width, 3))
        shots.append(shot)
    proposal = propose(shots[0], later=shots[1:], reader=ocr)
    assert proposal.canary_roi is None
    assert any("canary is off" in m for m in proposal.missing)


@pytest.mark.slow
def test_auto_yes_prints_where_the_canary_went_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout, image = _frame(1.0, "dark")
    shot = with_clock(image, layout, THEMES["dark"], clock_text(NOON), "alone")
    out = _auto_yes(tmp_path, shot, capsys)
    canary = _config(tmp_path)["canary"]
    assert isinstance(canary, dict) and "enabled" not in canary
    roi = Rect(**canary["roi"])
    assert not _overlaps(roi, clock_box(layout, "alone"))
    line = next(ln for ln in out.splitlines() if ln.startswith("canary: "))
    assert f"{roi.x},{roi.y} {roi.w}x{roi.h}" in line and "NOT verified" in line
    assert f"canary not at 1763,1 152x40: holds '{clock_text(NOON)}'" in out


@pytest.mark.slow
def test_auto_yes_with_no_room_writes_the_canary_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A window-only screenshot whose chart starts at the top: no canary, said."""
    layout, image = _frame(1.0, "dark")
    out = _auto_yes(tmp_path, np.ascontiguousarray(image[layout.chart.y :]), capsys)
    assert "canary: no room above the chart: the canary is off" in out
    canary = _config(tmp_path)["canary"]
    assert isinstance(canary, dict) and canary["enabled"] is False


def test_a_marked_canary_on_the_clock_is_refused(ocr: TextReader) -> None:
    layout, image = _frame(1.0, "dark")
    shot = with_clock(image, layout, THEMES["dark"], clock_text(NOON))
    on_clock = Rect(layout.width - 160, 0, 150, 30)
    flaw = check_marked([shot], on_clock, ocr)
    assert flaw is not None and clock_text(NOON) in flaw
    later = with_clock(image, layout, THEMES["dark"], clock_text(NOON + 1))
    assert "changed between the screenshots" in (check_marked([shot, later], on_clock, None) or "")
    assert check_marked([shot, later], Rect(0, 0, 200, 30), ocr) is None  # the title
