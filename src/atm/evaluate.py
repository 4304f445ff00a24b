"""The dry run: replay a labelled corpus through the live decision core and score it.

Every frame goes through the same `Monitor` the live runner uses, on the replay clock.
A detected FIRE matches an expected one of the same direction up to 30 s after it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atm.capture.replay import ReplayCapture
from atm.clock import ReplayClock
from atm.colors import DOT_COLORS
from atm.config import Config
from atm.corpus import NONE, Label, load_labels
from atm.errors import InputError
from atm.fsm import Machine
from atm.monitor import Monitor
from atm.types import Direction

MATCH_WINDOW_S = 30.0

FireAt = tuple[float, Direction]


@dataclass(slots=True)
class DryRunResult:
    frames: int = 0
    labelled: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (truth, predicted)
    expected: list[FireAt] = field(default_factory=list)
    detected: list[FireAt] = field(default_factory=list)
    tp: int = 0
    min_precision: float = 1.0
    min_recall: float = 0.95

    @property
    def unlabelled(self) -> int:
        return self.frames - self.labelled

    @property
    def color_accuracy(self) -> float | None:
        total = sum(self.confusion.values())
        right = sum(n for (truth, got), n in self.confusion.items() if truth == got)
        return right / total if total else None

    @property
    def fp(self) -> int:
        return len(self.detected) - self.tp

    @property
    def fn(self) -> int:
        return len(self.expected) - self.tp

    @property
    def precision(self) -> float:
        return self.tp / len(self.detected) if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.tp / len(self.expected) if self.expected else 1.0

    @property
    def passed(self) -> bool:
        return self.precision >= self.min_precision and self.recall >= self.min_recall


Progress = Callable[[int, int], None]


def evaluate(
    folder: Path,
    config: Config,
    *,
    min_precision: float = 1.0,
    min_recall: float = 0.95,
    progress: Progress = lambda done, total: None,
) -> DryRunResult:
    """Replay `folder` and score it. Corrupt or badly named frames are skipped and listed."""
    result = DryRunResult(min_precision=min_precision, min_recall=min_recall)
    region = config.capture.region
    capture = ReplayCapture(
        folder,
        ReplayClock(),
        on_skip=lambda path, why: result.skipped.append((path.name, why)),
        size=(region.w, region.h),
    )
    total = len(capture.paths)
    if not total:
        capture.close()
        raise InputError(f"{folder}: no frames (*.png, *.jpg) to replay")
    labels = load_labels(folder, config.name)
    monitor = Monitor(config)
    truth: list[tuple[float, Label]] = []
    try:
        while (frame := capture.grab()) is not None:
            result.frames += 1
            progress(result.frames + len(result.skipped), total)
            seen = monitor.observe(frame.crop(config.dot_roi), frame.ts)
            if seen.step is not None and seen.step.fire and seen.step.sends:
                result.detected.append((frame.ts, seen.step.fire))
            label = labels.get(frame.name)
            if label is not None:
                result.labelled += 1
                truth.append((frame.ts, label))
                dot = seen.detection.dot
                result.confusion[(label.color, dot.color if dot else NONE)] += 1
    finally:
        capture.close()
    if not result.frames:
        first = result.skipped[0][1]
        raise InputError(f"{folder}: none of its {total} frames can be used; the first: {first}")
    progress(total, total)
    result.expected = _expected_fires(truth, config.lockout.minutes * 60)
    result.tp = len(pair_fires(result.expected, result.detected))
    return result


def _expected_fires(truth: list[tuple[float, Label]], lockout_s: float) -> list[FireAt]:
    """Marked fires; with no marks, the fires of the state machine over the true colours,
    less those on frames the trader marked "not a fire" (a FIRE there is a false positive)."""
    marked = [(ts, label.fire) for ts, label in truth if label.fire]
    if marked:
        return marked
    vetoed = {ts for ts, label in truth if label.not_fire}
    machine = Machine(lockout_s)
    fires: list[FireAt] = []
    for ts, label in truth:
        if label.color in DOT_COLORS:
            step = machine.step(label.color, ts)
            if step.fire and not step.locked and ts not in vetoed:
                fires.append((ts, step.fire))
    return fires


def pair_fires(expected: list[FireAt], detected: list[FireAt]) -> dict[int, int]:
    """Expected index → detected index: same direction, detected up to 30 s after expected."""
    pairs: dict[int, int] = {}
    for i, (ts, direction) in enumerate(detected):
        for j, (ets, edir) in enumerate(expected):
            if j not in pairs and edir == direction and 0 <= ts - ets <= MATCH_WINDOW_S:
                pairs[j] = i
                break
    return pairs


def to_json(result: DryRunResult) -> dict[str, Any]:
    """The object `--json` prints; keys as SPEC §5 lists them, plus what was skipped."""
    confusion: dict[str, dict[str, int]] = {}
    for (truth, got), n in sorted(result.confusion.items()):
        confusion.setdefault(truth, {})[got] = n
    return {
        "frames": result.frames,
        "labelled": result.labelled,
        "unlabelled": result.unlabelled,
        "skipped": [{"frame": name, "reason": why} for name, why in result.skipped],
        "color_accuracy": result.color_accuracy,
        "confusion": confusion,
        "fires": {
            "expected": len(result.expected),
            "detected": len(result.detected),
            "tp": result.tp,
            "fp": result.fp,
            "fn": result.fn,
        },
        "precision": result.precision,
        "recall": result.recall,
        "passed": result.passed,
    }
