"""The layout canary on simulator frames: baseline, pause once per episode, resume by file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from atm import config
from atm.canary import Canary, CanaryResult
from atm.config import CanarySettings
from atm.frame import Frame
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import generate
from atm.sim.theme import DARK, LIGHT
from atm.types import Image
from atm.vision.phash import distance, from_hex, phash, to_hex
from tests.fakes.clock import clock_text, with_clock

SETTLE_S = CanarySettings().settle_s
T0 = datetime(2026, 3, 9, 21, 3, 5, tzinfo=UTC).timestamp()
LAYOUT = Layout.for_scale(1.0)
NOON = 12 * 3600


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


def _settle(canary: Canary, image: Image, t: float, cycle: int) -> list[CanaryResult]:
    """Checks every 5 s from `t` until the changed region has held still long enough."""
    steps = int(SETTLE_S // 5) + 1
    return [canary.check(Frame(image, t + 5 * k), cycle + k) for k in range(steps)]


def test_changed_layout_pauses_once_it_holds_still_and_writes_the_file(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    canary = _canary(tmp_path, max_distance=8, every_cycles=60)
    base = canary.check(Frame(frames[0], T0), 0)
    results = _settle(canary, moved, T0 + 300, 60)  # a due check, then every cycle
    assert all(r.checked for r in results)  # suspect: hashed on every cycle, not every 60th
    assert [r.paused for r in results] == [False] * (len(results) - 1) + [True]
    assert all(r.distance is not None and r.distance > 8 for r in results)
    assert _kinds(results[0]) == ["suspect"] and not results[0].events[0].alert
    changed = [e for r in results[1:] for e in r.events]
    assert [e.kind for e in changed] == ["layout_changed"] and changed[0].alert
    assert f"distance {results[0].distance} > 8" in changed[0].text
    assert "signal" not in changed[0].text
    assert str(tmp_path / "PAUSED") in changed[0].text
    text = (tmp_path / "PAUSED").read_text(encoding="utf-8")
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "2026-03-09 21:09:10" in text and f"distance {results[0].distance} > 8" in text
    assert f"baseline {base.phash}" in text and "Delete this file to resume" in text
    assert f'baseline_phash = "{results[-1].phash}"' in text
    assert canary.status().startswith("PAUSED")
    assert results[-1].audit()["paused"] is True
    assert results[-1].audit()["canary_distance"] == results[-1].distance
    assert canary.resume_hint() == f"delete {tmp_path / 'PAUSED'} (or restart ATM)"
    later = [canary.check(Frame(moved, T0 + 400 + k), 61 + k) for k in range(5)]
    assert not any(r.checked or r.events for r in later)  # paused: back to every 60th


def test_a_change_that_goes_away_never_pauses(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    """A dialog over the canary for half a minute, then gone."""
    canary = _canary(tmp_path)
    canary.check(Frame(frames[0], T0), 0)
    results = [canary.check(Frame(moved, T0 + 5 * k), k) for k in range(1, 7)]
    results += [canary.check(Frame(frames[1], T0 + 60 + 5 * k), 7 + k) for k in range(20)]
    assert not any(r.paused for r in results) and not (tmp_path / "PAUSED").exists()


def test_pause_persists_until_the_file_is_deleted_then_rearms(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    canary = _canary(tmp_path, every_cycles=10)
    pause_file = tmp_path / "PAUSED"
    canary.check(Frame(frames[0], T0), 0)
    assert "layout_changed" in _kinds(_settle(canary, moved, T0 + 10, 10)[-1])
    # the layout comes back: still paused, the trader decides by deleting the file
    for cycle in range(30, 50):
        result = canary.check(Frame(frames[1], T0 + 100 + cycle), cycle)
        assert result.paused and result.events == ()
        assert result.checked == (cycle % 10 == 0)
        assert result.distance == (0 if cycle % 10 == 0 else None)
    pause_file.unlink()
    resumed = canary.check(Frame(frames[2], T0 + 151), 51)  # not a due cycle: checks anyway
    assert _kinds(resumed) == ["resumed"] and resumed.events[0].alert
    assert not resumed.paused and resumed.checked and resumed.distance == 0
    assert not canary.paused
    # a later change is a new episode: it alerts again once it holds still
    assert "layout_changed" in _kinds(_settle(canary, moved, T0 + 200, 60)[-1])
    assert pause_file.exists()


def test_deleting_while_still_changed_pauses_again_at_once(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    canary = _canary(tmp_path, every_cycles=60)
    canary.check(Frame(frames[0], T0), 0)
    _settle(canary, moved, T0 + 60, 60)
    (tmp_path / "PAUSED").unlink()
    again = canary.check(Frame(moved, T0 + 200), 100)
    assert _kinds(again) == ["resumed", "layout_changed"] and again.paused
    assert (tmp_path / "PAUSED").exists()


def test_a_ticking_clock_never_pauses_and_the_canary_says_it_gave_up(
    tmp_path: Path, frames: list[Image]
) -> None:
    """The old bug: a canary over a toolbar clock paused the session a minute in."""
    canary = _canary(tmp_path, every_cycles=1)
    ticking = [with_clock(frames[0], LAYOUT, DARK, clock_text(NOON + k), "alone") for k in (0, 45)]
    first = canary.check(Frame(ticking[0], T0), 0)
    assert _kinds(first) == ["baseline_set"]
    results = []
    for k in range(1, 200):  # a check every 5 s for a quarter of an hour
        image = with_clock(frames[0], LAYOUT, DARK, clock_text(NOON + 3600 + 5 * k), "alone")
        results.append(canary.check(Frame(image, T0 + 5 * k), k))
    assert not any(r.paused for r in results) and not (tmp_path / "PAUSED").exists()
    gave_up = [e for r in results for e in r.events if e.kind == "unsteady"]
    assert len(gave_up) == 1 and gave_up[0].alert and "changes on its own" in gave_up[0].text
    assert "signal" not in gave_up[0].text
    assert canary.status().startswith("off")
    assert not results[-1].checked  # off: no more hashing


def test_a_minute_clock_never_pauses(tmp_path: Path, frames: list[Image]) -> None:
    """HH:MM changes once a minute: it never holds still for `settle_s` (65 s)."""
    canary = _canary(tmp_path, every_cycles=1)
    canary.check(Frame(with_clock(frames[0], LAYOUT, DARK, "09:30", "alone"), T0), 0)
    for k in range(1, 400):
        shown = clock_text(NOON + 5 * k, with_seconds=False)
        image = with_clock(frames[0], LAYOUT, DARK, shown, "alone")
        assert not canary.check(Frame(image, T0 + 5 * k), k).paused


def test_a_window_dragged_into_place_still_pauses(
    tmp_path: Path, frames: list[Image], moved: Image
) -> None:
    """Two looks on the way (still moving), then still: a layout change, not a clock."""
    canary = _canary(tmp_path)
    canary.check(Frame(frames[0], T0), 0)
    on_the_way = np.roll(moved, 17, axis=1)
    canary.check(Frame(on_the_way, T0 + 5), 1)
    results = _settle(canary, moved, T0 + 10, 2)
    assert results[-1].paused and not canary.status().startswith("off")


def test_beyond_half_the_limit_at_startup_is_a_startup_warning(
    tmp_path: Path, frames: list[Image]
) -> None:
    calibrated = with_clock(frames[0], LAYOUT, DARK, "09:30:00", "alone")
    baseline = to_hex(phash(calibrated[0:30, 1765:1915]))
    now = with_clock(frames[0], LAYOUT, DARK, "16:47:38", "alone")
    d = distance(phash(now[0:30, 1765:1915]), from_hex(baseline))
    assert d > 4  # the premise: beyond half of max_distance 8
    canary = _canary(tmp_path, baseline_phash=baseline, every_cycles=60)
    first = canary.check(Frame(now, T0), 0)
    assert "startup_warning" in _kinds(first) and not first.paused
    assert canary.status().startswith("⚠️ its region already differs from the calibration")
    assert f"by {d} (pause limit 8)" in canary.status()
    assert not any(e.alert for e in first.events)  # it rides in the startup message


def test_within_half_the_limit_at_startup_says_nothing(tmp_path: Path, frames: list[Image]) -> None:
    baseline = to_hex(phash(frames[0][0:30, 1765:1915]))
    canary = _canary(tmp_path, baseline_phash=baseline)
    assert canary.check(Frame(frames[1], T0), 0).events == ()
    assert canary.status() == f"baseline {baseline}"


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
    result = _settle(canary, moved, T0 + 1, 1)[-1]
    assert result.paused and "restart ATM to resume" in result.events[0].text
    assert canary.check(Frame(frames[0], T0 + 200), 200).paused
    assert canary.resume_hint() == "restart ATM"
