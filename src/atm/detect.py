"""The live slot's dot → colour class and confidence, or why there is none; debounce.

Classification is nearest calibrated colour by RGB distance, within that colour's
tolerance; `confidence = 1 - d_nearest / d_second`. Nothing within tolerance → UNKNOWN,
which is no event for the state machine. Where the dot is read from is `atm.slot`'s
business: the live slot, never merely the rightmost dot (issue 11).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from atm.colors import DOT_COLORS, UNKNOWN, Color, Rgb
from atm.config import Config, Roi
from atm.slot import Cause, ReadStatus, SlotReader
from atm.types import Image, Reading
from atm.vision.color_distance import distances
from atm.vision.dots import Blob, rightmost_blob

WINDOW = 20  # accepted dots kept, with their timestamps
_MEMO = 4096  # colour readings remembered


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
    """One frame's reading of the strip: the live slot's dot (the current bar), if it
    could be read (`status` live), else why not (`cause`). `neighbours`: the colours of the
    slots left of it, nearest first (None: no dot read there); `seen_through`: a thin line
    crossed the slot's window and was painted out."""

    ts: float
    dot: Dot | None
    accepted: Color | None  # the debounced colour the state machine consumes, if any
    status: ReadStatus = "live"
    cause: Cause | None = None
    neighbours: tuple[Reading | None, ...] = ()
    seen_through: bool = False
    wide_margin: bool = False  # a chart scrolled back would show dots in the margin


class Classifier:
    """Nearest calibrated colour with per-colour tolerance (see `atm.vision.color_distance`)."""

    def __init__(self, config: Config) -> None:
        dots = config.colors.dots()
        self._names: tuple[Color, ...] = DOT_COLORS
        self._refs = np.array([dots[name].rgb for name in DOT_COLORS], dtype=np.float64)
        self._tolerances = [dots[name].tolerance for name in DOT_COLORS]
        # a strip's dots come in few exact colours: each is worked out once
        self._memo: dict[tuple[Rgb, Rgb], tuple[Reading, float, float]] = {}

    def classify(self, rgb: Rgb, background: Rgb) -> tuple[Reading, float, float]:
        """(colour or UNKNOWN, confidence 0..1, distance to the nearest)."""
        key = (rgb, background)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._classify(rgb, background)
            if len(self._memo) > _MEMO:
                del self._memo[next(iter(self._memo))]
        return found

    def _classify(self, rgb: Rgb, background: Rgb) -> tuple[Reading, float, float]:
        d = distances(np.asarray(rgb, np.float64), self._refs, np.asarray(background, np.float64))
        first, second = (int(i) for i in np.argsort(d)[:2])
        d1, d2 = float(d[first]), float(d[second])
        confidence = 1.0 - d1 / d2 if d2 > 0 else 0.0
        name = self._names[first] if d1 <= self._tolerances[first] else UNKNOWN
        return name, confidence, d1


def read_rightmost(strip: Image, config: Config, classifier: Classifier) -> Dot | None:
    """The rightmost dot of `strip` (the `dot_roi` crop), for one-off looks at a single frame
    (`atm debug`, the labeler); the monitor reads the live slot (`Detector`)."""
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
    """Stateful reader: the strip's live slot (`atm.slot`), the rolling window of accepted
    dots and the debounce."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._classifier = Classifier(config)
        self._slot = SlotReader(config.colors.background.tolerance)
        self._depth = config.loop.debounce_depth
        self._raw: deque[Reading] = deque(maxlen=self._depth)
        self.window: deque[tuple[float, Color]] = deque(maxlen=WINDOW)
        self._last: tuple[Image, Detection] | None = None  # the strip last read, its reading
        self.repeated = False  # the strip last read was the same pixels as the one before

    def detect(self, strip: Image, ts: float) -> Detection:
        """Read the `dot_roi` crop `strip` and debounce; coordinates come back in region pixels."""
        return self.accept(self.read(strip, ts))

    def read(self, strip: Image, ts: float) -> Detection:
        """Read the live slot of the `dot_roi` crop `strip`, without debouncing. A strip
        identical to the last one read (most reads: a bar lasts minutes, the strip is read
        several times a second) is not read again: the reading depends on the pixels
        alone (the comparison takes ~16 µs, a read ~1.3 ms)."""
        last = self._last
        self.repeated = (
            last is not None and last[0].shape == strip.shape and np.array_equal(last[0], strip)
        )
        if last is not None and self.repeated:
            return replace(last[1], ts=ts)
        detection = self._read(strip, ts)
        self._last = (strip.copy(), detection)
        return detection

    def _read(self, strip: Image, ts: float) -> Detection:
        found = self._slot.read(strip, ts)
        dot = (
            None if found.blob is None else _dot(found.blob, self._config.dot_roi, self._classifier)
        )
        neighbours = tuple(
            self._classifier.classify(c.rgb, found.background)[0] if c.present else None
            for c in found.neighbours
        )
        return Detection(
            ts, dot, None, found.status, found.cause, neighbours, found.seen_through,
            found.wide_margin,
        )  # fmt: skip

    def accept(self, detection: Detection) -> Detection:
        """Debounce a live read (an empty strip counts as UNKNOWN); an obstructed or
        not-live read is no reading at all: it neither counts nor breaks a streak."""
        if detection.status in ("obstructed", "not_live"):
            return detection
        self._raw.append(detection.dot.color if detection.dot else UNKNOWN)
        accepted = self._debounced()
        if accepted is not None:
            self.window.append((detection.ts, accepted))
        return replace(detection, accepted=accepted)

    def history(self, strip: Image) -> tuple[Reading | None, ...]:
        """Every slot of the strip, oldest first, the live one last (None: no dot read
        there): the strip's memory, for late start and catch-up. Empty before the live
        slot was found."""
        found = self._slot.slots(strip)
        if found is None:
            return ()
        cores, background = found
        name = self._classifier.classify
        return tuple(name(c.rgb, background)[0] if c.present else None for c in cores)

    @property
    def grid_known(self) -> bool:
        """Has the live slot been found (a clean view of the strip seen)?"""
        return self._slot.grid is not None

    def _debounced(self) -> Color | None:
        """A colour counts once it is the rightmost for `debounce_depth` reads in a row."""
        if len(self._raw) < self._depth or len(set(self._raw)) != 1:
            return None
        color = self._raw[-1]
        return None if color == UNKNOWN else color
