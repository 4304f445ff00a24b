"""Draw what the detector saw onto a copy of the frame: the proof attached to an alert."""

from __future__ import annotations

import cv2

from atm.types import Image

Box = tuple[int, int, int, int]  # x, y, w, h

_ROI = (255, 215, 0)  # RGB: yellow rectangle for the strip
_MARK = (255, 40, 40)  # RGB: red circle on the rightmost dot


def annotate(
    image: Image,
    roi: Box,
    dot: tuple[float, float, float] | None,
    label: str,
) -> Image:
    """A copy of `image` ((H, W, 3) uint8 RGB) with the ROI box, the dot circled, a label.

    `dot` is (x, y, radius) in image pixels, or None when no dot was found.
    """
    out = image.copy()
    x, y, w, h = roi
    scale = max(1.0, image.shape[0] / 1080)
    thick = max(1, round(2 * scale))
    cv2.rectangle(out, (x, y), (x + w - 1, y + h - 1), _ROI, thick)
    if dot is not None:
        cx, cy, r = dot
        centre = (round(cx), round(cy))
        cv2.circle(out, centre, round(r + 6 * scale), _MARK, thick, cv2.LINE_AA)
    text_at = (x + 4, max(y - round(8 * scale), round(14 * scale)))
    for color, width in (((0, 0, 0), thick + 2), (_ROI, thick)):
        cv2.putText(
            out, label, text_at, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * scale, color, width, cv2.LINE_AA
        )
    return out
