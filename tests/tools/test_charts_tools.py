"""`atm debug`, `atm dryrun` and `atm label` with several `[[charts]]`: each chart read
from the same frames, scored against its own labels (`labels.NAME.json`), `--chart NAME`
for one, and a clear exit 2 for a chart that is not there."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from atm import config as config_mod
from atm.cli import main
from atm.corpus import labels_name, load_labels
from atm.labeling import LabelSession
from atm.tools.label import run_label
from tests.fakes.two_charts import CHARTS, build_screen

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two charts side by side, each with its own labels on the same frames."""
    out = build_screen(tmp_path_factory.mktemp("charts"))
    for name in CHARTS:
        shutil.copyfile(out.parent / name / "labels.json", out / labels_name(name))
    return out


def copy(screen: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "screen"
    shutil.copytree(screen, dest)
    return dest


def dryrun(folder: Path, *extra: str) -> list[str]:
    return ["dryrun", str(folder), "--config", str(folder / "charts.toml"), *extra]


def fires(folder: Path, name: str) -> int:
    return sum(1 for label in load_labels(folder, name).values() if label.fire)


def test_dryrun_scores_each_chart_against_its_own_labels(
    screen: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(dryrun(screen, "--json")) == 0
    report = json.loads(capsys.readouterr().out)["charts"]
    assert set(report) == {"DIA", "GLD"}
    for name, result in report.items():
        assert result["color_accuracy"] == 1.0, name
        assert result["fires"]["tp"] == result["fires"]["expected"] == fires(screen, name) >= 2
        assert result["passed"]


def test_one_chart_with_wrong_labels_fails_the_gate_alone(
    screen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy(screen, tmp_path)
    shutil.copyfile(folder / labels_name("DIA"), folder / labels_name("GLD"))
    assert main(dryrun(folder, "--json")) == 1
    report = json.loads(capsys.readouterr().out)["charts"]
    assert report["DIA"]["passed"] and not report["GLD"]["passed"]
    assert report["GLD"]["color_accuracy"] < 1.0


def test_chart_names_one_and_a_chart_without_labels_is_named(
    screen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(dryrun(screen, "--json", "--chart", "GLD")) == 0
    assert set(json.loads(capsys.readouterr().out)["charts"]) == {"GLD"}
    folder = copy(screen, tmp_path)
    (folder / labels_name("GLD")).unlink()
    assert main(dryrun(folder)) == 0
    out = " ".join(capsys.readouterr().out.split())  # as read, not as the terminal wrapped it
    assert f"GLD: no labels.GLD.json in {folder}; label it with `atm label" in out
    assert f"{folder} · DIA" in out and f"{folder} · GLD" not in out


def test_an_unknown_chart_is_exit_2_naming_the_charts(
    screen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(dryrun(screen, "--chart", "SPY")) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "--chart SPY: no such chart; this config watches DIA, GLD" in err
    assert "Traceback" not in err
    single = screen.parent / "DIA"
    assert main(["dryrun", str(single), "--chart", "DIA"]) == 2
    assert "watches one chart (no [[charts]]); leave --chart out" in " ".join(
        capsys.readouterr().err.split()
    )


def test_debug_reads_every_chart_of_one_screenshot(
    screen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = sorted(screen.glob("*.png"))[-1]
    args = ["--home", str(tmp_path), "debug", "--screenshot", str(frame)]
    assert main([*args, "--config", str(screen / "charts.toml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["charts"]
    for name in CHARTS:
        truth = load_labels(screen, name)[frame.name].color
        assert report[name]["dot"]["color"] == truth, name
        assert Path(report[name]["annotated"]).name.endswith(f"_{name}.png")
        assert Path(report[name]["annotated"]).is_file()
    assert main([*args, "--config", str(screen / "charts.toml"), "--chart", "DIA"]) == 0
    out = capsys.readouterr().out
    assert f"frame: {frame} · DIA" in out and "GLD" not in out


def test_label_writes_the_named_charts_labels_only(
    screen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy(screen, tmp_path)
    dia_before = (folder / labels_name("DIA")).read_bytes()
    gld_before = load_labels(folder, "GLD")
    config = config_mod.load(folder / "charts.toml")
    changed: list[tuple[str, str]] = []

    def relabel(session: LabelSession) -> int:
        assert session.config.name == "GLD"
        color = "yellow" if session.labels[session.name].color != "yellow" else "gray"
        session.label(color)
        changed.append((session.name, color))
        return 0

    assert run_label(folder, config, Console(), relabel, chart="GLD") == 0
    [(name, color)] = changed
    assert load_labels(folder, "GLD") == {
        **gld_before,
        name: replace(gld_before[name], color=color),
    }
    assert (folder / labels_name("DIA")).read_bytes() == dia_before
    assert main(["label", str(folder), "--config", str(folder / "charts.toml")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "this config watches DIA, GLD: label one at a time with --chart NAME" in err
