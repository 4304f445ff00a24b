"""PNG/JPEG in and out as RGB arrays, so no other module has to remember OpenCV is BGR."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from atm.capture.base import Image
from atm.errors import InputError


def read_image(path: Path) -> Image:
    """(H, W, 3) uint8 RGB; `InputError` naming the file when it is missing or corrupt."""
    data = np.fromfile(str(path), dtype=np.uint8) if path.is_file() else None
    if data is None:
        raise InputError(f"{path}: no such image file")
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if bgr is None:
        raise InputError(f"{path}: not a readable PNG/JPEG image")
    return np.ascontiguousarray(bgr[:, :, ::-1])


def encode_png(image: Image, compression: int = 1) -> bytes:
    """PNG bytes of an RGB image; low compression because alerts must leave fast."""
    ok, buf = cv2.imencode(".png", image[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, compression])
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
    """Write atomically enough for our use: a temp name in the same folder, then replace."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(encode_png(image))
    tmp.replace(path)
