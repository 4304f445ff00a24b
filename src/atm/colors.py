"""The colour vocabulary of the M2D MAPS strip, as data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal, SupportsFloat, get_args

Color = Literal["turquoise", "yellow", "dark_green", "dark_red", "light_green", "light_red", "gray"]
DOT_COLORS: Final[tuple[Color, ...]] = get_args(Color)

#: A colour on screen: (R, G, B), each 0..255.
Rgb = tuple[int, int, int]


def to_rgb(values: Iterable[SupportsFloat]) -> Rgb:
    """Three channel values (floats, numpy scalars) as the nearest `Rgb`, halves to even."""
    r, g, b = (round(float(v)) for v in values)
    return (r, g, b)


#: Every calibrated class, the strip background included.
CALIBRATED: Final[tuple[str, ...]] = (*DOT_COLORS, "background")

#: What the detector reports when no calibrated colour is within tolerance.
UNKNOWN: Final = "UNKNOWN"

#: The BUY side of the state machine mirrored into the SELL side (SPEC §3).
MIRROR: Final[dict[Color, Color]] = {
    "turquoise": "yellow",
    "yellow": "turquoise",
    "dark_green": "dark_red",
    "dark_red": "dark_green",
    "light_green": "light_red",
    "light_red": "light_green",
    "gray": "gray",
}

#: Reference RGB values (SPEC §4 defaults); used as defaults and to name clusters.
REFERENCE_RGB: Final[dict[str, tuple[int, int, int]]] = {
    "turquoise": (64, 224, 208),
    "yellow": (255, 215, 0),
    "dark_green": (0, 100, 0),
    "dark_red": (139, 0, 0),
    "light_green": (144, 238, 144),
    "light_red": (255, 160, 160),
    "gray": (128, 128, 128),
    "background": (0, 0, 0),
}
