"""`atm dryrun` on real simulator corpora: the gate, the JSON, and bad input."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from atm.cli import main
from atm.sim.corpus import write_corpus

SPEC_KEYS = {"frames", "color_accuracy", "confusion", "fires", "precision", "recall", "passed"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "c"
    write_corpus(out, bars=80, scale=1.0, seed=11, theme="dark")
    return out


def copy(corpus: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "c"
    shutil.copytree(corpus, dest)
    return dest


@pytest.mark.slow
def test_clean_corpus_passes_the_gate_with_spec_json(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dryrun", str(corpus), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report.keys() >= SPEC_KEYS
    assert set(report["fires"]) == {"expected", "detected", "tp", "fp", "fn"}
    assert report["frames"] == 80 and report["color_accuracy"] == 1.0
    assert report["fires"]["expected"] >= 2 and report["fires"]["fp"] == 0
    assert report["precision"] == 1.0 and report["recall"] == 1.0 and report["passed"]


@pytest.mark.slow
def test_table_output_shows_matrix_and_verdict(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dryrun", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "Colour confusion" in out and "FIRE signals" in out and "PASSED" in out


def test_wrong_calibration_fails_the_gate_with_exit_1(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tomllib.loads((corpus / "config.toml").read_text())
    # swap the trigger colours: every BUY would read as SELL and vice versa
    colors = data["colors"]
    colors["light_green"], colors["light_red"] = colors["light_red"], colors["light_green"]
    bad = tmp_path / "swapped.toml"
    import tomli_w

    bad.write_text(tomli_w.dumps(data))
    assert main(["dryrun", str(corpus), "--config", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["passed"] and report["color_accuracy"] < 1.0


@pytest.mark.slow
def test_corrupt_and_unlabelled_frames_are_reported_not_fatal(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy(corpus, tmp_path)
    frames = sorted(folder.glob("*.png"))
    frames[5].write_bytes(b"\x89PNG\r\n\x1a\n not really")  # torn write
    (folder / "20261120_000000_note.png").write_bytes(frames[0].read_bytes())  # no label
    assert main(["dryrun", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["frames"] == 80 and report["unlabelled"] == 1
    assert [s["frame"] for s in report["skipped"]] == [frames[5].name]
    assert "not a readable" in report["skipped"][0]["reason"]


def test_thresholds_are_configurable(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dryrun", str(corpus), "--min-recall", "1.5"]) == 2  # argparse: bad usage
    assert "expected a number from 0 to 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "hint"),
    [("{", "labels.json: not readable JSON"), ('{"schema":1,"frames":{"a.png":{}}}', "color")],
)
def test_bad_labels_exit_2_naming_the_file(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, hint: str
) -> None:
    folder = copy(corpus, tmp_path)
    (folder / "labels.json").write_text(content)
    assert main(["dryrun", str(folder)]) == 2
    err = capsys.readouterr().err
    assert hint in err and "Traceback" not in err


def test_empty_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config.toml").write_text("schema = 1\n")
    assert main(["dryrun", str(tmp_path)]) == 2
    assert "no frames" in capsys.readouterr().err
