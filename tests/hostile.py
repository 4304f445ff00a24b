"""Hostile files for the bad-input tests: decompression bombs, grey frames, FIFOs, deep nests."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def png_bomb(path: Path, width: int = 100_000, height: int = 100_000) -> Path:
    """A valid PNG header claiming `width` x `height` pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = (
        chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
    )
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def jpeg_bomb(path: Path, side: int = 65_000) -> Path:
    """A JPEG whose frame header claims `side` x `side` pixels."""
    Image.new("RGB", (16, 16), (200, 30, 30)).save(path, quality=90)
    data = bytearray(path.read_bytes())
    at = 2
    while data[at + 1] not in range(0xC0, 0xC3):
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    data[at + 5 : at + 9] = struct.pack(">HH", side, side)
    path.write_bytes(bytes(data))
    return path


def grey(path: Path, like: Path) -> Path:
    Image.open(like).convert("L").save(path)
    return path


def resized(path: Path, like: Path, scale: float = 0.5) -> Path:
    image = Image.open(like)
    image.resize((int(image.width * scale), int(image.height * scale))).save(path)
    return path


def noise_png(path: Path, width: int, height: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(path)
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def nested_toml(depth: int) -> str:
    return "a = " + "[" * depth + "]" * depth + "\n"


def nested_json(depth: int) -> str:
    return '{"frames": ' + "[" * depth + "]" * depth + "}"
