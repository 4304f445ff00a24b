"""Health episodes (SPEC §3 `health`): each problem alerts once when it begins and once when
it ends, never on every cycle.

Kinds, and when an episode starts:
- `no_chart`: the chart window has been missing for `window_grace_s` (60 s).
- `capture_failed`: grabbing failed `confirm_cycles` (2) cycles in a row; one glitch is not
  worth a message on the trader's phone.
- `black_frame`: the frame is almost uniformly black for `confirm_cycles` cycles: a locked
  screen or a minimised RDP session, where Windows stops drawing.
- `frozen_frame`: nothing in the frame changed for longer than a bar period plus
  `frozen_margin_s`. During a session a new bar appears at least once per bar period, so
  a frame that stays identical longer means a hung chart or a dead data feed.
- `lost_sight`: `lost_sight_cycles` (3) cycles in a row below `confidence_min`.
- `hidden`: the live slot could not be read for `lost_sight_cycles` (3) cycles in a row
  because something is in the way: the mouse, a window, the chart scrolled back or moved
  (`atm.slot`). The alert names that cause in words and says how to end it; a frame or
  two hidden (a toast, a passing mouse) never reaches the channels, only the audit.

One cause, one alert: a missing window explains a failed grab, and a failed grab or a
black frame explains a chart that looks frozen or a dot that cannot be read; a live slot
hidden by something in the way explains a dot that cannot be read. So the checks are
taken in that order, and a cycle that fails one does not judge the later ones.
Those checks hold their open episodes, and the lost-sight count and frozen timer restart
when the frame can be judged again.

Per cycle the work is one sparse pixel sample (every 8th row and column); no full-frame pass.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from atm.clock import hms
from atm.types import Image

HealthKind = Literal[
    "lost_sight", "no_chart", "capture_failed", "black_frame", "frozen_frame", "hidden"
]

#: Below this detector confidence a reading counts as not seen. Confidence is
#: 1 - d_nearest / d_second (`atm.detect`): under 0.5 the nearest calibrated colour is less
#: than twice as close as the runner-up, too near a tie to trust.
CONFIDENCE_MIN: Final = 0.5
#: A frame is black when its sample has mean < 10 and standard deviation < 2 grey levels.
BLACK_MEAN: Final = 10.0
BLACK_STD: Final = 2.0
_STEP: Final = 8  # fingerprint sample: every 8th row and column
_BLACK_STEP: Final = 2  # the black test looks at every 2nd sample pixel: every 16th

_RECOVERED: Final[dict[HealthKind, str]] = {
    "lost_sight": "✅ Sight back after {}",
    "no_chart": "✅ Chart window found again after {}",
    "capture_failed": "✅ Capture working again after {}",
    "black_frame": "✅ Screen visible again after {}",
    "frozen_frame": "✅ Chart moving again after {}",
    "hidden": "✅ The M2D strip is clear again after {}",
}
_UNREAD = "New dots are not read until then."
#: What hides the live slot, by `atm.slot.Cause`: the alert, and the message when it ends.
_HIDDEN: Final[dict[str, tuple[str, str]]] = {
    "mouse": (
        f"⚠️ The mouse is over the M2D strip and hides its newest dot — move it away. {_UNREAD}",
        _RECOVERED["hidden"],
    ),
    "window": (
        f"⚠️ A window covers the M2D strip and hides its newest dot — move or close it. {_UNREAD}",
        _RECOVERED["hidden"],
    ),
    "dot": (
        f"⚠️ Something lies over the newest dot of the M2D strip. {_UNREAD}",
        _RECOVERED["hidden"],
    ),
    "scrolled": (
        f"⚠️ The chart is scrolled back — scroll to the live edge. {_UNREAD}",
        "✅ The chart is back at the live edge after {}",
    ),
    "moved": (
        "⚠️ The M2D strip is not where it was: the chart window moved or the chart was "
        f"zoomed — put it back, or recalibrate. {_UNREAD}",
        "✅ The M2D strip is back in place after {}",
    ),
    "history": (
        "⚠️ The M2D strip does not show the bars seen so far: was the chart's symbol or "
        f"bar interval changed? {_UNREAD}",
        "✅ The M2D strip agrees with the bars seen again after {}",
    ),
}


@dataclass(frozen=True, slots=True)
class HealthEvent:
    """An episode began (`started`: send `text` as a health alert) or ended (send the
    "recovered" `text`). `since` is when the condition began, in epoch seconds."""

    kind: HealthKind
    started: bool
    text: str
    since: float


@dataclass(slots=True)
class _Episode:
    since: float | None = None  # when the condition began; None = not present
    count: int = 0  # cycles in a row it has held
    open: bool = False  # its alert was sent; it owes a "recovered" message
    text: str = ""  # the alert it opened with
    ends: str = ""  # its "recovered" message, when it depends on the cause


class Health:
    """Tracks the five kinds of health episode; `observe` once per cycle."""

    def __init__(
        self,
        bar_seconds: float,
        *,
        window_grace_s: float = 60.0,
        lost_sight_cycles: int = 3,
        confidence_min: float = CONFIDENCE_MIN,
        confirm_cycles: int = 2,
        frozen_margin_s: float = 60.0,
        zone: str = "",
    ) -> None:
        if bar_seconds <= 0:
            raise ValueError(f"bar_seconds must be positive, got {bar_seconds}")
        self._grace = window_grace_s
        self._lost_cycles = max(1, lost_sight_cycles)
        self._confidence_min = confidence_min
        self._confirm = max(1, confirm_cycles)
        self._frozen_after = bar_seconds + frozen_margin_s
        self._zone = zone
        self._episodes: dict[HealthKind, _Episode] = {k: _Episode() for k in _RECOVERED}
        self._fingerprint: int | None = None
        self._changed: float | None = None  # when the fingerprint last changed

    @property
    def active(self) -> frozenset[HealthKind]:
        """Kinds whose episode is open (alert sent, not yet recovered)."""
        return frozenset(k for k, e in self._episodes.items() if e.open)

    @property
    def opened(self) -> dict[HealthKind, str]:
        """The open episodes and the alert text each began with."""
        return {k: e.text for k, e in self._episodes.items() if e.open}

    @property
    def ok(self) -> bool:
        """No open episode: what the heartbeat reports as "chart OK"."""
        return not self.active

    def observe(
        self,
        ts: float,
        *,
        capture_ok: bool,
        window_found: bool,
        image: Image | None,
        confidence: float | None,
        error: str = "",
        hidden: str | None = None,
    ) -> list[HealthEvent]:
        """One cycle: what was seen at `ts`, and the episodes that began or ended.

        `image` is the frame, (H, W, 3) uint8 RGB, or None when there is none.
        `confidence` is the live dot's: pass 0.0 when detection ran and found no dot,
        and None when detection did not run (paused) or could not (`hidden`), which
        leaves lost sight as it was. `hidden` is why the live slot could not be read (an
        `atm.slot.Cause`), if that is why. `error` is the capture error's text, shown
        in the `capture_failed` alert.
        """
        events: list[HealthEvent] = []
        if not window_found:
            self._blocked()
            ep = self._bad("no_chart", ts)
            if ts - self._since(ep) >= self._grace:
                self._start("no_chart", f"⚠️ Cannot find chart window for {_span(ts, ep)}", events)
            return events
        self._good("no_chart", ts, events)
        if not capture_ok:
            self._blocked()
            if self._bad("capture_failed", ts).count >= self._confirm:
                why = error or "unknown error"
                self._start("capture_failed", f"⚠️ Capture failed: {why}", events)
            return events
        self._good("capture_failed", ts, events)
        if image is None:
            return events
        sample = image[::_STEP, ::_STEP]
        if _is_black(sample[::_BLACK_STEP, ::_BLACK_STEP]):
            self._blocked()
            if self._bad("black_frame", ts).count >= self._confirm:
                text = "⚠️ Black frame — screen locked or RDP minimised?"
                self._start("black_frame", text, events)
            return events
        self._good("black_frame", ts, events)
        self._watch_frozen(ts, zlib.crc32(np.ascontiguousarray(sample).data), events)
        self._watch_reading(ts, confidence, hidden, events)
        return events

    # -- the two checks that need a readable frame ---------------------------------------

    def _watch_frozen(self, ts: float, fingerprint: int, events: list[HealthEvent]) -> None:
        if fingerprint != self._fingerprint:
            self._fingerprint, self._changed = fingerprint, ts
            self._good("frozen_frame", ts, events)
            return
        if self._changed is None:
            self._changed = ts  # first readable frame after a gap: time from here
        if ts - self._changed > self._frozen_after:
            ep = self._episodes["frozen_frame"]
            if ep.since is None:
                ep.since = self._changed
            text = f"⚠️ Chart frozen: no change for {_span(ts, ep)}"
            self._start("frozen_frame", text, events)

    def _watch_sight(self, ts: float, confidence: float, events: list[HealthEvent]) -> None:
        if confidence >= self._confidence_min:
            self._good("lost_sight", ts, events)
            return
        ep = self._bad("lost_sight", ts)
        if ep.count >= self._lost_cycles:
            text = (
                f"⚠️ Bot lost sight: {ep.count} cycles below confidence "
                f"{self._confidence_min:.2f} since {hms(self._since(ep), self._zone)}"
            )
            self._start("lost_sight", text, events)

    def _watch_reading(
        self, ts: float, confidence: float | None, hidden: str | None, events: list[HealthEvent]
    ) -> None:
        if hidden is not None:
            self._watch_hidden(ts, hidden, events)
        elif confidence is not None:
            self._good("hidden", ts, events)
            self._watch_sight(ts, confidence, events)

    def _watch_hidden(self, ts: float, cause: str, events: list[HealthEvent]) -> None:
        """Something in the way of the live slot: the cause it opens with is named."""
        lost = self._episodes["lost_sight"]
        if not lost.open:
            lost.since, lost.count = None, 0  # the cause is known: this is not lost sight
        ep = self._bad("hidden", ts)
        if ep.count >= self._lost_cycles and not ep.open and cause in _HIDDEN:
            text, ep.ends = _HIDDEN[cause]
            self._start("hidden", text, events)

    # -- episode bookkeeping --------------------------------------------------------------

    def _blocked(self) -> None:
        """This cycle cannot judge the frame: restart the counts that need consecutive looks."""
        lost = self._episodes["lost_sight"]
        if not lost.open:
            lost.since, lost.count = None, 0
        self._changed = None

    def _bad(self, kind: HealthKind, ts: float) -> _Episode:
        ep = self._episodes[kind]
        if ep.since is None:
            ep.since = ts
        ep.count += 1
        return ep

    def _since(self, ep: _Episode) -> float:
        assert ep.since is not None  # set by _bad before any caller asks
        return ep.since

    def _start(self, kind: HealthKind, text: str, events: list[HealthEvent]) -> None:
        ep = self._episodes[kind]
        if not ep.open:
            ep.open, ep.text = True, text
            events.append(HealthEvent(kind, True, text, self._since(ep)))

    def _good(self, kind: HealthKind, ts: float, events: list[HealthEvent]) -> None:
        ep = self._episodes[kind]
        if ep.open:
            text = (ep.ends or _RECOVERED[kind]).format(_span(ts, ep))
            events.append(HealthEvent(kind, False, text, self._since(ep)))
        self._episodes[kind] = _Episode()


def is_black(image: Image) -> bool:
    """The test a `black_frame` episode uses, on a whole (H, W, 3) uint8 RGB frame."""
    step = _STEP * _BLACK_STEP
    return _is_black(image[::step, ::step])


def _is_black(sample: Image) -> bool:
    """Nearly one dark colour: a (h, w, 3) uint8 RGB sample of the frame."""
    values = sample.astype(np.float32)
    return float(values.mean()) < BLACK_MEAN and float(values.std()) < BLACK_STD


def _span(ts: float, ep: _Episode) -> str:
    return duration(ts - (ep.since if ep.since is not None else ts))


def duration(seconds: float) -> str:
    """How long, as a trader reads it: "45 s", "4 min", "2 h 05 min"."""
    s = max(0, round(seconds))
    if s < 120:
        return f"{s} s"
    minutes = round(s / 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
