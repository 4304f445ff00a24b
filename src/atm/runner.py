"""The monitor loop: capture → detect → state machine → alerts → audit, everything injected.

The runner never reads the wall clock itself: each frame carries its time and the clock
only paces the loop, so a replayed session behaves exactly as a live one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from atm import messages
from atm.audit import AuditLog
from atm.capture.base import Capture, Frame
from atm.clock import Clock, local
from atm.config import AlertKind, Config
from atm.detect import Detection
from atm.fsm import Direction, Step
from atm.monitor import Monitor, Observation, Reconciled
from atm.notify.base import Message
from atm.vision.annotate import annotate
from atm.vision.image_io import encode_png
from atm.workspace import Workspace


class Publisher(Protocol):
    """What the runner needs of the notification fanout."""

    def publish(self, message: Message) -> None: ...

    def summary(self) -> str: ...

    def close(self, timeout: float = 10.0) -> None: ...


@dataclass(frozen=True, slots=True)
class Fire:
    """A trigger the machine produced, and what became of it."""

    ts: float
    direction: Direction
    outcome: str  # "sent", "locked" or "suppressed_phase_b"


@dataclass(slots=True)
class RunStats:
    cycles: int = 0
    fires: list[Fire] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)

    @property
    def sent(self) -> list[Fire]:
        return [f for f in self.fires if f.outcome == "sent"]


class Runner:
    def __init__(
        self,
        config: Config,
        capture: Capture,
        clock: Clock,
        publisher: Publisher,
        workspace: Workspace,
        audit: AuditLog,
    ) -> None:
        self.config = config
        self._capture = capture
        self._clock = clock
        self._publisher = publisher
        self._workspace = workspace
        self._zone = config.schedule.timezone
        self.audit = audit
        self.monitor = Monitor(config)
        self.stats = RunStats()
        self._next_heartbeat: float | None = None
        self._last_ts = 0.0

    # -- the loop -------------------------------------------------------------------------

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> RunStats:
        """Cycle until the capture ends or `should_stop()`; always sends the stop ping."""
        started = False
        try:
            while not should_stop():
                due = self._clock.time() + self.config.loop.interval_s
                frame = self._capture.grab()
                if frame is None:
                    break
                if not started:
                    self._startup(frame)
                    started = True
                self.cycle(frame)
                self._clock.sleep(due - self._clock.time())
        finally:
            self._shutdown()
        return self.stats

    def cycle(self, frame: Frame) -> Observation:
        """One frame through detector, machine, alerts and audit."""
        self._last_ts = frame.ts
        seen = self.monitor.observe(frame.image, frame.ts)
        record = self._cycle_record(seen.detection, seen.step)
        if seen.late_start is not None:
            record.update(self._reconciled("late_start", seen.late_start, frame, seen.detection))
        if seen.catchup is not None:
            record.update(self._reconciled("catchup", seen.catchup, frame, seen.detection))
        if seen.step is not None:
            record.update(self._react(seen.step, frame, seen.detection))
        self.stats.cycles += 1
        if seen.detection.dot is not None:
            self.stats.confidences.append(seen.detection.dot.confidence)
        self.log(frame.ts, record)
        self._heartbeat_if_due(frame.ts)
        return seen

    # -- reactions ------------------------------------------------------------------------

    def _react(self, step: Step, frame: Frame, detection: Detection) -> dict[str, Any]:
        if step.fire is not None:
            return self._on_fire(step, step.fire, frame, detection)
        if step.action in ("arm", "rearm_opposite") or step.action == "prime":
            kind: AlertKind = "prime" if step.action == "prime" else "arm"
            text = messages.armed(step.after, self.config.symbol_label, step.ts, self._zone)
            return {"notified": self.alert(kind, text, step.ts, frame, detection)}
        return {}

    def _reconciled(
        self, kind: AlertKind, found: Reconciled, frame: Frame, detection: Detection
    ) -> dict[str, Any]:
        text_of = messages.late_start if kind == "late_start" else messages.catchup
        text = text_of(found.state, found.since, self.config.symbol_label, self._zone)
        return {"notified": self.alert(kind, text, frame.ts, frame, detection), "reason": kind}

    def _on_fire(
        self, step: Step, direction: Direction, frame: Frame, detection: Detection
    ) -> dict[str, Any]:
        outcome = "locked" if step.locked else "sent"
        self.stats.fires.append(Fire(step.ts, direction, outcome))
        if outcome != "sent":
            return {"notified": False, "reason": outcome}
        text = messages.trigger(direction, self.config.symbol_label, step.ts, self._zone)
        image = self._annotated(frame, detection)
        shot = self._save_fire(frame.ts, direction, image)
        sent = self.alert("trigger", text, step.ts, image=image)
        return {"notified": sent, "screenshot": str(shot)}

    def alert(
        self,
        kind: AlertKind,
        text: str,
        ts: float,
        frame: Frame | None = None,
        detection: Detection | None = None,
        image: bytes | None = None,
    ) -> bool:
        """Hand one alert to the fanout, with the screenshot if this kind carries one."""
        if not self.config.alerts.sends(kind):
            return False
        if image is None and frame is not None and self.config.alerts.attaches(kind):
            image = self._annotated(frame, detection)
        elif not self.config.alerts.attaches(kind):
            image = None
        message = Message(kind=kind, text=text, ts=ts, image_png=image)
        self._publisher.publish(message)
        self.log(ts, {"event": "alert_queued", "kind": kind, "id": message.id, "text": text})
        return True

    def _annotated(self, frame: Frame, detection: Detection | None) -> bytes:
        roi = self.config.dot_roi
        dot = detection.dot if detection is not None else None
        mark = (dot.x, dot.y, dot.radius) if dot is not None else None
        label = f"{dot.color} {dot.confidence:.2f}" if dot is not None else "no dot"
        return encode_png(annotate(frame.image, (roi.x, roi.y, roi.w, roi.h), mark, label))

    def _save_fire(self, ts: float, direction: Direction, png: bytes) -> Path:
        folder = self._workspace.fires
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{local(ts, self._zone):%Y%m%d_%H%M%S}_{direction}.png"
        path.write_bytes(png)
        return path

    # -- periodic messages ----------------------------------------------------------------

    def _startup(self, frame: Frame) -> None:
        self._next_heartbeat = frame.ts + self.config.heartbeat.minutes * 60
        name = Path(self.config.source).name or "built-in defaults"
        text = messages.startup(name, "not checked", self.config.symbol_label)
        self.alert("startup", text, frame.ts)

    def _heartbeat_if_due(self, ts: float) -> None:
        if self._next_heartbeat is None or ts < self._next_heartbeat:
            return
        self._next_heartbeat = ts + self.config.heartbeat.minutes * 60
        conf = self.stats.confidences
        avg = sum(conf) / len(conf) if conf else None
        text = messages.heartbeat(
            ts, len(self.stats.sent), avg, True, self._publisher.summary(), self._zone
        )
        self.alert("heartbeat", text, ts)

    def _shutdown(self) -> None:
        if self.stats.cycles:
            text = messages.stop(len(self.stats.sent), self.stats.cycles, self._publisher.summary())
            self.alert("stop", text, self._last_ts)
        self._publisher.close()
        self.log(self._last_ts, {"event": "stopped", "counters": self._publisher.summary()})
        self.audit.close()

    # -- audit ----------------------------------------------------------------------------

    def log(self, ts: float, record: dict[str, Any]) -> None:
        self.audit.write(ts, record)

    def _cycle_record(self, detection: Detection, step: Step | None) -> dict[str, Any]:
        dot = detection.dot
        return {
            "window_found": True,
            "roi_ok": dot is not None,
            "rightmost_dot_color": dot.color if dot else None,
            "confidence": round(dot.confidence, 3) if dot else None,
            "state": self.monitor.machine.state,
            "transition": f"{step.before}→{step.after}" if step and step.changed else None,
            "trigger": step.fire if step else None,
            "locked": bool(step and step.locked),
            "notified": False,
            "reason": step.action if step else ("unknown" if dot else "no_dot"),
        }
