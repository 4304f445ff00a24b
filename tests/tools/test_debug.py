"""`atm debug --screenshot`: one frame through the detector, an annotated PNG, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from atm.cli import main
from atm.corpus import load_labels
from atm.sim.corpus import write_corpus
from atm.vision.image_io import read_image, write_png


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dbg") / "c"
    write_corpus(out, bars=12, scale=1.25, seed=5, theme="light")
    return out


def test_json_names_the_rightmost_dot(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = load_labels(corpus)
    frame = sorted(corpus.glob("*.png"))[-1]
    args = ["--home", str(tmp_path), "debug", "--screenshot", str(frame),
            "--config", str(corpus / "config.toml"), "--json"]  # fmt: skip
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    dot = report["dot"]
    assert dot["found"] is True
    assert dot["color"] == labels[frame.name].color
    assert len(dot["rgb"]) == 3 and 0.0 <= dot["confidence"] <= 1.0
    assert set(report["levels"]) == {"sl", "tp1", "tp2", "axis"}
    annotated = read_image(Path(report["annotated"]))
    assert annotated.shape == read_image(frame).shape
    assert not np.array_equal(annotated, read_image(frame))  # something was drawn


def test_plain_output_lists_the_fields(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = sorted(corpus.glob("*.png"))[0]
    args = ["--home", str(tmp_path), "debug", "--screenshot", str(frame),
            "--config", str(corpus / "config.toml")]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    for field in ("dot.found: True", "dot.rgb:", "dot.color:", "dot.confidence:"):
        assert field in out


def test_an_empty_strip_is_reported_not_found(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.png"
    write_png(blank, np.full((1350, 2400, 3), 255, np.uint8))
    args = ["--home", str(tmp_path), "debug", "--screenshot", str(blank),
            "--config", str(corpus / "config.toml"), "--json"]  # fmt: skip
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["dot"]["found"] is False


@pytest.mark.parametrize("bad", ["missing.png", "corrupt.png", "small.png"])
def test_bad_screenshots_exit_2(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    (tmp_path / "corrupt.png").write_bytes(b"not an image")
    write_png(tmp_path / "small.png", np.zeros((100, 100, 3), np.uint8))
    args = ["--home", str(tmp_path), "debug", "--screenshot", str(tmp_path / bad),
            "--config", str(corpus / "config.toml")]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert bad in err or "capture.region" in err
    assert "Traceback" not in err
