"""The OCR engine behind `atm.vision.axis.TextReader`: RapidOCR's text recogniser.

`rapidocr` (a default dependency since issue 11: levels are wrong after a rescale without
it) ships its PP-OCR models inside the wheel and runs them on `onnxruntime`, so it works
offline and on Windows with a plain `pip install .`; it depends on
`opencv-python-headless`, the same OpenCV wheel as the rest of ATM. Only the recogniser
runs: `atm.vision.axis` finds the text boxes itself (a flat axis column needs no neural
detector, and skipping it is ten times faster). One thread: measured faster than two on
these small batches, and it leaves the other core to the loop.

Axis labels scroll without changing, so each crop's text is cached by its pixels: a
rescale that moves the labels costs one read per new label, an unchanged axis none.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from atm.types import Image

#: Printed as is: print it with markup off (rich would take `[…]` for a style tag).
INSTALL_HINT = 'OCR is not installed: pip install "rapidocr>=3.10,<4" "onnxruntime>=1.18"'


def available() -> bool:
    """True when the OCR packages are installed (a plain `pip install .` has them)."""
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))


def default_reader() -> RapidReader | None:
    """A reader, or None when OCR is missing or will not load (onnxruntime without its
    native libraries): levels then use `y_axis.points` only while the axis has not
    rescaled since calibration, and say "levels unavailable" after."""
    if not available():
        return None
    try:
        return RapidReader()
    except ImportError:
        return None


class RapidReader:
    """`TextReader` over RapidOCR's recogniser, with an LRU cache keyed by crop pixels."""

    def __init__(self, cache_size: int = 1024, threads: int = 1) -> None:
        from rapidocr import RapidOCR  # heavy: imported only when a reader is wanted

        self._engine: Any = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.use_det": False,
                "Global.use_cls": False,
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                # The recogniser pads every crop to this width ratio at least; a price
                # label is ~3:1, and the default 320×48 pads it to three times the work.
                "Rec.rec_img_shape": [3, 48, 48],
                "Rec.rec_batch_num": 16,
            }
        )
        self._cache: OrderedDict[bytes, str] = OrderedDict()
        self._cache_size = cache_size

    def read(self, crops: Sequence[Image]) -> list[str]:
        """The text of each crop ((h, w, 3) uint8 RGB)."""
        keys = [_key(c) for c in crops]
        known: dict[bytes, str] = {}
        for key in keys:
            if key in self._cache:
                self._cache.move_to_end(key)
                known[key] = self._cache[key]
        todo = {k: c for k, c in zip(keys, crops, strict=True) if k not in known}
        if todo:
            for key, text in zip(todo, self._recognise(list(todo.values())), strict=True):
                known[key] = text
                self._remember(key, text)
        return [known[key] for key in keys]

    def _recognise(self, crops: list[Image]) -> list[str]:
        from rapidocr.main import RapidOCRError

        # the PP-OCR models were trained on OpenCV's BGR images
        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
        try:
            result = self._engine.recognize_txt(bgr)
        except RapidOCRError:
            return [""] * len(crops)  # nothing legible: the axis fit treats it as no label
        return [str(t) for t in result.txts]

    def _remember(self, key: bytes, text: str) -> None:
        self._cache[key] = text
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _key(crop: Image) -> bytes:
    digest = hashlib.blake2b(np.ascontiguousarray(crop).tobytes(), digest_size=16)
    digest.update(repr(crop.shape).encode())
    return digest.digest()
