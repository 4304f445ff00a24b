"""The bars seen as evidence (issue 11): where a view of the strip sits against them."""

from __future__ import annotations

from atm.history import Tape
from atm.types import Reading

BAR = 180.0
T0 = 1_000_000.0
SEEN: list[Reading | None] = ["gray", "turquoise", "gray", "dark_green", "dark_red", "gray"]


def tape() -> Tape:
    t = Tape(BAR)
    t.start(SEEN, T0)
    return t


def test_the_same_bar_again() -> None:
    placed = tape().place(SEEN[-4:], T0 + 20)
    assert (placed.kind, placed.shift, placed.fresh) == ("same", 0, ())


def test_the_live_bar_may_change_its_colour() -> None:
    assert tape().place([*SEEN[-4:-1], "light_green"], T0 + 20).kind == "same"


def test_a_new_bar_opens() -> None:
    placed = tape().place([*SEEN[-3:], "light_green"], T0 + BAR + 5)
    assert (placed.kind, placed.shift, placed.fresh) == ("new", 1, ("light_green",))


def test_bars_missed_in_a_gap_are_the_fresh_ones() -> None:
    view: list[Reading | None] = [*SEEN, "turquoise", "dark_green", "light_green"]
    placed = tape().place(view, T0 + 3 * BAR + 10)
    assert (placed.kind, placed.shift) == ("new", 3)
    assert placed.fresh == ("turquoise", "dark_green", "light_green")


def test_time_rules_out_bars_that_cannot_have_opened() -> None:
    """Two new bars 20 s after the last: the strip contradicts what was seen."""
    view: list[Reading | None] = [*SEEN, "turquoise", "dark_green"]
    assert tape().place(view, T0 + 20).kind == "suspect"


def test_an_older_bar_at_the_live_slot_is_a_scroll_back() -> None:
    placed = tape().place(SEEN[:-2], T0 + 30)
    assert (placed.kind, placed.shift) == ("scrolled", -2)


def test_unread_slots_and_unknown_colours_match_anything() -> None:
    view: list[Reading | None] = ["gray", None, "gray", "UNKNOWN", "dark_red", "gray"]
    assert tape().place(view, T0 + 20).kind == "same"


def test_one_misread_slot_is_forgiven_among_many_that_agree() -> None:
    view = [*SEEN[:1], "yellow", *SEEN[2:]]
    assert tape().place(view, T0 + 20).kind == "same"
    assert tape().place(["yellow", *SEEN[-2:]], T0 + 20).kind == "suspect"


def test_a_view_that_shares_no_bar_is_unverified_and_restarts() -> None:
    t = tape()
    view: list[Reading | None] = ["yellow", "dark_red", "light_red"]
    placed = t.place(view, T0 + 10 * BAR)
    assert placed.kind == "unverified" and placed.restart
    t.record(placed, "light_red", T0 + 10 * BAR)
    assert t.bars == view


def test_recording_appends_new_bars_and_keeps_the_live_colour() -> None:
    t = tape()
    placed = t.place([*SEEN[-3:], "light_green"], T0 + BAR + 5)
    t.record(placed, "light_red", T0 + BAR + 5)
    assert t.bars == [*SEEN, "light_red"] and t.first_seen == T0 + BAR + 5
    assert t.place([*SEEN[-3:], "light_red"], T0 + BAR + 25).kind == "same"


def test_bars_faster_than_configured_set_the_period() -> None:
    """A 1-minute chart under the default 3-minute setting: the bars seen say 60 s."""
    t = Tape(BAR)
    colors: list[Reading | None] = ["gray", "turquoise", "gray", "dark_green"]
    t.start(colors, T0)
    for k in range(1, 9):
        colors = [*colors, "gray" if k % 2 else "yellow"]
        placed = t.place(colors, T0 + 60 * k + 2)
        assert placed.kind == "new" and placed.shift == 1
        t.record(placed, colors[-1], T0 + 60 * k + 2)
    assert 55 <= t.period <= 65
