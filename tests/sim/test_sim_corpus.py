"""`write_corpus`: frames, labels.json (SPEC §5) and a config.toml that matches the frames."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from atm import config as config_mod
from atm.corpus import frame_time, list_frames, load_labels
from atm.errors import InputError
from atm.sim.corpus import corpus_config, write_corpus
from atm.sim.layout import Layout
from atm.sim.scenario import generate
from atm.sim.theme import LIGHT


def _read(path: Path) -> np.ndarray:
    with PILImage.open(path) as im:
        return np.asarray(im.convert("RGB"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "dark"
    summary = write_corpus(out, bars=42, scale=1.0, seed=4, theme="dark")
    assert (summary.frames, summary.width, summary.height) == (42, 1920, 1080)
    assert summary.buy_fires >= 1 and summary.sell_fires >= 1
    return out


def test_files_and_labels_follow_the_corpus_format(corpus: Path) -> None:
    frames = list_frames(corpus)
    assert len(frames) == 42
    assert frames[0].name == "20261120_210003.png"
    times = [frame_time(p) for p in frames]
    assert all(b - a == 180 for a, b in itertools.pairwise(times))
    raw = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    assert raw["schema"] == 1 and set(raw["frames"]) == {p.name for p in frames}
    assert all(set(entry) <= {"color", "fire"} for entry in raw["frames"].values())
    session = generate(42, seed=4)
    labels = load_labels(corpus)
    assert [labels[p.name].color for p in frames] == list(session.colors)
    assert [(i, labels[p.name].fire) for i, p in enumerate(frames) if labels[p.name].fire] == (
        session.fires()
    )


def test_config_loads_and_matches_the_rendered_frames(corpus: Path) -> None:
    config = config_mod.load(corpus / "config.toml", env={})
    assert config.capture.region.w == 1920 and config.capture.region.h == 1080
    assert config.lockout.minutes == 4 and config.symbol_label == "DIA→US30"
    labels = load_labels(corpus)
    colors = config.colors.dots()
    roi = config.dot_roi
    for path in list_frames(corpus)[-6:]:
        img = _read(path)
        strip = img[roi.y : roi.y + roi.h, roi.x : roi.x + roi.w].astype(int)
        bg = np.asarray(config.colors.background.rgb)
        exact = [np.all(strip == np.asarray(spec.rgb), axis=2) for spec in colors.values()]
        # the rightmost pixel that is exactly a calibrated colour belongs to the current dot
        rightmost = {
            name: np.flatnonzero(m.any(axis=0)).max(initial=-1)
            for name, m in zip(colors, exact, strict=True)
        }
        assert max(rightmost, key=lambda n: rightmost[n]) == labels[path.name].color
        assert np.all(np.abs(strip[:, :3] - bg).sum(axis=2) == 0)  # left edge: background


def test_axis_points_sit_on_grid_lines_of_the_frames(corpus: Path) -> None:
    config = config_mod.load(corpus / "config.toml", env={})
    img = _read(list_frames(corpus)[-1])
    chart, axis_roi = config.chart_roi, config.y_axis.roi
    (p1, p2) = config.y_axis.points
    assert p1.y < p2.y and p1.price > p2.price
    for point in (p1, p2):
        assert chart.y < point.y < chart.y + chart.h
        grid_row = img[point.y, chart.x : chart.x + 30]
        assert np.all(grid_row == grid_row[0]) and np.any(grid_row[0] != 0)
        band = img[point.y - 4 : point.y + 5, axis_roi.x : axis_roi.x + axis_roi.w]
        assert (band.astype(int).sum(axis=2) > 300).sum() > 20  # its price label is printed
    # every candle lies within the price range the axis shows
    session = generate(42, seed=4)
    lo, hi = session.price_range()
    slope = (p1.price - p2.price) / (p2.y - p1.y)
    top = p1.price + (p1.y - chart.y) * slope
    bottom = p1.price - (chart.y + chart.h - p1.y) * slope
    assert bottom < lo < hi < top


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    start = datetime(2026, 3, 2, 15, 30, 0)
    for name, seed in (("a", 9), ("b", 9), ("c", 10)):
        write_corpus(tmp_path / name, bars=6, scale=1.25, seed=seed, theme="light", start=start)
    a, b, c = (sorted((tmp_path / n).iterdir()) for n in "abc")
    assert [p.name for p in a] == [p.name for p in b] == [p.name for p in c]
    assert a[0].name == "20260302_153003.png"
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
    assert any(x.read_bytes() != z.read_bytes() for x, z in zip(a, c, strict=True))


def test_refuses_a_folder_that_is_not_empty_and_accepts_an_empty_one(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not an empty folder"):
        write_corpus(tmp_path / "full", bars=2, scale=1.0, seed=1, theme="dark")
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
    (tmp_path / "empty").mkdir()
    calls: list[tuple[int, int]] = []
    write_corpus(tmp_path / "empty", 3, 1.0, 1, "dark", progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"theme": "sepia"}, "unknown theme 'sepia'"),
        ({"scale": 0.1}, "--scale"),
        ({"bars": 0}, "--bars"),
    ],
)
def test_bad_arguments_are_input_errors(
    tmp_path: Path, kwargs: dict[str, object], match: str
) -> None:
    args: dict[str, object] = {"bars": 3, "scale": 1.0, "seed": 1, "theme": "dark", **kwargs}
    with pytest.raises(InputError, match=match):
        write_corpus(tmp_path / "out", **args)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_corpus_config_without_an_axis_is_valid_and_keeps_default_points() -> None:
    layout = Layout.for_scale(2.0)
    config = config_mod.from_dict(corpus_config(layout, LIGHT))
    assert config.dot_roi.w == layout.strip.w and config.colors.background.rgb == LIGHT.strip_bg
    assert config.canary.roi.x == layout.canary.x and config.levels.sl_rgb == LIGHT.sl
