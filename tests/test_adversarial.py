"""Adversarial screens (issue 11): each situation replayed through the real runner at the
watch cadence (a frame every 20 s, nine per bar), with the desktop in the way on some
frames. Every FIRE whose bar had a clean frame is sent once, on its own bar; nothing else
is; a frame or two hidden stays out of the channels (and in the audit, with its cause);
a sustained case raises the one health alert it deserves, and its recovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from atm import trial
from atm.audit import read_jsonl
from atm.sim.adversary import SITUATIONS, build

SEED = 3  # sessions with three or more FIREs in the watch


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SITUATIONS))
def test_situation_loses_no_fire_and_says_why_once(name: str, tmp_path: Path) -> None:
    replay = build(name, SEED)
    score = trial.run(replay, tmp_path)
    assert score.seen >= 2, "the watch holds too few FIREs to prove anything"
    hidden_fires = 1 if name == "scroll-back-long" else 0  # a FIRE bar never on screen
    assert score.seen == score.expected - hidden_fires
    assert (score.false, score.duplicate, score.missed) == (0, 0, 0), score
    assert score.hits == score.sent == score.seen  # the hidden one is not sent late
    want = SITUATIONS[name].alert
    assert len(score.opened) == (1 if want else 0), score.health
    assert len(score.recovered) == len(score.opened), score.health
    if want is not None:
        assert any(want in text for text in score.opened), score.health


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tooltip", "toast", "scroll-back", "moved-window"])
def test_short_occlusions_are_in_the_audit_with_their_cause(name: str, tmp_path: Path) -> None:
    replay = build(name, SEED)
    hidden = [shot.frame.ts for shot in replay.shots() if not shot.clean]
    trial.run(replay, tmp_path)
    cycles = [r for f in sorted((tmp_path / "logs").glob("2*.jsonl")) for r in read_jsonl(f)]
    # scrolled back past the first bar, the strip is empty: "no dot" is all there is to see
    unread = [r for r in cycles if r.get("reason") in ("obstructed", "not_live", "no_dot")]
    assert len(unread) >= len(hidden)
    causes = {r.get("cause") for r in unread}
    expected = {"tooltip": "mouse", "toast": "window", "scroll-back": "scrolled"}
    assert expected.get(name, "moved") in causes
    assert all(r["rightmost_dot_color"] is None for r in unread)  # no older dot taken


def test_every_situation_has_ground_truth() -> None:
    for name in SITUATIONS:
        replay = build(name, SEED)
        fires = replay.fires()
        assert fires and all(
            replay.first <= bar < replay.first + replay.bars for bar, _, _ in fires
        )
        assert all(ep.start < ep.end for ep in replay.episodes)
