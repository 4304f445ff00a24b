"""Rightmost dot → colour class and confidence; rolling window and debounce (seed plan).

Classification is nearest calibrated colour by RGB distance, within that colour's
tolerance; `confidence = 1 - d_nearest / d_second`. Nothing within tolerance → UNKNOWN,
which is no event for the state machine.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from atm.colors import DOT_COLORS, UNKNOWN, Color, Rgb
from atm.config import Config, Roi
from atm.types import Image, Reading
from atm.vision.color_distance import distances
from atm.vision.dots import Blob, find_blobs, rightmost_blob

WINDOW = 20  # accepted dots kept, with their timestamps


@dataclass(frozen=True, slots=True)
class Dot:
    """A classified dot; `x, y` in capture-region pixels. `color` may be UNKNOWN."""

    x: float
    y: float
    radius: float
    rgb: Rgb
    color: Reading
    confidence: float
    distance: float


@dataclass(frozen=True, slots=True)
class Detection:
    """One frame's reading of the strip: the rightmost dot (the current bar), if any."""

    ts: float
    dot: Dot | None
    accepted: Color | None  # the debounced colour the state machine consumes, if any


class Classifier:
    """Nearest calibrated colour with per-colour tolerance (see `atm.vision.color_distance`)."""

    def __init__(self, config: Config) -> None:
        dots = config.colors.dots()
        self._names: tuple[Color, ...] = DOT_COLORS
        self._refs = np.array([dots[name].rgb for name in DOT_COLORS], dtype=np.float64)
        self._tolerances = [dots[name].tolerance for name in DOT_COLORS]

    def classify(self, rgb: Rgb, background: Rgb) -> tuple[Reading, float, float]:
        """(colour or UNKNOWN, confidence 0..1, distance to the nearest)."""
        d = distances(np.asarray(rgb, np.float64), self._refs, np.asarray(background, np.float64))
        first, second = (int(i) for i in np.argsort(d)[:2])
        d1, d2 = float(d[first]), float(d[second])
        confidence = 1.0 - d1 / d2 if d2 > 0 else 0.0
        name = self._names[first] if d1 <= self._tolerances[first] else UNKNOWN
        return name, confidence, d1


def read_strip(strip: Image, config: Config, classifier: Classifier) -> tuple[Dot, ...]:
    """Every dot of `strip` (the `dot_roi` crop, (h, w, 3) uint8 RGB), left to right."""
    blobs = find_blobs(strip, config.colors.background.tolerance)
    return tuple(_dot(b, config.dot_roi, classifier) for b in blobs)


def read_rightmost(strip: Image, config: Config, classifier: Classifier) -> Dot | None:
    """The rightmost dot of `strip` (the `dot_roi` crop): the per-cycle read, kept cheap."""
    blob = rightmost_blob(strip, config.colors.background.tolerance)
    return None if blob is None else _dot(blob, config.dot_roi, classifier)


def _dot(blob: Blob, roi: Roi, classifier: Classifier) -> Dot:
    color, confidence, distance = classifier.classify(blob.rgb, blob.background)
    return Dot(
        x=roi.x + blob.cx,
        y=roi.y + blob.cy,
        radius=max(blob.w, blob.h) / 2,
        rgb=blob.rgb,
        color=color,
        confidence=confidence,
        distance=distance,
    )


class Detector:
    """Stateful reader: the rolling window of accepted dots and the debounce."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._classifier = Classifier(config)
        self._depth = config.loop.debounce_depth
        self._raw: deque[Reading] = deque(maxlen=self._depth)
        self.window: deque[tuple[float, Color]] = deque(maxlen=WINDOW)
        self._last: tuple[Image, Dot | None] | None = None  # the strip last read, its dot

    def detect(self, strip: Image, ts: float) -> Detection:
        """Read the `dot_roi` crop `strip`; dot coordinates come back in region pixels."""
        dot = self._read(strip)
        self._raw.append(dot.color if dot else UNKNOWN)
        accepted = self._debounced()
        if accepted is not None:
            self.window.append((ts, accepted))
        return Detection(ts=ts, dot=dot, accepted=accepted)

    def _read(self, strip: Image) -> Dot | None:
        """The rightmost dot; a strip identical to the last one read (most reads: a bar
        lasts minutes, the strip is read several times a second) gets the same dot without
        reading it again, since the read depends on the pixels alone. 16 µs against 1.7 ms
        (benchmarks/bench_detect.py)."""
        last = self._last
        if last is not None and last[0].shape == strip.shape and np.array_equal(last[0], strip):
            return last[1]
        dot = read_rightmost(strip, self._config, self._classifier)
        self._last = (strip.copy(), dot)
        return dot

    def history(self, strip: Image) -> tuple[Dot, ...]:
        """Every visible dot, left to right: the strip's memory, for late start and catch-up."""
        return read_strip(strip, self._config, self._classifier)

    def _debounced(self) -> Color | None:
        """A colour counts once it is the rightmost for `debounce_depth` reads in a row."""
        if len(self._raw) < self._depth or len(set(self._raw)) != 1:
            return None
        color = self._raw[-1]
        return None if color == UNKNOWN else color
