"""Phase B: levels scanned from rescaling charts within one tick, TP1/TP2 order, message
texts, and the Phase B decisions (full, partial then full, timeout, expiry)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

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
    unavailable_text,
)
from atm.sim.levels_corpus import SCALES, LevelsFrame, levels_frames
from atm.sim.render import Levels, Scene, render
from atm.sim.theme import DARK
from atm.vision.axis import TextReader
from atm.vision.axis_print import fingerprint
from atm.vision.ocr import default_reader
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


def _calibrated(f: LevelsFrame, fingerprinted: bool = True) -> config_mod.Config:
    """The frame's config with the fingerprint a calibration on `f` would have written."""
    raw = copy.deepcopy(f.config)
    if fingerprinted:
        roi = raw["y_axis"]["roi"]
        crop = f.image[roi["y"] : roi["y"] + roi["h"], roi["x"] : roi["x"] + roi["w"]]
        raw["y_axis"]["fingerprint"] = fingerprint(crop)
    return config_mod.from_dict(raw)


def test_without_ocr_the_points_serve_only_while_the_axis_is_as_calibrated() -> None:
    """The first frame is the calibration; after the chart rescales the points would be
    stale: no prices then, but the reason."""
    frames = list(levels_frames(5, seed=6))
    config = _calibrated(frames[0])
    first = scan(Frame(frames[0].image, 0.0), config, None, direction=frames[0].direction)
    assert first.axis == "points"
    assert _within_a_tick(first, (frames[0].truth.sl, frames[0].truth.tp1, frames[0].truth.tp2))
    assert levels_text(first).endswith("(axis from calibration points)")
    for f in frames[1:]:
        got = scan(Frame(f.image, 0.0), config, None, direction=f.direction)
        assert got.axis == "unreadable" and got.prices == (None, None, None), got
        assert len(got.unpriced) == 3 and "the axis changed since calibration" in got.why
        text = unavailable_text(got)
        assert text.startswith("⚠️ Levels unavailable — axis unreadable: 3 SL/TP lines")
        assert "OCR is not installed" in text and "signal" not in text


def test_same_axis_other_lines_keep_the_points() -> None:
    """Tags of other SL/TP lines on the axis are not a rescale."""
    frames = list(levels_frames(1, seed=6))
    config = _calibrated(frames[0])
    layout, axis = frames[0].layout, frames[0].axis
    mid = (axis.lo + axis.hi) / 2
    other = Levels(round(mid - 0.2, 2), round(mid + 0.1, 2), round(mid + 0.3, 2))
    image = render(Scene(layout, DARK, axis, levels=other))
    got = scan(Frame(image, 0.0), config, None, direction="BUY")
    assert got.axis == "points" and _within_a_tick(got, (other.sl, other.tp1, other.tp2))


def test_without_a_fingerprint_the_points_are_never_trusted() -> None:
    f = next(iter(levels_frames(1, seed=6)))
    got = scan(Frame(f.image, 0.0), _calibrated(f, fingerprinted=False), None)
    assert got.axis == "unreadable" and "no axis fingerprint" in got.why


def test_an_axis_ocr_cannot_read_falls_back_the_same_way() -> None:
    class Blind:
        def read(self, crops: object) -> list[str]:
            return ["" for _ in crops]  # type: ignore[attr-defined]

    frames = list(levels_frames(2, seed=8))
    config = _calibrated(frames[0])
    assert scan(Frame(frames[0].image, 0.0), config, Blind()).axis == "points"
    later = scan(Frame(frames[1].image, 0.0), config, Blind())
    assert later.axis == "unreadable" and "OCR could not read the price labels" in later.why


def test_ocr_is_in_the_default_install_and_the_ocr_extra_still_exists() -> None:
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    deps = " ".join(project["project"]["dependencies"])
    assert "rapidocr" in deps and "onnxruntime" in deps
    assert project["project"]["optional-dependencies"]["ocr"] == []


def test_the_default_reader_reads_levels_on_rescaled_frames() -> None:
    """What a plain `pip install .` runs: `default_reader()`, within a tick after rescales."""
    reader = default_reader()
    assert reader is not None
    frames = list(levels_frames(3, seed=14))
    config = _calibrated(frames[0])
    for f in frames[1:]:
        got = scan(Frame(f.image, 0.0), config, reader, direction=f.direction)
        assert got.axis == "ocr" and _within_a_tick(got, (f.truth.sl, f.truth.tp1, f.truth.tp2))


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


UNREAD = LevelsReading(axis="unreadable", unpriced=(300, 420, 510), why="OCR is not installed")


def test_lines_on_an_unreadable_axis_say_levels_unavailable_once() -> None:
    phase = _phase()
    out = _feed(phase, [UNREAD, UNREAD, UNREAD, FULL, FULL])
    assert [o.kind for o in out] == ["wait", "unavailable", "wait", "wait", "full"]
    assert out[1].text is not None and out[1].text.startswith(
        "⚠️ Levels unavailable — axis unreadable: 3 SL/TP lines are on the chart"
    )
    assert not out[1].done and phase.unavailable_sent
    assert out[1].reading is not None and out[1].reading.as_dict()["lines"] == 3


def test_unreadable_then_nothing_expires_rather_than_times_out() -> None:
    phase = _phase()
    _feed(phase, [UNREAD, UNREAD])
    assert phase.expire(1600.0).kind == "expired"


def test_unpriced_lines_already_there_at_the_fire_are_not_this_trades() -> None:
    phase = PhaseB(1000.0, "BUY", 600.0, baseline=UNREAD)
    moved = LevelsReading(axis="unreadable", unpriced=(280, 420, 510), why="x")
    out = _feed(phase, [UNREAD, UNREAD, moved, moved])
    assert [o.kind for o in out] == ["wait", "wait", "wait", "unavailable"]
