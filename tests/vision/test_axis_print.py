"""The axis fingerprint: the same axis under other SL/TP tags is unchanged; a rescale, even
by exactly one label step (labels on the same rows, one digit changed), is a change."""

from __future__ import annotations

import numpy as np
import pytest

from atm.sim.layout import Layout, PriceAxis
from atm.sim.levels_corpus import levels_frames
from atm.sim.render import Candle, Levels, Scene, render
from atm.sim.theme import THEMES
from atm.types import Image
from atm.vision.axis_print import decode, fingerprint, unchanged


def _axis(image: Image, layout: Layout) -> Image:
    a = layout.axis
    return image[a.y : a.bottom, a.x : a.right]


def _chart(layout: Layout, axis: PriceAxis, levels: Levels | None = None) -> Image:
    mid = (axis.lo + axis.hi) / 2
    candles = [Candle(mid, mid + 0.2, mid - 0.2, mid + 0.1)] * 30
    return render(Scene(layout, THEMES["dark"], axis, candles, levels=levels))


@pytest.mark.parametrize("scale", [1.0, 1.25, 2.0])
def test_other_tags_on_the_same_axis_are_no_change(scale: float) -> None:
    layout = Layout.for_scale(scale)
    axis = PriceAxis.fit(480, 490, layout)
    calibrated = fingerprint(_axis(_chart(layout, axis), layout))
    for sl, tp1, tp2 in ((482.0, 486.0, 488.0), (488.5, 484.2, None), (481.1, None, 489.9)):
        tagged = _chart(layout, axis, Levels(sl, tp1, tp2))
        assert unchanged(_axis(tagged, layout), calibrated) is True


@pytest.mark.parametrize("steps", [1, 2, 5])
def test_a_shift_by_whole_label_steps_is_a_change(steps: int) -> None:
    layout = Layout.for_scale(1.0)
    axis = PriceAxis.fit(480, 490, layout)
    step = axis.step or 1.0
    calibrated = fingerprint(_axis(_chart(layout, axis), layout))
    moved = PriceAxis(axis.lo + steps * step, axis.hi + steps * step, step)
    assert unchanged(_axis(_chart(layout, moved), layout), calibrated) is False


def test_every_rescaled_frame_is_a_change() -> None:
    frames = list(levels_frames(6, seed=4, theme="light"))
    calibrated = fingerprint(_axis(frames[0].image, frames[0].layout))
    assert unchanged(_axis(frames[0].image, frames[0].layout), calibrated) is True
    assert [unchanged(_axis(f.image, f.layout), calibrated) for f in frames[1:]] == [False] * 5


def test_a_mostly_hidden_axis_cannot_be_judged() -> None:
    layout = Layout.for_scale(1.0)
    image = _chart(layout, PriceAxis.fit(480, 490, layout))
    crop = _axis(image, layout)
    calibrated = fingerprint(crop)
    hidden = np.array(crop)
    for y in np.flatnonzero(decode(calibrated) > 0):  # a price tag over every label
        hidden[max(y - 3, 0) : y + 4] = (200, 30, 30)
    assert unchanged(hidden, calibrated) is None
    assert unchanged(crop[:-10], calibrated) is False  # another size: not this axis


def test_a_fingerprint_is_short_text_and_garbage_is_refused() -> None:
    layout = Layout.for_scale(1.0)
    text = fingerprint(_axis(_chart(layout, PriceAxis.fit(480, 490, layout)), layout))
    assert text.isascii() and len(text) < 1000 and decode(text).shape == (layout.axis.h,)
    with pytest.raises(ValueError, match="not an axis fingerprint"):
        decode("bm90IHpsaWI=")
