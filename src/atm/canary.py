"""The layout canary (SPEC §1): hash a stable region; when it changes, pause detection.

A pause is a file (`Workspace.pause_file`) holding one line that says why and how to
resume, so a trader can see it and end it without any tool: deleting the file resumes,
and so does restarting, because a new `Canary` removes a pause file an earlier run left.

The canary touches the disk only while paused (one `exists()` per check to see whether the
file is gone), when it pauses, and once at start. Results are values; the runner turns
them into alerts and audit lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from atm import config
from atm.clock import local
from atm.frame import Frame
from atm.geometry import Rect
from atm.types import Image
from atm.vision.phash import distance, from_hex, phash, to_hex

#: Standard deviation (grey levels over all channels) below which the region is one flat
#: colour. Such a region carries no layout: its pHash is rounding noise, so it is neither
#: taken as a baseline nor compared. A locked screen or minimised RDP session blacks out
#: the whole frame, and `atm.health` reports that.
BLANK_STD: Final = 2.0

CanaryEventKind = Literal["baseline_set", "layout_changed", "resumed", "stale_pause_removed"]


@dataclass(frozen=True, slots=True)
class CanaryEvent:
    """Something the runner should log; `alert` = also send `text` as a `health` alert."""

    kind: CanaryEventKind
    text: str
    alert: bool


@dataclass(frozen=True, slots=True)
class CanaryResult:
    """One cycle's verdict.

    `paused`: detection must skip this frame. `checked`: the region was hashed this
    cycle; then `phash` is its hex and `distance` its Hamming distance to the baseline
    (None while the region is blank or outside the frame). `blank`: the region was one
    flat colour, so nothing was decided.
    """

    paused: bool
    checked: bool = False
    distance: int | None = None
    phash: str | None = None
    blank: bool = False
    events: tuple[CanaryEvent, ...] = field(default=())

    def audit(self) -> dict[str, Any]:
        """The fields this result adds to the cycle's audit line (SPEC §8)."""
        out: dict[str, Any] = {"paused": self.paused}
        if self.checked:
            out["canary_distance"] = self.distance
            out["canary_phash"] = self.phash
            if self.blank:
                out["canary_blank"] = True
        return out


class Canary:
    """Checks the region every `every_cycles` cycles; pauses once per layout change.

    `settings` is the validated `[canary]` table; `pause_file` is `Workspace.pause_file`;
    `zone` is the IANA zone for the time written in the pause file ("" = local).
    """

    def __init__(
        self, settings: config.CanarySettings, pause_file: Path, *, zone: str = ""
    ) -> None:
        self._roi = Rect.of(settings.roi)
        self._max = settings.max_distance
        self._every = settings.every_cycles
        self._baseline = from_hex(settings.baseline_phash) if settings.baseline_phash else None
        self._pause_file = pause_file
        self._zone = zone
        self._paused = False
        self._polling = False  # the pause file exists and its removal means "resume"
        self._pending: list[CanaryEvent] = []
        self._remove_stale()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def baseline(self) -> str:
        """The baseline as 16 hex digits; "" until the first usable frame sets it."""
        return "" if self._baseline is None else to_hex(self._baseline)

    def status(self) -> str:
        """A few words for the startup and heartbeat messages."""
        if self._paused:
            return "PAUSED (layout changed)"
        return f"baseline {self.baseline}" if self._baseline is not None else "baseline not set"

    def check(self, frame: Frame, cycle: int) -> CanaryResult:
        """Run the canary for the runner's `cycle` (0, 1, 2, …) on `frame`.

        Hashes on cycle 0 and every `every_cycles` cycles after, on every cycle while no
        baseline is set, and on the cycle that notices the pause file was deleted (so a
        layout that is still wrong pauses again at once, as a new episode).
        """
        events, self._pending = self._pending, []
        resumed = self._resume_if_file_gone()
        if resumed is not None:
            events.append(resumed)
        due = resumed is not None or self._baseline is None or cycle % self._every == 0
        if not due:
            return CanaryResult(paused=self._paused, events=tuple(events))
        return self._measure(frame, events)

    # -- internals ------------------------------------------------------------------------

    def _measure(self, frame: Frame, events: list[CanaryEvent]) -> CanaryResult:
        crop = _crop(frame.image, self._roi)
        if crop is None:
            h, w = frame.image.shape[:2]
            why = f"the canary region {self._roi} lies outside the {w}x{h} frame"
            if self._baseline is not None:
                self._pause(frame.ts, why, events)
            return CanaryResult(self._paused, checked=True, events=tuple(events))
        if float(crop.std()) < BLANK_STD:
            return CanaryResult(self._paused, checked=True, blank=True, events=tuple(events))
        h = phash(crop)
        if self._baseline is None:
            self._baseline = h
            events.append(
                CanaryEvent(
                    "baseline_set",
                    f"Canary baseline set from the first frame: {to_hex(h)} "
                    f'(put baseline_phash = "{to_hex(h)}" under [canary] to keep it)',
                    alert=False,
                )
            )
        d = distance(h, self._baseline)
        if d > self._max:
            why = (
                f"canary distance {d} > {self._max} "
                f"(baseline {to_hex(self._baseline)}, now {to_hex(h)})"
            )
            self._pause(frame.ts, why, events, now_hex=to_hex(h))
        return CanaryResult(
            self._paused, checked=True, distance=d, phash=to_hex(h), events=tuple(events)
        )

    def _pause(self, ts: float, why: str, events: list[CanaryEvent], now_hex: str = "") -> None:
        """Pause and alert, unless this episode is already paused (it alerted then)."""
        if self._paused:
            return
        self._paused = True
        when = f"{local(ts, self._zone):%Y-%m-%d %H:%M:%S}"
        keep = (
            f'; if the new layout is intended, set [canary] baseline_phash = "{now_hex}" '
            "or run atm calibrate"
            if now_hex
            else ""
        )
        line = (
            f"ATM paused detection at {when}: the chart layout changed, {why}. "
            f"Delete this file to resume{keep}.\n"
        )
        try:
            self._pause_file.write_text(line, encoding="utf-8")
            self._polling = True
            how = f"delete {self._pause_file} to resume"
        except OSError as exc:
            # Without the file there is nothing to delete: stay paused until restart.
            self._polling = False
            how = f"could not write {self._pause_file} ({exc.strerror}); restart ATM to resume"
        events.append(
            CanaryEvent(
                "layout_changed",
                f"⚠️ Layout changed — auto-paused ({why}). To resume: {how}.",
                alert=True,
            )
        )

    def _resume_if_file_gone(self) -> CanaryEvent | None:
        if not (self._paused and self._polling) or self._pause_file.exists():
            return None
        self._paused = self._polling = False
        return CanaryEvent(
            "resumed", "▶️ Pause file deleted: detection resumed, canary re-armed", alert=True
        )

    def _remove_stale(self) -> None:
        if not self._pause_file.exists():
            return
        try:
            self._pause_file.unlink()
            text = f"Removed {self._pause_file} left by an earlier run: detection resumes"
        except OSError as exc:
            text = f"Could not remove {self._pause_file} ({exc.strerror}); detection runs anyway"
        self._pending.append(CanaryEvent("stale_pause_removed", text, alert=False))


def _crop(image: Image, roi: Rect) -> Image | None:
    """The region of an (H, W, 3) uint8 RGB frame, or None if it does not fit inside."""
    h, w = image.shape[:2]
    if roi.right > w or roi.bottom > h:
        return None
    return image[roi.y : roi.bottom, roi.x : roi.right]
