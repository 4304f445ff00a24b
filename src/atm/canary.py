"""The layout canary (SPEC §1): hash a stable region; when it changes, pause detection.

A canary must not lie: a region holding a clock, a price or a P&L changes on its own, and
pausing for it drops every later signal (issue 11). So a change pauses only once it holds
still: a check that finds the region changed since the last one, or beyond `max_distance`,
starts watching it (hashed on every full cycle), and the pause comes when a look beyond
the limit has stayed the same for `settle_s` (65 s by default: a clock showing minutes
ticks within that).
A watched region seen changing `UNSTEADY_CHANGES` times changes on its own: the canary
says so once and turns itself off, and detection goes on. At the first check, a region
already beyond half its limit is said in the startup message, and watched from there.

A pause is a file (`Workspace.pause_file`) holding one line that says why and how to
resume, so a trader can see it and end it without any tool: deleting the file resumes,
and so does restarting, because a new `Canary` removes a pause file an earlier run left.

The canary touches the disk only while paused (one `exists()` per check to see whether the
file is gone), when it pauses, and once at start. Results are values; the runner turns
them into alerts and audit lines.
"""

from __future__ import annotations

import math
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

#: Between two checks, a change of this many bits (of 64) is real: an unchanged region on
#: a lossless capture hashes identically.
MOVED_BITS: Final = 2
#: A watched region seen changing this many times changes on its own: the canary gives up.
#: (One or two changes may be a window still being dragged into place.)
UNSTEADY_CHANGES: Final = 3

CanaryEventKind = Literal[
    "baseline_set",
    "layout_changed",
    "resumed",
    "stale_pause_removed",
    "startup_warning",
    "suspect",
    "unsteady",
]


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
        self._settle_s = settings.settle_s
        self._baseline = from_hex(settings.baseline_phash) if settings.baseline_phash else None
        self._pause_file = pause_file
        self._zone = zone
        self._paused = False
        self._polling = False  # the pause file exists and its removal means "resume"
        self._pending: list[CanaryEvent] = []
        self._measured = False  # the first measurement is the startup check
        self._warning = ""  # said at startup: the region already differs a lot
        self._last: int | None = None  # the region's hash at the last check
        self._since: float | None = None  # watching: the region looks as it does since then
        self._changes = 0  # times the region was seen changing while watched
        self._told = False  # the change beyond the limit was logged
        self._off = False  # the region changes on its own: no more checks
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
        if self._off:
            return "off (its region changes on its own; run atm calibrate to move it)"
        if self._warning:
            return self._warning
        return f"baseline {self.baseline}" if self._baseline is not None else "baseline not set"

    def resume_hint(self) -> str:
        """How a trader ends the current pause."""
        if self._polling:
            return f"delete {self._pause_file} (or restart ATM)"
        return "restart ATM"

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
        watching = self._since is not None and not self._paused
        if self._off or not (due or watching):
            return CanaryResult(paused=self._paused, events=tuple(events))
        return self._measure(frame, events, late=cycle > 0)

    # -- internals ------------------------------------------------------------------------

    def _measure(self, frame: Frame, events: list[CanaryEvent], late: bool) -> CanaryResult:
        """Hash the region and judge it; `late`: past the first cycle (its startup ping)."""
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
        if not self._measured:
            self._measured = True
            self._warn_at_startup(frame.ts, d, events, alert=late)
        if not self._paused:
            self._judge(frame.ts, h, d, events)
        return CanaryResult(
            self._paused, checked=True, distance=d, phash=to_hex(h), events=tuple(events)
        )

    def _warn_at_startup(
        self, ts: float, d: int, events: list[CanaryEvent], *, alert: bool
    ) -> None:
        """A region already beyond half its limit at the first check may hold something
        that changes on its own: said in the startup message (an alert of its own when the
        first check came later, after blank frames), and watched every cycle from then."""
        if d * 2 <= self._max:
            return
        self._since = ts
        self._warning = (
            f"⚠️ its region already differs from the calibration by {d} (pause limit "
            f"{self._max}): it may hold a clock or prices; ATM pauses only if a change holds "
            "still for a minute. Run atm calibrate to move it"
        )
        events.append(CanaryEvent("startup_warning", f"Canary {self._warning}", alert=alert))

    def _judge(self, ts: float, h: int, d: int, events: list[CanaryEvent]) -> None:
        """Watch a region that changed (or is beyond its limit) on every cycle; pause once a
        look beyond the limit has held still for `settle_s`; give up on one that keeps
        changing; stop watching once it is calm again within the limit."""
        moved = self._last is not None and distance(h, self._last) >= MOVED_BITS
        self._last = h
        if moved:
            self._changes += 1
            if self._changes >= UNSTEADY_CHANGES:
                self._give_up(d, events)
                return
            self._since = ts
        elif self._since is None and d > self._max:
            self._since = ts
        if self._since is None:
            return
        if d > self._max and not self._told:
            self._told = True
            settle = f"{self._settle_s:g} s"
            text = f"canary distance {d} > {self._max}: pausing if it holds still {settle}"
            events.append(CanaryEvent("suspect", text, alert=False))
        if ts - self._since < self._settle_s:
            return
        if d <= self._max:
            self._since, self._changes, self._told = None, 0, False
            return
        assert self._baseline is not None
        base = to_hex(self._baseline)
        why = f"canary distance {d} > {self._max} (baseline {base}, now {to_hex(h)})"
        self._pause(ts, why, events, now=h)

    def _give_up(self, d: int, events: list[CanaryEvent]) -> None:
        self._off, self._since = True, None
        events.append(
            CanaryEvent(
                "unsteady",
                f"⚠️ Canary off: its region ({self._roi}) changes on its own (a clock or "
                f"prices?), so it cannot tell a layout change (distance now {d}). ATM keeps "
                "watching the chart; run atm calibrate to move the canary.",
                alert=True,
            )
        )

    def _pause(
        self, ts: float, why: str, events: list[CanaryEvent], now: int | None = None
    ) -> None:
        """Pause and alert, unless this episode is already paused (it alerted then).

        `now` is the region's hash: if the pause file is deleted while the region still
        shows it, that change has held still already and pauses again at once.
        """
        if self._paused:
            return
        self._paused = True
        # deleting the pause file while the region still shows `now` pauses again at once
        self._last, self._since = now, None if now is None else -math.inf
        self._changes, self._told = 0, True
        now_hex = "" if now is None else to_hex(now)
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
