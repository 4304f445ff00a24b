"""The layout canary on simulator frames: baseline, pause once per episode, resume by file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from atm import config
from atm.canary import Canary, CanaryResult
from atm.frame import Frame
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import generate
from atm.sim.theme import DARK, LIGHT
from atm.types import Image
from atm.vision.phash import phash, to_hex

T0 = datetime(2026, 3, 9, 21, 3, 5, tzinfo=UTC).timestamp()
LAYOUT = Layout.for_scale(1.0)


@pytest.fixture(scope="module")
def frames() -> list[Image]:
    """Eight bars of a session: the market moves, the window layout does not."""
    session = generate(8, seed=3)
    axis = PriceAxis.fit(*session.price_range(), LAYOUT)
    return [
        render(Scene(LAYOUT, DARK, axis, session.candles[: i + 1], session.colors[: i + 1]))
        for i in range(8)
    ]


@pytest.fixture(scope="module")
def moved(frames: list[Image]) -> Image:
    """The chart window moved 40 px left: what was at x+40 is now at x."""
    out = np.empty_like(frames[-1])
    out[:] = LIGHT.window
    out[:, :-40] = frames[-1][:, 40:]
    return out


def _settings(**kw: object) -> config.CanarySettings:
    roi = config.Roi(x=LAYOUT.canary.x, y=LAYOUT.canary.y, w=LAYOUT.canary.w, h=LAYOUT.canary.h)
    return config.CanarySettings.model_validate({"roi": roi, "every_cycles": 1, **kw})


def _canary(tmp_path: Path, **kw: object) -> Canary:
    return Canary(_settings(**kw), tmp_path / "PAUSED", zone="UTC")


def _kinds(result: CanaryResult) -> list[str]:
    return [e.kind for e in result.events]


def test_first_good_frame_sets_the_baseline_and_says_so(
    tmp_path: Path, frames: list[Image]
) -> None:
    canary = _canary(tmp_path, every_cycles=60)
    assert canary.baseline == "" and canary.status() == "baseline not set"
    first = canary.check(Frame(frames[0], T0), 0)
    expected = to_hex(phash(frames[0][0:30, 1765:1915]))
    assert _kinds(first) == ["baseline_set"] and expected in first.events[0].text
    assert not first.events[0].alert
    assert (first.checked, first.distance, first.phash, first.paused) == (True, 0, expected, False)
    assert canary.baseline == expected and canary.status() == f"baseline {expected}"
    assert not (tmp_path / "PAUSED").exists()


def test_baseline_from_the_config_is_used_without_an_event(
    tmp_path: Path, frames: list[Image]
) -> None:
    baseline = to_hex(phash(frames[0][0:30, 1765:1915]))
    canary = _canary(tmp_path, baseline_phash=baseline.upper())
    result = canary.check(Frame(frames[3], T0), 0)
    assert result.events == () and result.distance == 0 and canary.baseline == baseline


def test_unchanged_layout_never_pauses(tmp_path: Path, frames: list[Image]) -> None:
    canary = _canary(tmp_path)
    results = [canary.check(Frame(f, T0 + 180 * i), i) for i, f in enumerate(frames)]
    assert [r.distance for r in results] == [0] * len(frames)
    assert not any(r.paused for r in results)
    assert [k for r in results for k in _kinds(r)] == ["baseline_set"]
    assert not (tmp_path / "PAUSED").exists()


def test_hashes_on_cycle_zero_and_every_n_cycles(tmp_path: Path, frames: list[Image]) -> None:
    canary = _canary(tmp_path, every_cycles=3)
    checked = [canary.check(Frame(frames[0], T0 + i), i).checked for i in range(7)]
    assert checked == [True, False, False, True, False, False, True]


def test_until_a_baseline_is_set_every_cycle_tries(tmp_path: Path, frames: list[Image]) -> None:
    canary = _canary(tmp_path, every_cycles=60)
    black = np.zeros_like(frames[0])
    blank = canary.check(Frame(black, T0), 0)
    assert blank.checked and blank.blank and blank.distance is None and canary.baseline == ""
    assert _kinds(canary.check(Frame(frames[0], T0 + 1), 1)) == ["baseline_set"]
    assert not canary.check(Frame(frames[0], T0 + 2), 2).checked


def test_a_black_frame_is_no_layout_change(tmp_path: Path, frames: list[Image]) -> None:
    canary = _canary(tmp_path)
    canary.check(Frame(frames[0], T0), 0)
    result = canary.check(Frame(np.zeros_like(frames[0]), T0 + 1), 1)
    assert result.blank and not result.paused and result.events == ()
    assert result.audit() == {
        "paused": False,
        "canary_distance": None,
        "canary_phash": None,
        "canary_blank": True,
    }


def test_changed_layout_pauses_once_and_writes_the_file(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    canary = _canary(tmp_path, max_distance=8)
    base = canary.check(Frame(frames[0], T0), 0)
    results = [canary.check(Frame(moved, T0 + i), i) for i in range(1, 6)]
    assert all(r.paused and r.checked for r in results) and canary.paused
    assert all(r.distance is not None and r.distance > 8 for r in results)
    changed = [e for r in results for e in r.events]
    assert [e.kind for e in changed] == ["layout_changed"] and changed[0].alert
    assert f"distance {results[0].distance} > 8" in changed[0].text
    assert "signal" not in changed[0].text
    assert str(tmp_path / "PAUSED") in changed[0].text
    text = (tmp_path / "PAUSED").read_text(encoding="utf-8")
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "2026-03-09 21:03:06" in text and f"distance {results[0].distance} > 8" in text
    assert f"baseline {base.phash}" in text and "Delete this file to resume" in text
    assert f'baseline_phash = "{results[0].phash}"' in text
    assert canary.status().startswith("PAUSED")
    assert results[0].audit()["paused"] is True
    assert results[0].audit()["canary_distance"] == results[0].distance


def test_pause_persists_until_the_file_is_deleted_then_rearms(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    canary = _canary(tmp_path, every_cycles=10)
    pause_file = tmp_path / "PAUSED"
    canary.check(Frame(frames[0], T0), 0)
    assert _kinds(canary.check(Frame(moved, T0 + 10), 10)) == ["layout_changed"]
    # the layout comes back: still paused, the trader decides by deleting the file
    for cycle in range(11, 31):
        result = canary.check(Frame(frames[1], T0 + cycle), cycle)
        assert result.paused and result.events == ()
        assert result.checked == (cycle % 10 == 0)
        assert result.distance == (0 if cycle % 10 == 0 else None)
    pause_file.unlink()
    resumed = canary.check(Frame(frames[2], T0 + 31), 31)  # not a due cycle: checks anyway
    assert _kinds(resumed) == ["resumed"] and resumed.events[0].alert
    assert not resumed.paused and resumed.checked and resumed.distance == 0
    assert not canary.paused
    # a later change is a new episode: it alerts again
    assert _kinds(canary.check(Frame(moved, T0 + 40), 40)) == ["layout_changed"]
    assert pause_file.exists()


def test_deleting_while_still_changed_pauses_again_at_once(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    canary = _canary(tmp_path, every_cycles=60)
    canary.check(Frame(frames[0], T0), 0)
    canary.check(Frame(moved, T0 + 60), 60)
    (tmp_path / "PAUSED").unlink()
    again = canary.check(Frame(moved, T0 + 61), 61)
    assert _kinds(again) == ["resumed", "layout_changed"] and again.paused
    assert (tmp_path / "PAUSED").exists()


def test_restart_removes_a_stale_pause_file_and_says_so(
    tmp_path: Path, frames: list[Image]
) -> None:
    (tmp_path / "PAUSED").write_text("ATM paused detection at …\n", encoding="utf-8")
    canary = _canary(tmp_path)
    assert not (tmp_path / "PAUSED").exists() and not canary.paused
    first = canary.check(Frame(frames[0], T0), 0)
    assert _kinds(first) == ["stale_pause_removed", "baseline_set"] and not first.paused
    assert _kinds(canary.check(Frame(frames[0], T0 + 1), 1)) == []


def test_region_outside_a_smaller_frame_is_a_layout_change(
    tmp_path: Path, frames: list[Image]
) -> None:
    canary = _canary(tmp_path)
    canary.check(Frame(frames[0], T0), 0)
    small = np.ascontiguousarray(frames[0][:720, :1280])
    result = canary.check(Frame(small, T0 + 1), 1)
    assert result.paused and result.distance is None
    assert "outside the 1280x720 frame" in result.events[0].text


def test_unwritable_pause_file_pauses_until_restart(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    canary = Canary(_settings(), tmp_path / "missing" / "PAUSED", zone="UTC")
    canary.check(Frame(frames[0], T0), 0)
    result = canary.check(Frame(moved, T0 + 1), 1)
    assert result.paused and "restart ATM to resume" in result.events[0].text
    assert canary.check(Frame(frames[0], T0 + 2), 2).paused
