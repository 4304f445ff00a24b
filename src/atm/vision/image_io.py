"""PNG/JPEG in and out as RGB arrays, so no other module has to remember OpenCV is BGR."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image as PILImage

from atm import inputs
from atm.errors import InputError
from atm.fileio import write_atomic
from atm.types import Image

#: Frames larger than this are refused from their header, before decoding: 8K is 33 MP,
#: and a PNG that claims 100,000 x 100,000 pixels would need 30 GB.
MAX_PIXELS = 50_000_000
#: Colour modes a chart screenshot comes in; grey or black-and-white frames have lost the
#: colours the detector reads (a grey dot would pass for light red).
COLOUR_MODES = frozenset({"RGB", "RGBA", "RGBX", "P", "PA", "CMYK", "YCbCr"})


def read_image(path: Path) -> Image:
    """(H, W, 3) uint8 RGB; `InputError` naming the file when it is missing, corrupt, not a
    regular file, too big (checked in its header, before decoding) or not in colour.

    Pillow, not OpenCV: it decodes straight to RGB (no channel swap copy), and a 1080p
    PNG is the dry run's main cost.
    """
    with inputs.open_regular(path, "image file", inputs.MAX_IMAGE_BYTES) as f:
        _check_size(path, declared_size(f.read(_HEADER_BYTES)))
        f.seek(0)
        try:
            with PILImage.open(f) as img:
                _check_size(path, img.size)
                if img.mode not in COLOUR_MODES:
                    raise InputError(
                        f"{path}: a {img.mode} (not colour) image; the dots' colours are lost"
                    )
                return np.asarray(img.convert("RGB"))
        except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError) as exc:
            # Pillow's ways of saying "corrupt"
            raise InputError(f"{path}: not a readable PNG/JPEG image ({exc})") from None


def _check_size(path: Path, size: tuple[int, int] | None) -> None:
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        raise InputError(
            f"{path}: claims {size[0]}x{size[1]} pixels, more than a screen has "
            f"({MAX_PIXELS:,} at most); not decoded"
        )


#: A JPEG's frame header comes after its EXIF and tables, within the first 256 KB.
_HEADER_BYTES = 256 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
#: JPEG start-of-frame markers (C4, C8 and CC are tables, not frames).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def declared_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) a PNG or JPEG header claims, read without decoding; None if unknown."""
    if head.startswith(_PNG) and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if not head.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(head) and head[at] == 0xFF:
        marker, length = head[at + 1], int.from_bytes(head[at + 2 : at + 4], "big")
        if marker in _SOF:
            return int.from_bytes(head[at + 7 : at + 9], "big"), int.from_bytes(
                head[at + 5 : at + 7], "big"
            )
        at += 2 + length
    return None


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
