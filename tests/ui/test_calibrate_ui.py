"""The calibration wizard in a real Tk window under Xvfb, driven by xdotool as a person would:
drags, clicks, typed prices, Enter and Esc. Each test checks the config file written, and
the hand-made one must pass the dry-run gate on the corpus it was made from."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import mss
import numpy as np
import pytest
from PIL import Image as PILImage

from atm.calibration.auto import propose
from atm.cli import main
from atm.colors import DOT_COLORS, REFERENCE_RGB
from atm.corpus import list_frames, load_labels
from atm.geometry import Rect
from atm.sim.corpus import write_corpus
from atm.sim.layout import Layout
from atm.ui import View, color_view, region_view
from atm.vision.image_io import read_image, write_png
from tests.fakes.xvfb import ImageWindow, XServer, window_origin

BARS, SEED = 12, 8  # every colour on screen, a SELL and a BUY FIRE
TITLE = "ATM calibration"
DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("calibrate-ui") / "corpus"
    write_corpus(out, BARS, 1.0, SEED, "dark")
    return out


class Wizard:
    """`atm calibrate ...` in a subprocess and its window, found by title."""

    def __init__(self, display: XServer, home: Path, *args: str) -> None:
        self.display = display
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "atm", "--home", str(home), "calibrate", *args],
            env=display.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.window = ""

    def find(self, width: int | None = None) -> Wizard:
        """Wait for the window (of `width`, when the dialog before it has the same title)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"exited early: {self.proc.communicate()}")
            found = self._search()
            if found and (width is None or self._width(found) == width):
                self.window = found
                self.display.xdotool("windowactivate", "--sync", found)
                return self
            time.sleep(0.1)
        raise AssertionError("the wizard window did not appear")

    def _search(self) -> str:
        try:
            return self.display.xdotool("search", "--onlyvisible", "--name", TITLE).split()[0]
        except (RuntimeError, IndexError):
            return ""

    def _width(self, window: str) -> int:
        geometry = self.display.xdotool("getwindowgeometry", window)
        match = re.search(r"Geometry: (\d+)x(\d+)", geometry)
        return int(match.group(1)) if match else 0

    def click(self, view: View, x: float, y: float) -> None:
        cx, cy = view.to_canvas(x + 0.5, y + 0.5)
        self.display.xdotool(
            "mousemove", "--window", self.window, str(round(cx)), str(round(cy)), "click", "1"
        )

    def drag(self, view: View, rect: Rect) -> None:
        (x0, y0), (x1, y1) = view.to_canvas(rect.x, rect.y), view.to_canvas(rect.right, rect.bottom)
        w = self.window
        self.display.xdotool(
            *("mousemove", "--window", w, str(round(x0)), str(round(y0)), "mousedown", "1"),
            *("mousemove", "--window", w, str(round((x0 + x1) / 2)), str(round((y0 + y1) / 2))),
            *("mousemove", "--window", w, str(round(x1)), str(round(y1)), "mouseup", "1"),
        )

    def keys(self, *keys: str) -> None:
        self.display.xdotool("key", "--delay", "30", *keys)

    def type(self, text: str) -> None:
        self.display.xdotool("type", "--delay", "20", text)

    def finish(self) -> tuple[int, str]:
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out + err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def wizards() -> Iterator[list[Wizard]]:
    started: list[Wizard] = []
    yield started
    for wizard in started:
        wizard.kill()


def written(home: Path) -> dict[str, object]:
    configs = home / "configs"
    return tomllib.loads((configs / (configs / "current.txt").read_text().strip()).read_text())


def gate(corpus: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    configs = home / "configs"
    config = configs / (configs / "current.txt").read_text().strip()
    capsys.readouterr()
    main(["dryrun", str(corpus), "--config", str(config), "--json"])
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


def test_calibration_by_hand(
    display: XServer,
    corpus: Path,
    tmp_path: Path,
    wizards: list[Wizard],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every step done by hand, as the seed's wizard asked: the config reads the corpus."""
    layout, frame = Layout.for_scale(1.0), list_frames(corpus)[-1]
    wizard = Wizard(display, tmp_path, "--screenshot", str(frame))
    wizards.append(wizard)
    wizard.find()
    full = View.fit(Rect(0, 0, 1920, 1080))
    region = Rect(50, 0, 1869, 1001)
    wizard.drag(full, region)  # 1. the chart, strip included
    wizard.keys("Return")
    view = region_view(region, 1920, 1080)
    strip = Rect(60, 930, 1700, 40)
    wizard.drag(view, strip)  # 2. the dot strip
    wizard.keys("Return")
    colours = color_view(strip, 1920, 1080)
    labels = load_labels(corpus)
    shown = [labels[p.name].color for p in reversed(list_frames(corpus))]  # bar 0 = newest
    for name in DOT_COLORS:  # 3. one click per colour, a few pixels off the dot
        bar = shown.index(name)
        wizard.click(colours, layout.bar_x(bar) + 3, layout.dot_y - 2)
    wizard.click(colours, layout.bar_x(0) - 6, layout.dot_y - 8)  # the background
    wizard.drag(view, Rect(60, 40, 1700, 860))  # 4. chart area
    wizard.keys("Return")
    points = tomllib.loads((corpus / "config.toml").read_text())["y_axis"]["points"]
    wizard.drag(view, Rect(1765, 40, 150, 860))  # 5. the price column, then two labels
    for point in points:
        wizard.click(view, 1850, point["y"])
        wizard.type(f"{point['price']}")
        wizard.keys("Return")
    wizard.drag(view, Rect(1765, 0, 150, 30))  # 6. canary: the window buttons
    wizard.keys("Return")
    wizard.keys("Return")  # 7. save
    rc, out = wizard.finish()
    assert rc == 0, out
    assert "user actions: 22" in out
    config = written(tmp_path)
    assert _near(config["dot_roi"], strip)  # as precise as a pixel of the scaled picture
    colors = config["colors"]
    assert isinstance(colors, dict)
    for name in DOT_COLORS:  # snapped to the dot, the middle of it averaged
        assert _close(colors[name]["rgb"], REFERENCE_RGB[name], 6), (name, colors[name])
    assert colors["background"]["rgb"] == [0, 0, 0]
    y_axis = config["y_axis"]
    assert isinstance(y_axis, dict)
    assert [p["price"] for p in y_axis["points"]] == [p["price"] for p in points]
    assert all(abs(a["y"] - b["y"]) <= 1 for a, b in zip(y_axis["points"], points, strict=True))
    assert _near(y_axis["roi"], Rect(1765, 40, 150, 860))
    canary = config["canary"]
    assert isinstance(canary, dict) and _near(canary["roi"], Rect(1765, 0, 150, 30))
    assert re.fullmatch(r"[0-9a-f]{16}", canary["baseline_phash"])
    report = gate(corpus, tmp_path, capsys)
    assert report["passed"] and report["color_accuracy"] == 1.0, report


def test_auto_proposal_accepted_with_enter(
    display: XServer,
    corpus: Path,
    tmp_path: Path,
    wizards: list[Wizard],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--auto: one Enter per step accepts what was found; the same config as --yes."""
    frame = list_frames(corpus)[-1]
    wizard = Wizard(display, tmp_path / "ui", "--auto", "--screenshot", str(frame))
    wizards.append(wizard)
    wizard.find()
    wizard.keys("Return", "Return")  # region, strip: now the colour steps
    strip = propose(read_image(frame)).dot_roi
    assert strip is not None
    layout = Layout.for_scale(1.0)  # the pointer over the newest dot: the loupe shows it
    cx, cy = color_view(strip, 1920, 1080).to_canvas(layout.bar_x(0), layout.dot_y)
    display.xdotool("mousemove", "--window", wizard.window, str(round(cx)), str(round(cy)))
    _screenshot(display, wizard.window, tmp_path / "calibrate.png", "calibrate.png")
    wizard.keys(*["Return"] * 12)
    rc, out = wizard.finish()
    assert rc == 0, out
    assert "user actions: 14" in out and "y-axis prices: " in out and "(read)" in out
    home = tmp_path / "yes"
    assert (
        main(["--home", str(home), "calibrate", "--auto", "--yes", "--screenshot", str(frame)]) == 0
    )
    assert written(tmp_path / "ui") == written(home)
    report = gate(corpus, tmp_path / "ui", capsys)
    assert report["passed"], report


def test_auto_proposal_saved_at_once(
    display: XServer, corpus: Path, tmp_path: Path, wizards: list[Wizard]
) -> None:
    """Satisfied with what is drawn at the first step: one Ctrl+S saves it all."""
    frame = list_frames(corpus)[-1]
    wizard = Wizard(display, tmp_path / "ui", "--auto", "--screenshot", str(frame))
    wizards.append(wizard)
    wizard.find()
    wizard.keys("ctrl+s")
    rc, out = wizard.finish()
    assert rc == 0 and "user actions: 1" in out, out
    home = tmp_path / "yes"
    assert (
        main(["--home", str(home), "calibrate", "--auto", "--yes", "--screenshot", str(frame)]) == 0
    )
    assert written(tmp_path / "ui") == written(home)


def test_escape_cancels_and_writes_nothing(
    display: XServer, corpus: Path, tmp_path: Path, wizards: list[Wizard]
) -> None:
    wizard = Wizard(display, tmp_path, "--auto", "--screenshot", str(list_frames(corpus)[-1]))
    wizards.append(wizard)
    wizard.find()
    wizard.keys("Return", "Escape")
    rc, out = wizard.finish()
    assert rc == 1 and "cancelled: nothing written" in out
    assert not (tmp_path / "configs").exists()


def test_live_screenshot_after_ready_and_countdown(
    display: XServer,
    corpus: Path,
    tmp_path: Path,
    wizards: list[Wizard],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No --screenshot: title and "Ready?", the countdown, the screen grabbed, the wizard."""
    image = read_image(list_frames(corpus)[-1])
    with ImageWindow(display.display, image, x=0, y=0, title="TradeStation - DIA 3 min"):
        wizard = Wizard(display, tmp_path, "--auto", "--delay", "0.3")
        wizards.append(wizard)
        wizard.find()  # the "Ready?" dialog
        wizard.keys("Return")
        wizard.find(width=1280)  # the wizard, once the screen is grabbed
        wizard.keys(*["Return"] * 14)
        rc, out = wizard.finish()
    assert rc == 0, out
    assert "screenshot in 1 s" in out and "user actions: 15" in out
    config = written(tmp_path)
    assert config["capture"] == {
        "follow_window": False,
        "region": {"x": 0, "y": 0, "w": 1920, "h": 1080},
    }
    assert config["dot_roi"] == _as_dict(propose(image).dot_roi)
    report = gate(corpus, tmp_path, capsys)
    assert report["passed"], report


def test_auto_yes_grabs_the_screen_without_a_window(
    display: XServer, corpus: Path, tmp_path: Path
) -> None:
    image = read_image(list_frames(corpus)[-1])
    with ImageWindow(display.display, image, x=0, y=0, title="TradeStation - DIA 3 min"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "atm",
                "--home",
                str(tmp_path),
                "calibrate",
                "--auto",
                "--yes",
                "--delay",
                "0",
            ],
            env=display.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert written(tmp_path)["dot_roi"] == _as_dict(propose(image).dot_roi)


def _as_dict(rect: Rect | None) -> dict[str, int]:
    assert rect is not None
    return {"x": rect.x, "y": rect.y, "w": rect.w, "h": rect.h}


def _near(roi: object, rect: Rect, px: int = 3) -> bool:
    assert isinstance(roi, dict)
    edges = (roi["x"], roi["y"], roi["x"] + roi["w"], roi["y"] + roi["h"])
    return all(
        abs(a - b) <= px
        for a, b in zip(edges, (rect.x, rect.y, rect.right, rect.bottom), strict=True)
    )


def _close(rgb: list[int], ref: tuple[int, int, int], limit: int) -> bool:
    return max(abs(a - b) for a, b in zip(rgb, ref, strict=True)) <= limit


def _screenshot(display: XServer, window: str, out: Path, docs_name: str) -> None:
    """The window as it is on the screen, with its frame; copied to docs/ on request."""
    time.sleep(0.5)  # let the colour step's zoomed picture be drawn
    x, y = window_origin(display, window)
    with mss.MSS() as sct:
        shot = sct.grab({"left": 0, "top": 0, "width": 1920, "height": 1080})
    full = PILImage.frombytes("RGB", shot.size, shot.rgb)
    picture = full.crop((x, max(0, y - 20), x + 1280, y + 800))
    picture.save(out)
    assert float(np.asarray(picture).std()) > 20  # a real picture, not a blank screen
    if os.environ.get("ATM_DOCS_SCREENSHOTS"):
        shutil.copy(out, DOCS / docs_name)


def test_a_chart_added_by_the_wizard_gets_the_title_typed(
    display: XServer, corpus: Path, tmp_path: Path, wizards: list[Wizard]
) -> None:
    """`--auto --chart GLD` on a screen of DIA (the active config) and GLD beside it: the
    wizard preselects GLD's strip, the save step shows the proposed window title, and what
    is typed after it makes GLD's own."""
    dia = list_frames(corpus)[-1]
    home = tmp_path / "home"
    assert (
        main(["--home", str(home), "calibrate", "--auto", "--yes", "--screenshot", str(dia)]) == 0
    )
    gld = tmp_path / "gld"
    write_corpus(gld, BARS, 0.75, SEED, "light")
    left, right = read_image(dia), read_image(list_frames(gld)[-1])
    screen = np.zeros((1080, 1920 + right.shape[1], 3), np.uint8)
    screen[:, :1920], screen[: right.shape[0], 1920:] = left, right
    shot = tmp_path / "screen.png"
    write_png(shot, screen)
    wizard = Wizard(display, home, "--auto", "--chart", "GLD", "--screenshot", str(shot))
    wizards.append(wizard)
    wizard.find()
    wizard.keys(*["Return"] * 13, "End")  # as proposed, to the title: the proposed one shown
    wizard.type(" - GLD")
    wizard.keys("Return")
    rc, out = wizard.finish()
    assert rc == 0, out
    charts = {t["name"]: t for t in written(home)["charts"]}  # type: ignore[attr-defined]
    assert list(charts) == ["DIA", "GLD"]
    assert charts["GLD"]["window_title"] == "TradeStation - GLD"
    assert charts["DIA"]["window_title"] == "TradeStation"
    strip = Layout.for_scale(0.75).strip
    assert abs(charts["GLD"]["dot_roi"]["x"] - (1920 + strip.x)) <= 2
