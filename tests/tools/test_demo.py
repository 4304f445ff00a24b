"""`atm demo` end to end: its alerts equal the scenario's ground truth."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from atm.audit import read_jsonl
from atm.cli import main
from atm.sim.scenario import generate
from atm.tools.demo import BARS


def planted(seed: int) -> list[str]:
    start = datetime(2026, 11, 20, 21, 0, 0)
    session = generate(BARS, seed)
    out = []
    for i, direction in session.fires():
        when = datetime.fromtimestamp(start.timestamp() + i * session.bar_seconds)
        out.append(f"{direction} signal DIA→US30 | {when:%H:%M:%S}")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 12])
def test_demo_alerts_match_the_ground_truth(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(tmp_path), "demo", "--seed", str(seed)]) == 0
    out = capsys.readouterr().out
    signals = re.findall(r"(?:BUY|SELL) signal DIA→US30 \| \d\d:\d\d:\d\d", out)
    assert signals == planted(seed)
    assert "Triggers: expected vs detected" in out and "missed" not in out

    demo = tmp_path / "demo"
    shots = list((demo / "logs" / "fires").glob("*.png"))
    assert len([p for p in shots if not p.stem.endswith("_frame")]) == len(signals)
    assert len([p for p in shots if p.stem.endswith("_frame")]) == len(signals)  # raw frames
    records = [r for f in (demo / "logs").glob("*.jsonl") for r in read_jsonl(f)]
    cycles = [r for r in records if "rightmost_dot_color" in r]
    assert len(cycles) == BARS * 36  # a frame every 5 s for 40 three-minute bars
    sent = [r for r in records if r.get("event") == "alert_sent" and r["kind"] == "trigger"]
    assert len(sent) == len(signals)


def test_demo_never_wipes_a_folder_it_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "precious.txt").write_text("mine")
    assert main(["--home", str(tmp_path), "demo"]) == 2
    assert "was not made by `atm demo`" in capsys.readouterr().err
    assert (tmp_path / "demo" / "precious.txt").read_text() == "mine"


@pytest.mark.slow
def test_demo_reruns_over_its_own_folder(tmp_path: Path) -> None:
    assert main(["--home", str(tmp_path), "demo"]) == 0
    assert main(["--home", str(tmp_path), "demo"]) == 0
