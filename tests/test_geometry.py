"""`Rect.cover`: the rectangles a watch tick grabs for several charts' strips."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from atm.geometry import Rect

STRIP = Rect(60, 930, 1700, 40)  # a 1080p chart's dot strip


def test_one_strip_is_grabbed_as_itself() -> None:
    assert Rect.cover([STRIP]) == [STRIP]


def test_strips_side_by_side_share_one_grab() -> None:
    right = STRIP.offset(1920, 0)
    assert Rect.cover([STRIP, right]) == [Rect(60, 930, 3620, 40)]


def test_strips_a_chart_apart_vertically_are_grabbed_apart() -> None:
    below = STRIP.offset(0, 1080)
    assert Rect.cover([STRIP, below]) == [STRIP, below]


def test_four_quarters_of_a_4k_screen_make_one_grab_per_row() -> None:
    strips = [STRIP.offset(dx, dy) for dy in (0, 1080) for dx in (0, 1920)]
    assert Rect.cover(strips) == [Rect(60, 930, 3620, 40), Rect(60, 2010, 3620, 40)]


def test_a_strip_inside_another_and_a_repeated_one_add_nothing() -> None:
    inner = Rect(100, 940, 200, 10)
    assert Rect.cover([STRIP, inner, STRIP]) == [STRIP]


def test_slightly_offset_strips_still_share_a_grab() -> None:
    # Charts not quite aligned (another toolbar height): a union 1.5x their areas at most.
    assert Rect.cover([STRIP, STRIP.offset(1920, 12)]) == [Rect(60, 930, 3620, 52)]
    assert len(Rect.cover([STRIP, STRIP.offset(1920, 25)])) == 2


rects = st.builds(
    Rect,
    st.integers(0, 3000),
    st.integers(0, 2000),
    st.integers(1, 2000),
    st.integers(1, 200),
)


@given(st.lists(rects, min_size=1, max_size=6))
def test_every_rect_lies_in_one_grab_and_there_are_never_more_grabs(given_: list[Rect]) -> None:
    grabs = Rect.cover(given_)
    assert 1 <= len(grabs) <= len(set(given_))
    assert all(any(g.contains(r) for g in grabs) for r in given_)
    assert all(g == Rect.union([r for r in given_ if g.contains(r)]) for g in grabs)


def test_rects_overlap_when_they_share_a_pixel_not_an_edge() -> None:
    a = Rect(10, 10, 20, 10)
    assert a.overlaps(Rect(29, 19, 5, 5)) and Rect(29, 19, 5, 5).overlaps(a)
    assert not a.overlaps(Rect(30, 10, 5, 5))  # touching on the right
    assert not a.overlaps(Rect(10, 20, 5, 5))  # touching below
    assert a.overlaps(Rect(0, 0, 100, 100))  # one holds the other
