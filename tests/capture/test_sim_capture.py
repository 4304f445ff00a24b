"""SimCapture: the simulator as a capture backend, in simulated time."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from atm.capture.base import Capture
from atm.capture.sim import SimCapture
from atm.clock import ReplayClock
from atm.frame import Frame
from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout
from atm.sim.scenario import Session, generate
from atm.sim.theme import DARK, LIGHT

START = 1_795_000_000.0


@pytest.fixture(scope="module")
def session() -> Session:
    return generate(6, seed=2)


def _drain(capture: Capture) -> list[Frame]:
    frames = []
    while (frame := capture.grab()) is not None:
        frames.append(frame)
    return frames


def test_frames_step_through_the_session_and_end(session: Session) -> None:
    layout = Layout.for_scale(1.0)
    capture = SimCapture(session, layout, DARK, interval_s=30.0, start_ts=START)
    frames = _drain(capture)
    assert len(frames) == 6 * 180 // 30
    ts = [f.ts for f in frames]
    assert ts[0] == START and all(b - a == 30.0 for a, b in itertools.pairwise(ts))
    assert capture.grab() is None
    for frame in frames:
        bar = capture.bar_at(frame.ts)
        assert bar is not None
        assert frame.image.shape == (1080, 1920, 3) and frame.image.dtype == np.uint8
        rgb = tuple(frame.image[layout.dot_y, layout.bar_x(0)])
        assert rgb == DARK.dot(bar.color)


def test_one_render_per_bar_shared_read_only(session: Session) -> None:
    capture = SimCapture(session, Layout.for_scale(1.0), DARK, interval_s=60.0, start_ts=START)
    frames = _drain(capture)
    per_bar = [frames[k : k + 3] for k in range(0, len(frames), 3)]
    for group in per_bar:
        assert all(f.image is group[0].image for f in group)
        assert not group[0].image.flags.writeable
    assert len({id(g[0].image) for g in per_bar}) == len(per_bar)
    assert per_bar[0][0].image.tobytes() != per_bar[1][0].image.tobytes()


def test_a_replay_clock_drives_it_like_a_screen(session: Session) -> None:
    clock = ReplayClock(START)
    capture = SimCapture(
        session, Layout.for_scale(1.0), LIGHT, interval_s=5.0, start_ts=START, clock=clock
    )
    seen = []
    while (frame := capture.grab()) is not None:
        seen.append(frame.ts)
        clock.sleep(45.0)  # the runner decides the pace, not the capture
    assert seen == [START + 45.0 * k for k in range(24)]


def test_history_and_late_start(session: Session) -> None:
    layout = Layout.for_scale(1.0)
    capture = SimCapture(
        session, layout, DARK, interval_s=180.0, start_ts=START, history=2, start_bar=3
    )
    first = capture.grab()
    assert first is not None and first.ts == START
    assert capture.bar_index(START) == 3
    img = first.image
    assert tuple(img[layout.dot_y, layout.bar_x(0)]) == DARK.dot(session.bars[3].color)
    assert tuple(img[layout.dot_y, layout.bar_x(1)]) == DARK.dot(session.bars[2].color)
    assert tuple(img[layout.dot_y, layout.bar_x(2)]) == DARK.strip_bg  # beyond `history`
    assert len(_drain(capture)) == 2
    capture.close()
    assert capture.grab() is None


def test_its_axis_gives_a_matching_config(session: Session) -> None:
    layout = Layout.for_scale(1.5)
    capture = SimCapture(session, layout, DARK, interval_s=5.0, start_ts=START)
    raw = corpus_config(layout, DARK, capture.axis)
    (p1, p2) = raw["y_axis"]["points"]
    assert capture.axis.y(p1["price"], layout) == pytest.approx(p1["y"])
    assert capture.axis.y(p2["price"], layout) == pytest.approx(p2["y"])
    lo, hi = session.price_range()
    assert capture.axis.lo < lo < hi < capture.axis.hi


def test_bad_arguments_are_refused(session: Session) -> None:
    layout = Layout.for_scale(1.0)
    with pytest.raises(ValueError, match="interval_s"):
        SimCapture(session, layout, DARK, interval_s=0, start_ts=START)
    with pytest.raises(ValueError, match="start_bar"):
        SimCapture(session, layout, DARK, interval_s=5, start_ts=START, start_bar=6)
