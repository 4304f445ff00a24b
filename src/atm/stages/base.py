"""What flows through the runner: a `Tick` per grab, the `Stage` shape, and the events.

A stage observes one tick and yields events; the runner hands each event to the sink as
soon as it is yielded, so a stage can send an alert before it does slow work (the levels
baseline scan after a trigger). Stages run in a fixed order and may read what earlier
stages of the same tick found (`Tick.paused`, `Tick.seen`), never call one another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from atm.canary import Canary
from atm.config import AlertKind, Config
from atm.detect import Detection
from atm.errors import CaptureError, WindowNotFound
from atm.frame import Frame
from atm.health import Health
from atm.monitor import Observation
from atm.notify.base import new_id
from atm.types import Direction


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert to send. `frame` (whole, not a strip) is the screenshot's source when the
    kind carries one, with `detection`'s dot circled. `cycle`: it reports this cycle's
    reading (the audit line's `notified`). `keep_as`: also save the screenshot under
    logs/fires with this file name, whether or not the kind is sent; `keep_raw`: the frame
    itself too, unannotated (a False signal press turns it into a labelled sample).
    `chart`: with several charts on one screen, the chart it is about; its screenshot is
    that chart alone, its strip boxed (not the shared config's)."""

    kind: AlertKind
    text: str
    ts: float
    frame: Frame | None = None
    detection: Detection | None = None
    cycle: bool = False
    keep_as: str | None = None
    keep_raw: str | None = None
    id: str = field(default_factory=new_id)
    chart: Config | None = None


@dataclass(frozen=True, slots=True)
class Audit:
    """One audit line (SPEC §8)."""

    ts: float
    record: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Sample:
    """A whole frame for samples/, named after its time and the dot's colour."""

    frame: Frame
    color: str
    chart: str = ""  # with several charts, the one whose colour changed


Event = Alert | Audit | Sample


@dataclass(frozen=True, slots=True)
class FireRecord:
    """A trigger the machine produced, and what became of it."""

    ts: float
    direction: Direction
    outcome: str  # "sent", "locked", "duplicate" or "suppressed_phase_b"


@dataclass(slots=True)
class RunStats:
    """What the run has counted so far: the heartbeat, the stop ping and the CLI read it."""

    cycles: int = 0
    heartbeats: int = 0
    paused_heartbeats: int = 0  # heartbeats sent while detection was paused
    fires: list[FireRecord] = field(default_factory=list)
    confidence_sum: float = 0.0
    confidence_n: int = 0

    @property
    def sent(self) -> list[FireRecord]:
        return [f for f in self.fires if f.outcome == "sent"]

    @property
    def confidence(self) -> float | None:
        return self.confidence_sum / self.confidence_n if self.confidence_n else None


@dataclass(slots=True)
class Tick:
    """One pass of the loop. `frame` is None when the grab failed (`error` says why).

    `full`: a full cycle (whole frame, canary, health, heartbeat, audit line); otherwise
    only the strip was grabbed and `frame.partial` is set. `grab` takes a whole frame now
    (it may raise `CaptureError`). Stages fill `paused`, `seen`, `eventful` and `record`
    (the cycle's audit line, written after the last stage when the cycle is full or
    eventful).
    """

    ts: float
    full: bool
    cycle: int
    frame: Frame | None
    grab: Callable[[], Frame | None]
    error: CaptureError | None = None
    paused: bool = False
    seen: Observation | None = None
    eventful: bool = False
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> bool:
        """The run's first full cycle."""
        return self.full and self.cycle == 1

    def promote(self) -> Frame | None:
        """Make `frame` a whole frame (screenshots and samples need the whole chart); if
        that grab fails, `error` says why and `frame` stays the strip."""
        if self.frame is not None and self.frame.partial:
            try:
                self.frame = self.grab() or self.frame
            except CaptureError as exc:
                self.error = exc
        return self.frame


def failure_record(error: CaptureError | None) -> dict[str, Any]:
    """The audit fields of a grab that failed."""
    return {
        "window_found": not isinstance(error, WindowNotFound),
        "roi_ok": False,
        "reason": "capture_failed",
        "error": str(error),
    }


class Stage(Protocol):
    """One concern of the loop: it observes each tick and yields events."""

    def observe(self, tick: Tick) -> Iterable[Event]: ...

    def close(self, ts: float) -> Iterable[Event]:
        """The run is ending at `ts`: last events (the stop ping)."""
        ...


@dataclass(frozen=True, slots=True)
class ChartStages:
    """One chart's stages, and what the run's stages read of it. `first` runs before the
    run's startup ping (the canary's first check is in that ping), `rest` after it."""

    config: Config
    canary: Canary | None
    health: Health
    first: tuple[Stage, ...]
    rest: tuple[Stage, ...]

    @property
    def paused(self) -> bool:
        return self.canary is not None and self.canary.paused
