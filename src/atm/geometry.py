"""Pixel rectangles, shared by capture (desktop regions) and the simulator (layout)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


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

    @classmethod
    def union(cls, rects: Sequence[Rect]) -> Rect:
        """The smallest rectangle holding every one of `rects` (at least one)."""
        x, y = min(r.x for r in rects), min(r.y for r in rects)
        right, bottom = max(r.right for r in rects), max(r.bottom for r in rects)
        return cls(x=x, y=y, w=right - x, h=bottom - y)

    def offset(self, dx: int, dy: int) -> Rect:
        return Rect(x=self.x + dx, y=self.y + dy, w=self.w, h=self.h)

    def as_dict(self) -> dict[str, int]:
        """The TOML shape of a ROI (`{x, y, w, h}`)."""
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h}
