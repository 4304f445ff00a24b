"""PNG/JPEG in and out as RGB arrays, so no other module has to remember OpenCV is BGR."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image as PILImage

from atm.errors import InputError
from atm.fileio import write_atomic
from atm.types import Image


def read_image(path: Path) -> Image:
    """(H, W, 3) uint8 RGB; `InputError` naming the file when it is missing or corrupt.

    Pillow, not OpenCV: it decodes straight to RGB (no channel swap copy), and a 1080p
    PNG is the dry run's main cost.
    """
    try:
        with PILImage.open(path) as img:
            return np.asarray(img.convert("RGB"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such image file") from None
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's ways of saying "corrupt"
        raise InputError(f"{path}: not a readable PNG/JPEG image ({exc})") from None


#: Alerts must leave fast: zlib level 1 and no per-row filter. On a 1080p chart, PNG's
#: filter search costs three quarters of the encode (39 ms → 12 ms without it, measured in
#: benchmarks/bench_live.py's machine) for the same 49 KB; a contiguous BGR copy first
#: saves another quarter against a strided view.
_PNG_FAST = [cv2.IMWRITE_PNG_COMPRESSION, 1]
if hasattr(cv2, "IMWRITE_PNG_FILTER"):  # OpenCV 4.10+
    _PNG_FAST += [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE]


def encode_png(image: Image) -> bytes:
    """PNG bytes of an (H, W, 3) uint8 RGB image, encoded for speed (see `_PNG_FAST`)."""
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(image[:, :, ::-1]), _PNG_FAST)
    if not ok:
        raise ValueError("PNG encoding failed")
    return buf.tobytes()


def encode_jpeg(image: Image, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", image[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def decode(data: bytes) -> Image:
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError("not an image")
    return np.ascontiguousarray(bgr[:, :, ::-1])


def write_png(path: Path, image: Image) -> None:
    """Encode `image` ((H, W, 3) uint8 RGB) as PNG and write it atomically."""
    write_atomic(path, encode_png(image))
