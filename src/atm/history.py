"""The bars seen so far, as evidence against what a frame shows (issue 11).

The strip is the chart's memory: the dots left of the live slot are bars the monitor saw
at the live slot earlier. `Tape` keeps their colours, one per bar, oldest first, and
places each new view of the strip (one reading per slot, the live one last) against them.
Time narrows the question: if the tape's newest bar was first seen live `Δ` seconds ago,
exactly `q = floor(Δ / bar)` or `q + 1` new bars have opened since, so the view must fit
the tape shifted by one of those two. Then:

- `same` / `new`: it fits (new bars, if any, are appended; after a gap, those between the
  last one stepped and the live one are the bars the monitor *missed*);
- `scrolled`: it fits only an older shift — the live slot shows a bar already seen, the
  chart is scrolled back, and its dot is never the current bar;
- `unverified`: the two share no slot that both could read (a short tape, a long gap);
- `suspect`: it contradicts what was seen at every shift the time allows.

When both plausible shifts fit (a run of one colour) the smaller is taken and nothing is
appended: the tape stays exact, a bar behind at worst, and the next view that tells the
shifts apart appends the bars in between from what it shows. A view's slot the reader
could not read is `None`, and an `UNKNOWN` colour is a dot of no class: both match
anything. The tape's newest entry is never compared — the live bar may still change
colour before it closes.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from atm.colors import UNKNOWN
from atm.types import Reading

#: A slot of a view: the colour read there, or None when no dot could be read.
Slot = Reading | None
PlaceKind = Literal["same", "new", "scrolled", "unverified", "suspect"]

#: Bars kept: more than any strip shows (1700 px at 6 px per bar is 283).
LIMIT: Final = 600
#: One misread slot is forgiven when at least this many others agree.
_FORGIVE_AFTER: Final = 4
#: Bar openings remembered for the observed period (half of them needed to use it).
_PERIODS: Final = 8


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a view sits against the tape: `shift` new bars since its newest entry
    (negative: scrolled back that far); `fresh` the view's slots after the tape's newest
    bar, oldest first, the live one last (`new`, and `unverified` after whole bars)."""

    kind: PlaceKind
    shift: int = 0
    fresh: tuple[Slot, ...] = ()
    restart: bool = False  # the view reaches back to no bar of the tape: start over from it


class Tape:
    """`bar_s` is the configured bar period; `period` what the bars seen say it is, when
    that is clearly shorter (a chart of 1-minute bars under the default 3-minute setting)."""

    def __init__(self, bar_s: float) -> None:
        self._bar_s = bar_s
        self.bars: list[Slot] = []
        self.first_seen = 0.0  # when the newest entry was first seen at the live slot
        self._periods: deque[float] = deque(maxlen=_PERIODS)

    def __len__(self) -> int:
        return len(self.bars)

    @property
    def period(self) -> float:
        """Seconds per bar: the configured period, or the median of the last bars seen to
        open when there are enough of them and it is shorter."""
        if len(self._periods) < _PERIODS // 2:
            return self._bar_s
        observed = statistics.median(self._periods)
        return observed if observed < 0.8 * self._bar_s else self._bar_s

    def start(self, view: Sequence[Slot], ts: float) -> None:
        """Begin (or begin again) from a whole strip read at `ts`, the live slot last."""
        self.bars = list(view[-LIMIT:])
        self.first_seen = ts

    def shifts(self, ts: float) -> range:
        """The counts of bars that may have opened since the newest entry was seen: two
        for the configured period, a few more for an observed (approximate) one."""
        elapsed, period = max(0.0, ts - self.first_seen), self.period
        if period == self._bar_s:
            q = math.floor(elapsed / period)
            return range(q, q + 2)
        return range(math.floor(elapsed / (1.3 * period)), math.floor(elapsed / (0.7 * period)) + 2)

    def place(self, view: Sequence[Slot], ts: float) -> Placement:
        """Where `view` (oldest first, the live slot last) sits against the tape at `ts`."""
        plausible = self.shifts(ts)
        q = plausible[0]
        scores = {s: _score(self.bars, view, s) for s in plausible}
        fits = [s for s in plausible if _fits(*scores[s])]
        if fits:
            s = fits[0]
            return Placement("same" if s == 0 else "new", s, _fresh(view, s))
        for s in range(-1, -len(self.bars), -1):
            agree, disagree = _score(self.bars, view, s)
            if disagree == 0 and agree >= 2:
                return Placement("scrolled", s)
        if all(sum(score) == 0 for score in scores.values()):
            return Placement("unverified", q, _fresh(view, q), restart=q >= len(view))
        return Placement("suspect")

    def record(self, placement: Placement, live: Slot, ts: float) -> None:
        """Remember a view placed `same`, `new` or `unverified`: the bars it shows opened
        since the newest entry (all of them if it shares none with the tape), and the
        live bar's colour."""
        if placement.restart:
            self.start(placement.fresh, ts)
        elif placement.fresh:
            if placement.kind == "new":  # bars opened since the newest was first seen
                self._periods.append((ts - self.first_seen) / len(placement.fresh))
            self.bars.extend(placement.fresh)
            self.first_seen = ts
            del self.bars[:-LIMIT]
        if self.bars and live is not None:
            self.bars[-1] = live


def _fresh(view: Sequence[Slot], shift: int) -> tuple[Slot, ...]:
    """The view's slots after the tape's newest bar when `shift` bars opened since."""
    return tuple(view[max(0, len(view) - shift) :]) if shift > 0 else ()


def _score(bars: Sequence[Slot], view: Sequence[Slot], shift: int) -> tuple[int, int]:
    """(agreeing, disagreeing) slots of `view` against `bars` shifted by `shift` new bars.

    View slot `k` from the right (0: live) is tape bar `n - 1 + shift - k`; the tape's
    newest bar is skipped (still open when it was recorded).
    """
    n = len(bars)
    agree = disagree = 0
    for k in range(len(view)):
        p = n - 1 + shift - k
        if p > n - 2:
            continue
        if p < 0:
            break
        a, b = view[len(view) - 1 - k], bars[p]
        if a is None or b is None or a == UNKNOWN or b == UNKNOWN:
            continue
        if a == b:
            agree += 1
        else:
            disagree += 1
    return agree, disagree


def _fits(agree: int, disagree: int) -> bool:
    return agree >= 1 and (disagree == 0 or (disagree == 1 and agree >= _FORGIVE_AFTER))
