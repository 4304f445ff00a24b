"""A clock drawn into a simulator frame's title bar, where real windows show one.

Issue 11: auto-calibration from a window-only screenshot put the layout canary over a
toolbar clock, and the monitor paused itself a minute in. These frames reproduce it: the
clock sits in the area the canary used to be proposed in (above the right end of the
chart), beside or instead of the window buttons.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from atm.geometry import Rect
from atm.sim.layout import Layout
from atm.sim.theme import Theme
from atm.types import Image

#: beside: left of the window buttons; alone: a window-only screenshot, no buttons, the
#: clock at the right end of its toolbar.
Placement = Literal["beside", "alone"]


def clock_text(seconds: float, with_seconds: bool = True) -> str:
    """`HH:MM:SS` (or `HH:MM`) of a time of day given in seconds."""
    s = int(seconds) % 86400
    text = f"{s // 3600:02d}:{s // 60 % 60:02d}"
    return f"{text}:{s % 60:02d}" if with_seconds else text


def clock_box(layout: Layout, placement: Placement) -> Rect:
    """Where the clock's text goes: inside the region the canary was proposed in."""
    s = layout.scale
    x = layout.width - round((150 if placement == "beside" else 80) * s)
    return Rect(x, round(8 * s), round(70 * s), round(16 * s))


def with_clock(
    image: Image, layout: Layout, theme: Theme, text: str, placement: Placement = "beside"
) -> Image:
    """A copy of the frame `image` ((H, W, 3) uint8 RGB) with `text` drawn as a clock."""
    out = np.array(image)
    bar = layout.title
    if placement == "alone":  # a window-only screenshot: the toolbar has no window buttons
        right = layout.width - round(160 * layout.scale)
        out[bar.y : bar.bottom, right:] = theme.title_bar
    box = clock_box(layout, placement)
    out[box.y : box.bottom, box.x : box.right] = theme.title_bar
    pil = PILImage.fromarray(out)
    font = ImageFont.load_default(round(13 * layout.scale))
    ImageDraw.Draw(pil).text((box.x, box.y), text, fill=theme.title_text, font=font)
    return np.asarray(pil)
