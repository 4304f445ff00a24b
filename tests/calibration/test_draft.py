"""The wizard's steps and rules without a window: navigate, skip, mark, type prices, finish.

A simulator frame stands in for the screenshot; no display is needed."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import numpy.typing as npt
import pytest

from atm.calibration import AxisMark, Proposal, default_chart
from atm.calibration.auto import accept, propose
from atm.calibration.draft import STEPS, Draft
from atm.colors import CALIBRATED, REFERENCE_RGB
from atm.errors import Refused
from atm.geometry import Rect
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import Session, generate
from atm.sim.theme import THEMES

Frame = npt.NDArray[np.uint8]
LAYOUT = Layout.for_scale(1.0)
STRIP = Rect(60, 930, 1700, 40)
KEYS = [s.key for s in STEPS]


@pytest.fixture(scope="module")
def session() -> Session:
    return generate(12, 8)  # every colour on screen in the last frame


@pytest.fixture(scope="module")
def frame(session: Session) -> Frame:
    axis = PriceAxis.fit(*session.price_range(), LAYOUT)
    return render(Scene(LAYOUT, THEMES["dark"], axis, session.candles, session.colors))


@pytest.fixture(scope="module")
def proposal(frame: Frame) -> Proposal:
    return propose(frame)


def at(draft: Draft, key: str) -> Draft:
    draft.index = KEYS.index(key)
    return draft


def test_the_steps_are_the_seeds_in_order() -> None:
    assert [s.key for s in STEPS] == [
        "region",
        "strip",
        *CALIBRATED,
        "chart",
        "axis",
        "canary",
        "save",
    ]
    assert [s.kind for s in STEPS[2:10]] == ["color"] * 8
    assert STEPS[KEYS.index("axis")].kind == "axis" and STEPS[-1].kind == "save"


def test_the_draft_loads_no_tk() -> None:
    code = "import sys, atm.calibration.draft; print('tkinter' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_next_takes_the_whole_screen_as_region_and_stops_at_an_unmarked_strip(
    frame: Frame,
) -> None:
    draft = Draft.of(frame, None)
    assert draft.next() is False and draft.step.key == "strip"
    assert draft.rects == {"region": Rect(0, 0, 1920, 1080)}
    with pytest.raises(Refused, match="Mark the dot strip first"):
        draft.next()
    with pytest.raises(Refused, match="cannot be skipped"):
        draft.skip()
    assert draft.step.key == "strip"
    draft.mark_rect(STRIP)
    draft.next()
    assert draft.step.key == "turquoise" and draft.rects["strip"] == STRIP


def test_back_goes_one_step_back_and_not_before_the_first(frame: Frame) -> None:
    draft = at(Draft.of(frame, None), "chart")
    draft.back()
    assert draft.step.key == "background"
    draft = Draft.of(frame, None)
    draft.back()
    assert draft.index == 0


def test_skip_drops_what_the_step_had_and_moves_on(frame: Frame, proposal: Proposal) -> None:
    draft = Draft.of(frame, proposal)
    at(draft, "turquoise").skip()
    assert "turquoise" not in draft.colors and "turquoise" not in draft.source
    assert draft.step.key == "yellow"
    at(draft, "chart").skip()
    assert "chart" not in draft.rects and draft.step.key == "axis"
    draft.skip()
    assert draft.points == [] and draft.step.key == "canary"
    at(draft, "region").skip()
    assert "region" in draft.rects  # it only frames the view
    at(draft, "save").skip()
    assert draft.step.key == "save"  # the last step is not left by skipping


def test_a_colour_click_snaps_to_the_dot_and_moves_on(frame: Frame, session: Session) -> None:
    newest = session.colors[-1]
    draft = at(Draft.of(frame, None), newest)
    x, y = LAYOUT.bar_x(0), LAYOUT.dot_y
    draft.mark_color(x + 3, y - 2)  # a few pixels off the dot
    assert draft.index == KEYS.index(newest) + 1 and draft.source[newest] == "clicked"
    assert (
        max(abs(a - b) for a, b in zip(draft.colors[newest], REFERENCE_RGB[newest], strict=True))
        <= 6
    )
    mx, my = draft.marks[newest]
    assert abs(mx - x) <= 1 and abs(my - y) <= 1
    at(draft, "background").mark_color(x - 6, y - 8)  # between two dots: the patch
    assert draft.colors["background"] == THEMES["dark"].strip_bg
    assert draft.marks["background"] == (x - 6, y - 8) and draft.step.key == "chart"


def test_prices_are_typed_for_two_clicked_rows(frame: Frame) -> None:
    draft = at(Draft.of(frame, None), "axis")
    draft.mark_price_row(100)
    draft.mark_price_row(120)  # no price yet: the click moves the pending point
    assert draft.points == [(120, None)] and draft.pending_price() == 0
    with pytest.raises(Refused, match="Not a price: 'abc'"):
        draft.enter("abc")
    draft.enter(" 486,25 ")  # a decimal comma; one price: the step stays
    assert draft.points == [(120, 486.25)] and draft.step.key == "axis"
    draft.mark_price_row(700)
    assert draft.pending_price() == 1 and not draft.has_prices()
    draft.enter("480.5")  # the second price: on to the next step
    assert draft.has_prices() and draft.step.key == "canary"
    draft.back()
    draft.mark_price_row(300)  # both were done: a click starts over
    assert draft.points == [(300, None)]


def test_next_commits_a_typed_price_and_leaves_the_step(frame: Frame) -> None:
    draft = at(Draft.of(frame, None), "axis")
    draft.mark_price_row(100)
    assert draft.next("612.5") is False
    assert draft.points == [(100, 612.5)] and draft.step.key == "canary"
    draft = at(Draft.of(frame, None), "axis")
    draft.mark_price_row(100)
    with pytest.raises(Refused, match="Not a price"):
        draft.next("six")
    assert draft.step.key == "axis" and draft.points == [(100, None)]


def test_finish_needs_the_strip_and_takes_the_typed_title(frame: Frame) -> None:
    draft = Draft.of(frame, None, title="TradeStation")
    with pytest.raises(Refused, match="Mark the dot strip before saving"):
        draft.finish()
    draft.mark_rect(Rect(0, 0, 1920, 1080))  # the region step's rectangle
    at(draft, "strip").mark_rect(STRIP)
    at(draft, "axis").mark_price_row(100)
    draft.enter("612.5")
    draft.mark_price_row(700)
    draft.enter("597.5")
    at(draft, "save")
    assert draft.next() is True  # Next on the last step saves: the caller does it
    calibration = draft.finish("  Chart Analysis - SPY  ")
    assert calibration.window_title == "Chart Analysis - SPY"
    assert calibration.dot_roi == STRIP and calibration.colors == {}
    assert calibration.chart_roi == default_chart(STRIP, 1920, 1080)
    assert calibration.y_axis_points == (AxisMark(100, 612.5), AxisMark(700, 597.5))
    draft.back("   ")  # a blank title keeps the one before
    assert draft.title == "Chart Analysis - SPY" and draft.step.key == "canary"


def test_a_proposal_is_preselected_and_accepting_every_step_gives_auto_yes(
    frame: Frame, proposal: Proposal
) -> None:
    draft = Draft.of(frame, proposal, title="TradeStation")
    assert draft.rects["strip"] == proposal.dot_roi and draft.source["gray"] == "auto"
    region = draft.rects["region"]
    assert all(
        region.x <= r.x
        and r.right <= region.right
        and region.y <= r.y
        and r.bottom <= region.bottom
        for r in draft.rects.values()
    )
    labels = proposal.axis_labels
    assert draft.points == [(labels[0], None), (labels[-1], None)]
    steps = 0
    while not draft.next():
        steps += 1
    assert steps == len(STEPS) - 1
    assert draft.finish() == accept(proposal, frame, "TradeStation")
