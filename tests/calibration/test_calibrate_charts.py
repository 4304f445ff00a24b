"""`atm calibrate --chart NAME` and screenshots of several charts: simulator charts side by
side (DIA at 100 % dark, GLD at 75 % light) as one screen; the configs written load, and
replay both charts' signals."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from atm.audit import read_jsonl
from atm.calibration.several import propose_charts
from atm.cli import main
from atm.corpus import frame_time, list_frames, load_labels
from atm.geometry import Rect
from atm.sim.corpus import write_corpus
from atm.sim.layout import Layout
from atm.vision.image_io import read_image, write_png

BARS = 40
DIA = ("DIA", 1.0, "dark", 21)  # name, scale, theme, seed
GLD = ("GLD", 0.75, "light", 33)
WIDTH = 1920  # where GLD's window starts on the screen


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("charts")
    out = {}
    for name, scale, theme, seed in (DIA, GLD):
        out[name] = root / name
        write_corpus(out[name], bars=BARS, scale=scale, seed=seed, theme=theme)
    return out


@pytest.fixture(scope="module")
def screen(corpora: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every frame of both charts side by side, as one screen."""
    out = tmp_path_factory.mktemp("screen")
    for path in list_frames(corpora["DIA"]):
        write_png(out / path.name, side_by_side(path, corpora["GLD"] / path.name))
    return out


def side_by_side(left: Path, right: Path, gap: int = 0) -> np.ndarray:
    a, b = read_image(left), read_image(right)
    canvas = np.zeros((a.shape[0], WIDTH + gap + b.shape[1], 3), np.uint8)
    canvas[:, : a.shape[1]] = a
    canvas[: b.shape[0], WIDTH + gap :] = b
    return canvas


def calibrate(home: Path, frame: Path, *args: str) -> int:
    args = ("--home", str(home), "calibrate", "--auto", "--yes", "--screenshot", str(frame), *args)
    return main(list(args))


def active(home: Path) -> tuple[Path, dict[str, Any]]:
    configs = home / "configs"
    path = configs / (configs / "current.txt").read_text().strip()
    return path, tomllib.loads(path.read_text())


def tables(home: Path) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in active(home)[1]["charts"]}


def near(roi: dict[str, int], rect: Rect, px: int) -> bool:
    got = (roi["x"], roi["y"], roi["x"] + roi["w"], roi["y"] + roi["h"])
    want = (rect.x, rect.y, rect.right, rect.bottom)
    return all(abs(a - b) <= px for a, b in zip(got, want, strict=True))


def strip_of(scale: float, dx: int) -> Rect:
    """Where the simulator's strip pane is, on the screen (the ROI found sits around the
    dots inside it: the same left edge, a few rows high)."""
    return Layout.for_scale(scale).strip.offset(dx, 0)


@pytest.mark.slow
def test_each_strip_is_proposed_in_its_own_window(screen: Path) -> None:
    proposals = propose_charts(read_image(list_frames(screen)[-1]))
    assert len(proposals) == 2
    for proposal, (_, scale, _, _), dx in zip(proposals, (DIA, GLD), (0, WIDTH), strict=True):
        layout = Layout.for_scale(scale)
        window = Rect(dx, 0, layout.width, layout.height)
        strip, chart, axis = proposal.dot_roi, proposal.chart_roi, proposal.axis_roi
        assert strip is not None and chart is not None and axis is not None
        assert abs(strip.x - (layout.strip.x + dx)) <= 2
        assert strip.y <= layout.dot_y - 3 and layout.dot_y + 3 < strip.bottom
        assert strip.right <= layout.strip.right + dx + 2
        assert abs(chart.x - layout.chart.x - dx) <= 2 and abs(chart.y - layout.chart.y) <= 2
        assert (
            abs(axis.x - layout.axis.x - dx) <= 3 and abs(axis.right - layout.axis.right - dx) <= 3
        )
        assert proposal.canary_roi is not None and window.contains(proposal.canary_roi)
        assert window.contains(axis) and window.contains(chart)


@pytest.mark.slow
def test_one_chart_on_screen_is_proposed_as_before(corpora: dict[str, Path]) -> None:
    from atm.calibration.auto import propose

    image = read_image(list_frames(corpora["DIA"])[-1])
    assert propose_charts(image) == (propose(image),)


@pytest.mark.slow
def test_auto_yes_on_two_charts_writes_both_and_replays_them(
    screen: Path, corpora: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert calibrate(home, list_frames(screen)[-1]) == 0
    out = capsys.readouterr().out
    assert "2 charts found" in out and "chart1" in out and "chart2" in out
    charts = tables(home)
    assert list(charts) == ["chart1", "chart2"]  # left to right
    assert near(charts["chart1"]["dot_roi"], strip_of(1.0, 0), 25)
    assert near(charts["chart2"]["dot_roi"], strip_of(0.75, WIDTH), 25)
    assert abs(charts["chart2"]["dot_roi"]["x"] - strip_of(0.75, WIDTH).x) <= 2
    config, _ = active(home)
    assert main(["--home", str(home), "run", "--replay", str(screen), "--config", str(config)]) == 0
    records = [r for f in sorted((home / "logs").glob("2*.jsonl")) for r in read_jsonl(f)]
    queued = [r["text"] for r in records if r.get("event") == "alert_queued"]
    for name, corpus in (("chart1", corpora["DIA"]), ("chart2", corpora["GLD"])):
        sent = [t.rsplit(" | #", 1)[0].split(" ", 1)[1] for t in queued if f" signal {name} " in t]
        assert len(expected(corpus, name)) >= 2 and sent == expected(corpus, name)


def expected(corpus: Path, symbol: str) -> list[str]:
    return [
        f"{label.fire} signal {symbol} | {datetime.fromtimestamp(frame_time(Path(f))):%H:%M:%S}"
        for f, label in sorted(load_labels(corpus).items())
        if label.fire
    ]


@pytest.mark.slow
def test_a_chart_is_added_to_a_single_chart_config(
    screen: Path, corpora: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DIA config, tuned by hand, gets GLD beside it: DIA keeps its own keys (now in
    its table), the shared ones stay shared, and no secret lands in the file."""
    home = tmp_path / "home"
    assert calibrate(home, list_frames(corpora["DIA"])[-1]) == 0
    path, raw = active(home)
    raw |= {
        "levels": {"timeout_min": 5.0},
        "lockout": {"minutes": 2.0},
        "loop": {"interval_s": 2.0},
    }
    extra = "\n[levels]\ntimeout_min = 5.0\n[lockout]\nminutes = 2.0\n[loop]\ninterval_s = 2.0\n"
    path.write_text(path.read_text() + extra)
    monkeypatch.setenv("ATM_DISCORD_URL", "https://discord.com/api/webhooks/1/SECRET-TOKEN")
    assert calibrate(home, list_frames(screen)[-1], "--chart", "GLD") == 0
    new, data = active(home)
    assert new != path and "SECRET-TOKEN" not in new.read_text()
    assert data["loop"] == {"interval_s": 2.0} and data["notify"]["discord"]["webhook_url"] == ""
    dia, gld = data["charts"]
    assert dia["name"] == "DIA" and gld["name"] == "GLD"
    kept = {k: v for k, v in raw.items() if k not in ("schema", "loop", "notify")}
    assert {k: v for k, v in dia.items() if k != "name"} == kept
    assert gld["symbol_label"] == "GLD" and "levels" not in gld
    assert abs(gld["dot_roi"]["x"] - strip_of(0.75, WIDTH).x) <= 2


@pytest.mark.slow
def test_replacing_one_chart_keeps_the_other_byte_for_byte(
    screen: Path, corpora: dict[str, Path], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    assert calibrate(home, list_frames(screen)[-1]) == 0
    before, _ = active(home)
    text = before.read_text().replace(
        'name = "chart2"\n', 'name = "chart2"\nlockout = { minutes = 1.5 }\n'
    )
    before.write_text(text)
    moved = tmp_path / "moved.png"  # GLD's window 40 px further right
    frame = list_frames(corpora["DIA"])[-1]
    write_png(moved, side_by_side(frame, corpora["GLD"] / frame.name, gap=40))
    assert calibrate(home, moved, "--chart", "chart2") == 0
    after, data = active(home)
    assert section(after, "chart1") == section(before, "chart1")
    chart2 = data["charts"][1]
    assert chart2["lockout"] == {"minutes": 1.5} and chart2["symbol_label"] == "chart2"
    assert abs(chart2["dot_roi"]["x"] - strip_of(0.75, WIDTH + 40).x) <= 2


def section(path: Path, name: str) -> str:
    """The text of chart `name`'s [[charts]] table and its sub-tables."""
    parts = re.split(r"(?m)^\[\[charts\]\]\n", path.read_text())
    return next(p for p in parts[1:] if p.startswith(f'name = "{name}"\n'))


@pytest.mark.parametrize("name", ["a b", "-x", "x" * 33, "DIA/GLD", "é"])
def test_a_bad_chart_name_is_a_usage_error(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert calibrate(tmp_path, tmp_path / "screen.png", f"--chart={name}") == 2
    err = capsys.readouterr().err
    assert "--chart: expected a short name of letters, digits" in err and "Traceback" not in err
    assert not (tmp_path / "configs").exists()


@pytest.mark.slow
def test_a_config_of_several_charts_needs_chart(
    screen: Path, corpora: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "two.toml").write_text(
        '[[charts]]\nname = "DIA"\ndot_roi = { x = 60, y = 930, w = 1700, h = 40 }\n'
        '[[charts]]\nname = "GLD"\ndot_roi = { x = 60, y = 100, w = 1700, h = 40 }\n'
    )
    (configs / "current.txt").write_text("two.toml\n")
    want = "this config watches DIA, GLD: pick one with --chart NAME, or a new name to add one"
    frame = list_frames(corpora["DIA"])[-1]
    assert main(["--home", str(tmp_path), "calibrate", "--screenshot", str(frame)]) == 2
    assert want in capsys.readouterr().err
    assert calibrate(tmp_path, frame) == 2  # one strip: which chart it is, is not said
    assert want in capsys.readouterr().err
    assert sorted(p.name for p in configs.iterdir()) == ["current.txt", "two.toml"]


@pytest.mark.slow
def test_chart_picks_no_strip_when_it_cannot_tell(
    screen: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No config yet, two strips on screen, one --chart: which is it? Nothing is written."""
    assert calibrate(tmp_path, list_frames(screen)[-1], "--chart", "GLD") == 2
    err = capsys.readouterr().err
    assert "--chart GLD: the screenshot shows 2 dot strips" in err
    assert not (tmp_path / "configs").exists()
