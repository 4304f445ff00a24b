"""A False signal press makes the next `atm dryrun samples` count that FIRE as false."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from atm.audit import AuditLog
from atm.cli import main
from atm.corpus import Label, frame_time, load_labels, save_labels
from atm.journal.ids import signal_id
from atm.journal.signals import signal_event
from atm.sim.corpus import write_corpus


def live_samples(corpus: Path, samples: Path) -> None:
    """The corpus as a live run leaves samples (named `<time>_<colour>.png`), labelled by
    hand with their colours (no fire marks: the state machine says where FIREs are)."""
    samples.mkdir(parents=True)
    labels = {}
    for name, label in load_labels(corpus).items():
        renamed = f"{Path(name).stem}_{label.color}.png"
        shutil.copy(corpus / name, samples / renamed)
        labels[renamed] = Label(label.color)
    save_labels(samples, labels)
    shutil.copy(corpus / "config.toml", samples / "config.toml")


def dryrun(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    capsys.readouterr()
    code = main(["--home", str(home), "dryrun", str(home / "samples"), "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.slow  # a 40-frame 1080p corpus, replayed twice
def test_a_false_signal_is_a_false_positive_in_the_next_dry_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, bars=40, scale=1.0, seed=7, theme="dark")
    live_samples(corpus, tmp_path / "samples")
    code, before = dryrun(tmp_path, capsys)
    assert code == 0 and before["fires"] == {"expected": 4, "detected": 4, "tp": 4, "fp": 0,
                                             "fn": 0}  # fmt: skip
    first = min(n for n, lab in load_labels(corpus).items() if lab.fire)
    ts, fire = frame_time(Path(first)), load_labels(corpus)[first]
    sid = signal_id("DIA→US30", str(fire.fire), ts)
    audit = AuditLog(tmp_path / "logs")
    audit.write(ts, signal_event(sid, fire.fire or "BUY", "DIA→US30", color=fire.color))
    audit.close()

    args = ["--home", str(tmp_path), "journal", "add", "--signal", sid, "--false-signal"]
    assert main(args) == 0
    sample = f"{Path(first).stem}_{fire.color}.png"
    assert load_labels(tmp_path / "samples")[sample].not_fire
    code, result = dryrun(tmp_path, capsys)
    assert code == 1 and result["passed"] is False
    assert result["fires"]["fp"] == 1  # type: ignore[index]
    assert result["precision"] < 1  # type: ignore[operator]


def test_a_false_signal_on_one_of_several_charts_labels_that_charts_sample(
    tmp_path: Path,
) -> None:
    """With [[charts]], samples are named `<time>_<chart>_<colour>.png` and each chart's
    labels live in `labels.<chart>.json`: the press marks GLD's sample in GLD's labels."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, bars=8, scale=0.5, seed=3, theme="light")
    name = sorted(load_labels(corpus))[-1]
    ts = frame_time(Path(name))
    sample = f"{Path(name).stem}_GLD_gray.png"
    (tmp_path / "samples").mkdir()
    shutil.copy(corpus / name, tmp_path / "samples" / sample)
    sid = signal_id("GLD→XAUUSD", "SELL", ts)
    audit = AuditLog(tmp_path / "logs")
    audit.write(ts, {**signal_event(sid, "SELL", "GLD→XAUUSD", color="gray"), "chart": "GLD"})
    audit.close()

    args = ["--home", str(tmp_path), "journal", "add", "--signal", sid, "--false-signal"]
    assert main(args) == 0
    assert load_labels(tmp_path / "samples", "GLD") == {sample: Label("gray", not_fire=True)}
    assert not (tmp_path / "samples" / "labels.json").exists()
