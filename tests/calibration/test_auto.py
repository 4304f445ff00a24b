"""`atm calibrate --auto --yes` on screenshots alone: the written config must pass the dry-run
gate on the corpus the screenshot came from. Simulator frames of every robustness case, and
frames of a second renderer drawn another way (cv2 shapes, Hershey text, other layout), so
nothing here is tuned to the simulator."""

from __future__ import annotations

import json
import random
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from atm.calibration import Proposal
from atm.calibration.auto import propose
from atm.calibration.sampling import sample_dot, sample_patch
from atm.cli import main
from atm.colors import DOT_COLORS, REFERENCE_RGB
from atm.corpus import Label, frame_name, list_frames, save_labels
from atm.sim.corpus import write_corpus
from atm.sim.effects import CATALOGUE, Variation
from atm.sim.layout import Layout
from atm.sim.scenario import generate
from atm.sim.theme import THEMES

BARS, SEED = 12, 8  # a SELL and a BUY FIRE, every colour on screen in the last frame

CASES = {
    "dark": (1.0, "dark", Variation()),
    "light": (1.0, "light", Variation()),
    **CATALOGUE,
}


def calibrate_and_gate(
    corpus: Path, home: Path, frame: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, dict[str, object]]:
    """`calibrate --auto --yes --screenshot frame`, then `dryrun corpus` with that config."""
    rc = main(["--home", str(home), "calibrate", "--auto", "--yes", "--screenshot", str(frame)])
    out = capsys.readouterr().out
    assert rc == 0, out
    configs = home / "configs"
    config = configs / (configs / "current.txt").read_text().strip()
    assert main(["dryrun", str(corpus), "--config", str(config), "--json"]) in (0, 1)
    return out, json.loads(capsys.readouterr().out)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_auto_yes_config_passes_the_gate(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scale, theme, variation = CASES[case]
    corpus = tmp_path / "corpus"
    write_corpus(corpus, BARS, scale, SEED, theme, variation=variation)
    out, report = calibrate_and_gate(corpus, tmp_path / "home", list_frames(corpus)[-1], capsys)
    assert report["passed"] and report["color_accuracy"] == 1.0, report
    # the two axis points were read (OCR): the written ones map rows as the corpus' own do
    written = _active(tmp_path / "home")["y_axis"]
    truth = [(p["y"], p["price"]) for p in load_toml(corpus / "config.toml")["y_axis"]["points"]]
    assert "y-axis prices: " in out and "(read)" in out and "fingerprint" in written
    for y, price in truth:
        assert abs(_price_at(written["points"], y) - price) <= 0.01 + 1e-9, (case, written)


@pytest.mark.slow
def test_one_dot_on_screen_is_enough(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A session's first frame shows a single dot; the unseen colours keep reference values."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, BARS, 1.25, SEED, "light")
    out, report = calibrate_and_gate(corpus, tmp_path / "home", list_frames(corpus)[0], capsys)
    assert report["passed"], report
    assert "colours not on screen (reference values kept)" in out


def test_proposal_matches_the_simulated_layout() -> None:
    layout = Layout.for_scale(1.0)
    corpus_frame = _sim_frame(layout, "dark")
    proposal = propose(corpus_frame)
    strip, chart, axis = proposal.dot_roi, proposal.chart_roi, proposal.axis_roi
    assert strip is not None and chart is not None and axis is not None
    dots_x = [layout.bar_x(i) for i in range(BARS)]
    assert strip.x <= min(dots_x) - 3 and max(dots_x) + 3 < strip.right <= layout.strip.right + 2
    assert strip.y <= layout.dot_y - 3 and layout.dot_y + 3 < strip.bottom
    assert abs(chart.x - layout.chart.x) <= 2 and abs(chart.y - layout.chart.y) <= 2
    assert layout.chart.right <= chart.right <= layout.axis.x  # ends at the pane's border
    assert abs(axis.x - layout.axis.x) <= 3 and abs(axis.right - layout.axis.right) <= 3
    assert proposal.canary_roi is not None and proposal.canary_roi.y < layout.chart.y
    assert {n: proposal.colors[n] for n in DOT_COLORS} == {n: REFERENCE_RGB[n] for n in DOT_COLORS}
    assert proposal.colors["background"] == THEMES["dark"].strip_bg
    assert len(proposal.axis_labels) >= 5  # rows to preselect for the two y-axis prices


def test_nothing_found_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((600, 800, 3), 40, np.uint8))
    rc = main(["--home", str(tmp_path), "calibrate", "--auto", "--yes", "--screenshot", str(blank)])
    out = capsys.readouterr().out
    assert rc == 1 and "dot strip: no row" in out and "nothing written" in out
    assert not (tmp_path / "configs").exists()


def test_yes_needs_auto(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(tmp_path), "calibrate", "--yes", "--screenshot", "x.png"]) == 2
    assert "--yes accepts the auto-detected proposal" in capsys.readouterr().err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is an X11 thing")
def test_without_a_display_the_wizard_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    frame = tmp_path / "frame.png"
    cv2.imwrite(str(frame), np.zeros((100, 100, 3), np.uint8))
    assert main(["--home", str(tmp_path), "calibrate", "--screenshot", str(frame)]) == 2
    assert "use `atm calibrate --auto --yes`" in capsys.readouterr().err


def test_a_missing_screenshot_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--home", str(tmp_path), "calibrate", "--auto", "--yes", "--screenshot", "nope.png"]
    assert main(args) == 2
    assert "nope.png: no such image file" in capsys.readouterr().err


def test_a_dotted_grid_is_not_a_strip() -> None:
    """Rows of evenly spaced grey specks (a dotted grid) lose to the row of class colours."""
    image = _sim_frame(Layout.for_scale(1.0), "dark").copy()
    for y in range(100, 800, 50):
        for x in range(70, 1700, 6):
            image[y : y + 3, x : x + 3] = (90, 90, 96)
    proposal: Proposal = propose(image)
    assert proposal.dot_roi is not None and abs(proposal.dot_roi.y - 940) <= 8


def test_a_bar_without_a_dot_does_not_cut_the_strip() -> None:
    layout = Layout.for_scale(1.0)
    image = _sim_frame(layout, "dark").copy()
    x, y = layout.bar_x(5), layout.dot_y
    image[y - 5 : y + 6, x - 5 : x + 6] = THEMES["dark"].strip_bg  # bar 5 shows no dot
    proposal = propose(image)
    assert proposal.dot_roi is not None and proposal.dot_roi.x == layout.strip.x
    assert len(proposal.dots) == BARS - 1 and proposal.spacing == layout.bar_spacing


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_line_through_the_dots_does_not_hide_them(theme: str) -> None:
    """An indicator's zero line (or a grid line) runs through the dot row and a vertical grid
    line through one dot, 1 px thick, as TradingView's lightweight-charts draws them: the
    strip is still found, every dot of it."""
    layout = Layout.for_scale(1.0)
    image = _sim_frame(layout, theme).copy()
    back = np.array(THEMES[theme].strip_bg, np.int16)
    line = np.clip(back + (40 if back.mean() < 128 else -40), 0, 255).astype(np.uint8)
    behind = np.all(image == THEMES[theme].strip_bg, axis=2)  # drawn under the dots
    strip, y = layout.strip, layout.dot_y + 1
    image[y, strip.x : strip.right][behind[y, strip.x : strip.right]] = line
    x = layout.bar_x(4)
    image[strip.y : strip.bottom, x][behind[strip.y : strip.bottom, x]] = line
    proposal = propose(image)
    assert proposal.dot_roi is not None and abs(proposal.dot_roi.y - layout.dot_y) <= 12
    assert len(proposal.dots) == BARS and proposal.spacing == layout.bar_spacing
    assert [d.color for d in proposal.dots] == list(generate(BARS, SEED).colors)


def test_a_fractional_pitch_is_measured_not_rounded() -> None:
    """At 125 % a 10 px bar pitch is 12.5 screen pixels: dots land 12 and 13 px apart."""
    image = np.zeros((1080, 1920, 3), np.uint8)
    names = [DOT_COLORS[i % len(DOT_COLORS)] for i in range(24)]
    for i, name in enumerate(names):
        cv2.circle(image, (round(1000 + 12.5 * i), 900), 4, REFERENCE_RGB[name], -1)
    proposal = propose(image)
    assert proposal.spacing is not None and abs(proposal.spacing - 12.5) < 0.1
    assert len(proposal.dots) == len(names)


# -- sampling a clicked colour --------------------------------------------------------------


def test_a_click_near_a_dot_snaps_to_it_and_averages_its_middle() -> None:
    layout = Layout.for_scale(1.0)
    image = _sim_frame(layout, "light")
    x, y = layout.bar_x(0), layout.dot_y
    rgb = tuple(int(c) for c in image[y, x])
    sample = sample_dot(image, x + 9, y - 7)  # within 15 px, on the background
    assert (abs(sample.x - x), abs(sample.y - y)) <= (1, 1) and sample.snapped
    assert max(abs(a - b) for a, b in zip(sample.rgb, rgb, strict=True)) <= 6


def test_a_background_click_reads_the_patch() -> None:
    layout = Layout.for_scale(1.0)
    image = _sim_frame(layout, "dark")
    assert sample_patch(image, layout.strip.x + 300, layout.dot_y) == THEMES["dark"].strip_bg
    far = sample_dot(image, layout.strip.x + 300, layout.dot_y)  # nothing within 15 px
    assert not far.snapped and far.rgb == THEMES["dark"].strip_bg


# -- a renderer unlike the simulator ---------------------------------------------------------


FOREIGN = {  # look, scale, dots in their own pane, JPEG quality, on a bigger desktop
    "navy-pane": ("navy", 1.0, False, None, False),
    "paper-overlay-jpeg": ("paper", 1.25, True, 85, False),
    "navy-desktop": ("navy", 1.0, False, None, True),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(FOREIGN))
def test_auto_yes_on_a_foreign_renderer(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    look, scale, overlay, jpeg, desktop = FOREIGN[case]
    corpus = tmp_path / "corpus"
    _foreign_corpus(corpus, look, scale, overlay, jpeg, desktop)
    for frame in (list_frames(corpus)[-1], list_frames(corpus)[1]):
        home = tmp_path / f"home-{frame.stem}"
        _, report = calibrate_and_gate(corpus, home, frame, capsys)
        assert report["passed"] and report["color_accuracy"] == 1.0, (frame.name, report)


def _active(home: Path) -> dict[str, Any]:
    configs = home / "configs"
    return load_toml(configs / (configs / "current.txt").read_text().strip())


def load_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def _price_at(points: list[dict[str, float]], y: float) -> float:
    (y0, p0), (y1, p1) = ((p["y"], p["price"]) for p in points)
    return p0 + (p1 - p0) * (y - y0) / (y1 - y0)


def _sim_frame(layout: Layout, theme: str) -> np.ndarray:
    from atm.sim.layout import PriceAxis
    from atm.sim.render import Scene, render

    session = generate(BARS, SEED)
    axis = PriceAxis.fit(*session.price_range(), layout)
    return render(Scene(layout, THEMES[theme], axis, session.candles, session.colors))


_LOOKS = {  # window, chart, strip, grid, text, up, down
    "navy": ((28, 30, 40), (16, 22, 38), (20, 26, 44), (48, 56, 78), (210, 214, 222),
             (80, 170, 255), (255, 150, 40)),
    "paper": ((236, 234, 226), (250, 248, 240), (244, 242, 232), (215, 212, 200),
              (30, 30, 60), (30, 90, 200), (120, 60, 160)),
}  # fmt: skip


def _foreign_corpus(
    out: Path, look: str, scale: float, overlay: bool, jpeg: int | None, desktop: bool
) -> None:
    """A labelled corpus drawn with OpenCV: another window size and layout, Hershey text,
    a dotted grid, OHLC bars, dots 3.5 px in radius 9 px apart in a palette off the
    references by up to ±12 per channel, optionally in the chart's own pane, as JPEG, or
    on a desktop with a gradient wallpaper."""
    out.mkdir()
    session = generate(BARS, SEED)
    rng = random.Random(SEED)
    palette: dict[str, tuple[int, ...]] = {
        n: tuple(int(np.clip(c + rng.randint(-12, 12), 0, 255)) for c in REFERENCE_RGB[n])
        for n in DOT_COLORS
    }
    start = datetime(2026, 11, 20, 21, 0, 0).timestamp()
    labels = {}
    for i, bar in enumerate(session.bars):
        image = _foreign_frame(session.colors[: i + 1], _LOOKS[look], palette, scale, overlay)
        if desktop:
            image = _on_desktop(image)
        name = frame_name(start + i * 180 + 3, suffix=".jpg" if jpeg else ".png")
        params = [cv2.IMWRITE_JPEG_QUALITY, jpeg] if jpeg else []
        cv2.imwrite(str(out / name), np.ascontiguousarray(image[:, :, ::-1]), params)
        labels[name] = Label(bar.color, bar.fire)
    save_labels(out, labels)


def _foreign_frame(
    colors: tuple[str, ...],
    look: tuple[tuple[int, int, int], ...],
    palette: dict[str, tuple[int, ...]],
    s: float,
    overlay: bool,
) -> np.ndarray:
    window, chart_bg, strip_bg, grid, text, up, down = look
    width, height = round(1600 * s), round(900 * s)
    img = np.empty((height, width, 3), np.uint8)
    img[:] = window
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(img, "Chart Analysis - SPY 3 Min", (round(8 * s), round(16 * s)), font,
                0.45 * s, text, 1, cv2.LINE_AA)  # fmt: skip
    for k in range(3):
        cx = width - round((16 + 28 * k) * s)
        cv2.rectangle(img, (cx - round(5 * s), round(6 * s)), (cx + round(5 * s), round(16 * s)),
                      text, 1)  # fmt: skip
    x0, y0, w, h = round(10 * s), round(26 * s), round(1440 * s), round(720 * s)
    img[y0 : y0 + h, x0 : x0 + w] = chart_bg
    ax = x0 + w + round(3 * s)
    img[y0 : y0 + h, ax : ax + round(120 * s)] = chart_bg
    for k, gy in enumerate(range(y0 + 20, y0 + h, round(60 * s))):
        img[gy, x0 : x0 + w : 4] = grid  # a dotted grid line
        cv2.putText(img, f"{612.5 - 0.25 * k:.2f}", (ax + round(6 * s), gy + round(4 * s)),
                    font, 0.4 * s, text, 1, cv2.LINE_AA)  # fmt: skip
    sh = round(36 * s)
    sy = y0 + h - sh if overlay else y0 + h + round(4 * s)
    if not overlay:
        img[sy : sy + sh, x0 : x0 + w] = strip_bg
    cv2.putText(img, "M2D_MAPS(14,3)", (x0 + round(4 * s), sy + round(11 * s)),
                cv2.FONT_HERSHEY_PLAIN, 0.8 * s, text, 1, cv2.LINE_AA)  # fmt: skip
    spacing, r, dot_y = 9 * s, 3.5 * s, sy + round(23 * s)
    right = x0 + w - 2 * spacing
    rng = random.Random(7)
    price, t = 600.0, max(1, round(s))
    for i, name in enumerate(colors):
        x = right - (len(colors) - 1 - i) * spacing
        o, price = price, price + rng.uniform(-0.4, 0.4)
        hi, lo = max(o, price) + rng.uniform(0, 0.2), min(o, price) - rng.uniform(0, 0.2)

        def row(p: float) -> int:
            return round(y0 + h / 2 + (600 - p) * 40 * s)

        col, xi = (up if price >= o else down), round(x)
        cv2.line(img, (xi, row(hi)), (xi, row(lo)), col, t)  # an OHLC bar
        cv2.line(img, (xi - round(3 * s), row(o)), (xi, row(o)), col, t)
        cv2.line(img, (xi, row(price)), (xi + round(3 * s), row(price)), col, t)
        cv2.circle(img, (round(x * 16), round(dot_y * 16)), round(r * 16), palette[name], -1,
                   cv2.LINE_AA, 4)  # fmt: skip
    return img


def _on_desktop(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[: h + 180, : w + 320]
    desk = np.stack([xx * 255 // (w + 320), yy * 255 // (h + 180), np.full_like(xx, 90)], -1)
    desk = desk.astype(np.uint8)
    desk[120 : 120 + h, 200 : 200 + w] = img
    return desk
