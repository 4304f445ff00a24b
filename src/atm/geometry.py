"""Pixel rectangles, shared by capture (desktop regions) and the simulator (layout)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

#: How much larger than two rectangles their union may be for one grab to take both. A
#: grab costs a round trip to the screen plus a copy per pixel: strips on one row (union
#: ≈ 1.1× their areas) share a grab; strips a chart's height apart (union ≈ 15×) do not.
COVER_SLACK = 1.5


class RoiLike(Protocol):
    """Anything with `x, y, w, h` in pixels (a config `Roi`, a `Rect`)."""

    @property
    def x(self) -> int: ...

    @property
    def y(self) -> int: ...

    @property
    def w(self) -> int: ...

    @property
    def h(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle in physical pixels; `x, y` is the top-left corner."""

    x: int
    y: int
    w: int
    h: int

    @classmethod
    def of(cls, roi: RoiLike) -> Rect:
        return cls(x=roi.x, y=roi.y, w=roi.w, h=roi.h)

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def __str__(self) -> str:
        return f"{self.x},{self.y} {self.w}x{self.h}"

    def contains(self, other: Rect) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def overlaps(self, other: Rect) -> bool:
        """Do the two share at least one pixel?"""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    @classmethod
    def union(cls, rects: Sequence[Rect]) -> Rect:
        """The smallest rectangle holding every one of `rects` (at least one)."""
        x, y = min(r.x for r in rects), min(r.y for r in rects)
        right, bottom = max(r.right for r in rects), max(r.bottom for r in rects)
        return cls(x=x, y=y, w=right - x, h=bottom - y)

    @property
    def area(self) -> int:
        return self.w * self.h

    @classmethod
    def cover(cls, rects: Sequence[Rect], slack: float = COVER_SLACK) -> list[Rect]:
        """Few rectangles that hold every one of `rects`: two are merged into their union
        while it is at most `slack` times their areas together, the tightest pair first.

        Strips side by side on one row merge; strips far apart vertically do not, since
        their union is mostly the charts between them (a watch tick's grab is that much
        bigger). One rectangle comes back as itself.
        """
        out = list(dict.fromkeys(rects))
        while len(out) > 1:
            pairs = [(i, j) for i in range(len(out)) for j in range(i + 1, len(out))]
            waste = [cls.union([out[i], out[j]]).area / (out[i].area + out[j].area)
                     for i, j in pairs]  # fmt: skip
            best = min(range(len(pairs)), key=waste.__getitem__)
            if waste[best] > slack:
                break
            i, j = pairs[best]
            out[i] = cls.union([out[i], out[j]])
            del out[j]
        return out

    def offset(self, dx: int, dy: int) -> Rect:
        return Rect(x=self.x + dx, y=self.y + dy, w=self.w, h=self.h)

    def as_dict(self) -> dict[str, int]:
        """The TOML shape of a ROI (`{x, y, w, h}`)."""
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h}
