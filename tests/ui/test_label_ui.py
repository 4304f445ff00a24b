"""The labeler: its session logic headless, then the real Tk window under Xvfb driven by
xdotool keys — a whole corpus labelled from scratch, a resumed session killed mid-way, and
the "only uncertain" mode — each checked in the `labels.json` written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import mss
import numpy as np
import pytest
from PIL import Image as PILImage

from atm import config as config_mod
from atm.colors import UNKNOWN
from atm.corpus import Label, list_frames, load_labels, save_labels
from atm.labeling import KEYS, LabelSession
from atm.sim.corpus import write_corpus
from atm.sim.layout import Layout
from atm.vision.image_io import read_image, write_png
from tests.fakes.xvfb import XServer, window_origin

BARS, SEED = 10, 8  # a SELL FIRE at frame 3, a BUY at frame 9
TITLE = "ATM labeler"
DOCS = Path(__file__).parents[2] / "docs"
KEY_OF = {color: key for key, color in KEYS.items()}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("label-ui") / "corpus"
    write_corpus(out, BARS, 1.0, SEED, "dark")
    return out


@pytest.fixture
def corpus(source: Path, tmp_path: Path) -> tuple[Path, dict[str, Label]]:
    """A fresh unlabelled copy of the corpus, and its true labels."""
    folder = tmp_path / "corpus"
    shutil.copytree(source, folder)
    truth = load_labels(folder)
    (folder / "labels.json").unlink()
    return folder, truth


def session(folder: Path) -> LabelSession:
    return LabelSession(folder, config_mod.load(folder / "config.toml"))


# -- the session, headless ------------------------------------------------------------------


def test_labels_are_saved_at_once_and_the_session_resumes(
    corpus: tuple[Path, dict[str, Label]],
) -> None:
    folder, truth = corpus
    names = [p.name for p in list_frames(folder)]
    first = session(folder)
    assert first.index == 0 and first.status().startswith(f"frame 1/{BARS} · labelled 0 · guess")
    first.accept_guess()  # the detector is right on a clean corpus
    first.mark_fire("SELL")  # on frame 2, before its colour: the guess is kept
    assert load_labels(folder) == {
        names[0]: truth[names[0]],
        names[1]: Label(truth[names[1]].color, "SELL"),
    }
    first.mark_fire("SELL")  # a second press takes the mark off
    first.label("gray")
    assert load_labels(folder)[names[1]] == Label("gray")
    assert first.index == 2
    again = session(folder)
    assert again.index == 2 and again.labelled == 2  # resumes at the first unlabelled frame
    again.move(-1)
    assert again.index == 1
    for _ in range(BARS + 3):
        again.move(1)
    assert again.index == BARS - 1  # stays at the end


def test_uncertain_mode_visits_the_least_sure_frames_first(
    corpus: tuple[Path, dict[str, Label]],
) -> None:
    folder, _ = corpus
    names = _make_uncertain(folder, {4: (200, 0, 200), 7: (110, 232, 170)})
    labeller = session(folder)
    assert labeller.toggle_uncertain()
    assert [labeller.frames[i].name for i in labeller.order()] == [names[4], names[7]]
    assert labeller.guesses[names[4]].color == UNKNOWN and labeller.index == 4
    labeller.label("turquoise")
    assert labeller.index == 7
    assert "uncertain only (2)" in labeller.status()


# -- the window ------------------------------------------------------------------------------


class Labeler:
    def __init__(self, display: XServer, folder: Path) -> None:
        self.display = display
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "atm", "label", str(folder)],
            env=display.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        found = display.xdotool("search", "--sync", "--onlyvisible", "--name", TITLE)
        self.window = found.split()[0]
        display.xdotool("windowactivate", "--sync", self.window)

    def keys(self, *keys: str) -> None:
        self.display.xdotool("key", "--delay", "40", *keys)

    def close(self) -> tuple[int, str]:
        self.keys("Escape")
        out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, out + err


@pytest.fixture
def labelers() -> Iterator[list[Labeler]]:
    started: list[Labeler] = []
    yield started
    for labeler in started:
        if labeler.proc.poll() is None:
            labeler.proc.kill()
            labeler.proc.communicate()


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_label_a_corpus_by_keys(
    display: XServer,
    corpus: tuple[Path, dict[str, Label]],
    labelers: list[Labeler],
    tmp_path: Path,
) -> None:
    folder, truth = corpus
    labeler = Labeler(display, folder)
    labelers.append(labeler)
    for i, path in enumerate(list_frames(folder)):
        label = truth[path.name]
        if label.fire:
            labeler.keys(label.fire[0].lower())  # b / s: a FIRE must happen here
        # the guess is preselected: Enter accepts it; or the colour's own key
        labeler.keys("Return" if i % 2 else KEY_OF[label.color])
        if i == 5:
            _screenshot(display, labeler.window, tmp_path / "label.png")
    wait_for(lambda: len(load_labels(folder)) == BARS, "every frame labelled")
    rc, out = labeler.close()
    assert rc == 0, out
    assert load_labels(folder) == truth
    assert f"labelled {BARS}/{BARS}" in out


def test_a_killed_session_loses_nothing_and_resumes(
    display: XServer, corpus: tuple[Path, dict[str, Label]], labelers: list[Labeler]
) -> None:
    folder, truth = corpus
    names = [p.name for p in list_frames(folder)]
    save_labels(folder, {n: truth[n] for n in names[:4]})
    labeler = Labeler(display, folder)
    labelers.append(labeler)
    labeler.keys("0", "Left", KEY_OF["gray"])  # frame 5: none, back, gray instead
    labeler.keys(KEY_OF["yellow"])  # frame 6
    wait_for(lambda: load_labels(folder).get(names[5]) == Label("yellow"), "frame 6 saved")
    labeler.proc.kill()  # SIGKILL
    labeler.proc.communicate(timeout=10)
    saved = load_labels(folder)
    assert saved == {
        **{n: truth[n] for n in names[:4]},
        names[4]: Label("gray"),
        names[5]: Label("yellow"),
    }
    resumed = Labeler(display, folder)
    labelers.append(resumed)
    resumed.keys(KEY_OF["dark_red"])  # starts at the first unlabelled frame: the 7th
    wait_for(lambda: names[6] in load_labels(folder), "frame 7 saved")
    assert load_labels(folder)[names[6]] == Label("dark_red")
    assert resumed.close()[0] == 0


def test_only_uncertain_frames_by_key(
    display: XServer, corpus: tuple[Path, dict[str, Label]], labelers: list[Labeler]
) -> None:
    folder, _ = corpus
    names = _make_uncertain(folder, {2: (200, 0, 200), 6: (110, 232, 170)})
    labeler = Labeler(display, folder)
    labelers.append(labeler)
    labeler.keys("u", KEY_OF["light_red"], KEY_OF["yellow"])
    wait_for(lambda: len(load_labels(folder)) == 2, "two labels")
    assert load_labels(folder) == {names[2]: Label("light_red"), names[6]: Label("yellow")}
    assert labeler.close()[0] == 0


def _make_uncertain(folder: Path, frames: dict[int, tuple[int, int, int]]) -> list[str]:
    """Repaint the newest dot of some frames: far from every class (UNKNOWN), or between
    light green and turquoise (light green, but with a low confidence)."""
    layout, paths = Layout.for_scale(1.0), list_frames(folder)
    for i, rgb in frames.items():
        image = read_image(paths[i]).copy()
        x, y = layout.bar_x(0), layout.dot_y
        patch = image[y - 4 : y + 5, x - 4 : x + 5]
        dot = np.any(patch != image[y - 8, x - 8], axis=2)
        patch[dot] = rgb
        write_png(paths[i], image)
    return [p.name for p in paths]


def _screenshot(display: XServer, window: str, out: Path) -> None:
    time.sleep(0.5)
    x, y = window_origin(display, window)
    with mss.MSS() as sct:
        shot = sct.grab({"left": 0, "top": 0, "width": 1920, "height": 1080})
    picture = PILImage.frombytes("RGB", shot.size, shot.rgb).crop(
        (x, max(0, y - 20), x + 1280, y + 800)
    )
    picture.save(out)
    assert float(np.asarray(picture).std()) > 20
    if os.environ.get("ATM_DOCS_SCREENSHOTS"):
        shutil.copy(out, DOCS / "label.png")
