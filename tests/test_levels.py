"""Phase B: levels scanned from rescaling charts within one tick, TP1/TP2 order, message
texts, and the Phase B decisions (full, partial then full, timeout, expiry)."""

from __future__ import annotations

import pytest

from atm import config as config_mod
from atm.frame import Frame
from atm.levels import (
    LevelsOutcome,
    LevelsReading,
    PhaseB,
    _order_tps,
    decimals,
    levels_text,
    scan,
)
from atm.sim.levels_corpus import SCALES, LevelsFrame, levels_frames
from atm.vision.axis import TextReader
from tests.fakes.foreign_chart import foreign_frames

TICK = 0.01


def _scan(f: LevelsFrame, ocr: TextReader | None) -> LevelsReading:
    config = config_mod.from_dict(f.config)
    return scan(Frame(f.image, 0.0), config, ocr, direction=f.direction)


def _within_a_tick(got: LevelsReading, want: tuple[float | None, ...]) -> bool:
    return all(
        (g is None and w is None) or (g is not None and w is not None and abs(g - w) <= TICK + 1e-9)
        for g, w in zip(got.prices, want, strict=True)
    )


# --- scan -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_level_within_a_tick_while_the_axis_rescales(
    ocr: TextReader, scale: float, theme: str
) -> None:
    frames = list(levels_frames(4, seed=round(scale * 7) + len(theme), scale=scale, theme=theme))
    assert len({(f.axis.lo, f.axis.hi) for f in frames}) == 4  # every frame a new scale
    for f in frames:
        got = _scan(f, ocr)
        assert got.axis == "ocr" and got.count == 3
        assert _within_a_tick(got, (f.truth.sl, f.truth.tp1, f.truth.tp2)), (got, f.truth)


@pytest.mark.parametrize(("scale", "look"), [(1.0, "navy"), (1.25, "paper"), (2.0, "navy")])
def test_a_renderer_the_scan_was_not_built_on(ocr: TextReader, scale: float, look: str) -> None:
    for f in foreign_frames(3, seed=round(scale * 5), scale=scale, look=look):
        config = config_mod.from_dict(f.config)
        got = scan(Frame(f.image, 0.0), config, ocr, direction=f.direction)
        assert got.axis == "ocr"
        assert _within_a_tick(got, (f.sl, f.tp1, f.tp2)), (got, (f.sl, f.tp1, f.tp2))


def test_two_lines_are_a_partial_reading(ocr: TextReader) -> None:
    for f in levels_frames(4, seed=9, lines=2):
        got = _scan(f, ocr)
        assert got.count == 2
        assert _within_a_tick(got, (f.truth.sl, f.truth.tp1, f.truth.tp2)), (got, f.truth)


def test_no_line_reads_nothing_and_skips_the_axis() -> None:
    class Untouchable:
        def read(self, crops: object) -> list[str]:
            raise AssertionError("the axis is read only when a line needs it")

    for f in levels_frames(3, seed=2, lines=0, theme="light"):
        assert _scan(f, Untouchable()) == LevelsReading()


def test_without_ocr_the_calibration_points_are_used_and_said() -> None:
    """The first frame is the calibration; after the chart rescales the points are stale."""
    frames = list(levels_frames(4, seed=6))
    first = _scan(frames[0], None)
    assert first.axis == "points"
    assert _within_a_tick(first, (frames[0].truth.sl, frames[0].truth.tp1, frames[0].truth.tp2))
    assert levels_text(first).endswith("(axis from calibration points)")
    stale = [_scan(f, None) for f in frames[1:]]
    assert not all(
        _within_a_tick(r, (f.truth.sl, f.truth.tp1, f.truth.tp2))
        for r, f in zip(stale, frames[1:], strict=True)
    )


def test_debug_json_shape() -> None:
    reading = LevelsReading(sl=484.35, tp1=485.2, tp2=None, axis="ocr")
    assert reading.as_dict() == {"sl": 484.35, "tp1": 485.2, "tp2": None, "axis": "ocr"}


@pytest.mark.parametrize(
    ("tps", "sl", "direction", "expected"),
    [
        ([485.88, 485.20], 484.35, None, (485.20, 485.88)),  # BUY: TP1 nearer the stop
        ([483.10, 482.40], 484.35, None, (483.10, 482.40)),  # SELL
        ([485.88, 485.20], None, "BUY", (485.20, 485.88)),
        ([485.88, 485.20], None, "SELL", (485.88, 485.20)),
        ([485.20], 484.35, "BUY", (485.20, None)),
        ([], 484.35, "BUY", (None, None)),
    ],
)
def test_tp1_is_the_target_nearer_the_stop(
    tps: list[float], sl: float | None, direction: str | None, expected: tuple[float | None, ...]
) -> None:
    assert _order_tps(tps, sl, direction) == expected  # type: ignore[arg-type]


# --- texts ----------------------------------------------------------------------------


def test_levels_texts() -> None:
    full = LevelsReading(sl=484.35, tp1=485.2, tp2=485.88, axis="ocr")
    assert levels_text(full) == "✅ Levels: SL=484.35 | TP1=485.20 | TP2=485.88"
    partial = LevelsReading(sl=484.35, tp1=485.2, axis="ocr")
    assert levels_text(partial) == "⚠️ Levels (partial): SL=484.35 | TP1=485.20"
    no_stop = LevelsReading(tp1=485.2, tp2=485.88, axis="points")
    assert levels_text(no_stop) == (
        "⚠️ Levels (partial): TP1=485.20 | TP2=485.88 (axis from calibration points)"
    )
    assert "signal" not in levels_text(full)  # SPEC §6: only triggers say "signal"
    assert levels_text(LevelsReading(sl=44250.0, tp1=44300.0, tp2=44350.0), tick=1.0) == (
        "✅ Levels: SL=44250 | TP1=44300 | TP2=44350"
    )


@pytest.mark.parametrize(("tick", "d"), [(0.01, 2), (0.25, 2), (0.5, 1), (1.0, 0), (0.005, 3)])
def test_decimals_follow_the_tick(tick: float, d: int) -> None:
    assert decimals(tick) == d


# --- Phase B --------------------------------------------------------------------------

FULL = LevelsReading(sl=484.35, tp1=485.2, tp2=485.88, axis="ocr")
TWO = LevelsReading(sl=484.35, tp1=485.2, axis="ocr")
ONE = LevelsReading(sl=484.35, axis="ocr")
NONE = LevelsReading()


def _phase(confirm: int = 2) -> PhaseB:
    return PhaseB(opened=1000.0, direction="BUY", timeout_s=600.0, confirm_scans=confirm)


def _feed(phase: PhaseB, readings: list[LevelsReading], every: float = 5.0) -> list[LevelsOutcome]:
    return [phase.observe(r, 1000.0 + every * (i + 1)) for i, r in enumerate(readings)]


def test_three_stable_lines_send_the_full_levels_once() -> None:
    phase = _phase()
    out = _feed(phase, [NONE, FULL, FULL, FULL])
    assert [o.kind for o in out] == ["wait", "wait", "full", "wait"]
    assert out[2].text == "✅ Levels: SL=484.35 | TP1=485.20 | TP2=485.88"
    assert out[2].done and not phase.open


def test_two_lines_send_a_partial_once_then_the_full_when_the_third_appears() -> None:
    phase = _phase()
    out = _feed(phase, [TWO, TWO, TWO, TWO, FULL, FULL])
    assert [o.kind for o in out] == ["wait", "partial", "wait", "wait", "wait", "full"]
    assert out[1].text == "⚠️ Levels (partial): SL=484.35 | TP1=485.20"
    assert not out[1].done and phase.partial_sent == TWO


def test_a_reading_that_changes_is_not_sent_until_it_holds() -> None:
    moved = LevelsReading(sl=484.30, tp1=485.2, tp2=485.88, axis="ocr")
    out = _feed(_phase(), [FULL, moved, FULL, FULL])
    assert [o.kind for o in out] == ["wait", "wait", "wait", "full"]
    assert [o.kind for o in _feed(_phase(confirm=1), [ONE, FULL])] == ["wait", "full"]


def test_no_lines_before_the_timeout_send_nothing() -> None:
    phase = _phase()
    out = _feed(phase, [NONE, ONE, ONE], every=200.0)  # 200 s, 400 s, 600 s after the FIRE
    assert [o.kind for o in out] == ["wait", "wait", "timeout"]
    assert out[-1].text is None and out[-1].done and not phase.open
    assert phase.observe(FULL, 1700.0).kind == "wait"  # over: a late line is ignored


def test_a_partial_that_never_completes_expires() -> None:
    phase = _phase()
    _feed(phase, [TWO, TWO])
    assert phase.expire(1599.0).kind == "wait" and phase.open
    out = phase.expire(1600.0)
    assert out.kind == "expired" and out.reading == TWO and out.text is None and out.done


def test_lines_already_there_at_the_fire_are_not_this_trades() -> None:
    phase = PhaseB(1000.0, "BUY", 600.0, baseline=FULL)
    newer = LevelsReading(sl=484.1, tp1=484.9, tp2=485.5, axis="ocr")
    out = _feed(phase, [FULL, FULL, FULL, newer, newer])
    assert [o.kind for o in out] == ["wait", "wait", "wait", "wait", "full"]
    assert out[-1].reading == newer
    # a baseline without two lines guards nothing
    assert _feed(PhaseB(1000.0, "BUY", 600.0, baseline=ONE), [FULL, FULL])[-1].kind == "full"


def test_after_fire_takes_the_configured_timeout_and_tick() -> None:
    config = config_mod.from_dict({"levels": {"timeout_min": 2, "tick": 0.25}})
    phase = PhaseB.after_fire(50.0, "SELL", config)
    assert phase.deadline == 170.0 and phase.tick == 0.25 and phase.direction == "SELL"
