"""The monitor loop: capture → canary → detect → state machine → alerts → audit.

Everything is injected. Each frame carries its own time; the clock only paces the loop,
so a replayed session behaves exactly as a live one. Live, the loop reads just the dot
strip every `loop.watch_interval_s` (cheap) and does a full cycle — whole frame, canary,
health, audit line — every `loop.interval_s`, or at once when the strip changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from atm import messages
from atm.audit import AuditLog
from atm.canary import Canary, CanaryResult
from atm.capture.base import Capture, Frame, LiveCapture
from atm.clock import Clock, local
from atm.config import AlertKind, Config
from atm.detect import Detection
from atm.errors import CaptureError, WindowNotFound
from atm.fsm import Step
from atm.health import Health
from atm.levels import LevelsOutcome, PhaseB, scan
from atm.monitor import Monitor, Observation, Reconciled
from atm.notify.base import Message
from atm.types import Direction
from atm.vision.annotate import annotate
from atm.vision.axis import TextReader
from atm.vision.image_io import encode_png, write_png
from atm.workspace import Workspace


class Publisher(Protocol):
    """What the runner needs of the notification fanout."""

    def publish(self, message: Message) -> None: ...

    def summary(self) -> str: ...

    def close(self, timeout: float = 10.0) -> None: ...


OnEvent = Callable[[dict[str, Any]], None]


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
    confidence_sum: float = 0.0
    confidence_n: int = 0

    @property
    def sent(self) -> list[Fire]:
        return [f for f in self.fires if f.outcome == "sent"]

    @property
    def confidence(self) -> float | None:
        return self.confidence_sum / self.confidence_n if self.confidence_n else None


class Runner:
    def __init__(
        self,
        config: Config,
        capture: Capture,
        clock: Clock,
        notifier: Callable[[OnEvent], Publisher],
        workspace: Workspace,
        audit: AuditLog,
        *,
        live: LiveCapture | None = None,
        pace: bool = True,
        canary: Canary | None = None,
        save_samples: bool = False,
        ocr: TextReader | None = None,
    ) -> None:
        """`notifier` builds the fanout given the runner's event sink; `live` is the capture
        again when it can grab the strip alone; `pace` sleeps between cycles (not for a
        replay folder, whose frames carry their own times); `ocr` reads the price axis for
        Phase B (None: the calibration points, and the levels alert says so)."""
        self.config = config
        self._capture, self._clock, self._workspace, self.audit = capture, clock, workspace, audit
        self._live, self._pace, self._samples = live, pace, save_samples
        self._zone = config.schedule.timezone
        self.monitor = Monitor(config)
        self.canary = canary
        self.health = Health(config.chart.bar_minutes * 60, zone=self._zone)
        self.stats = RunStats()
        self._publisher = notifier(self._on_notify_event)
        self._captured: dict[str, float] = {}  # alert id → capture-to-queue seconds
        self._next_full = 0.0
        self._next_heartbeat: float | None = None
        self._last_ts = clock.time()
        self._last_color: str | None = None
        self._ocr = ocr
        self._phase_b: PhaseB | None = None

    # -- the loop -------------------------------------------------------------------------

    def run(
        self, should_stop: Callable[[], bool] = lambda: False, stop_at: float | None = None
    ) -> RunStats:
        """Cycle until the capture ends, `stop_at` passes or `should_stop()`; then the stop
        ping, a bounded drain of the notifiers, and the audit closed."""
        try:
            while not should_stop() and (stop_at is None or self._clock.time() < stop_at):
                full = self._live is None or self._clock.time() >= self._next_full
                try:
                    frame = self._grab(full)
                except CaptureError as exc:
                    self._capture_failed(exc)
                    frame = _NO_FRAME
                if frame is None:
                    break
                if frame is not _NO_FRAME:
                    self.tick(frame, full)
                if self._pace:
                    self._sleep()
        finally:
            self._shutdown()
        return self.stats

    def _sleep(self) -> None:
        step = self.config.loop.watch_interval_s if self._live else self.config.loop.interval_s
        self._clock.sleep(step)

    def _grab(self, full: bool) -> Frame | None:
        """The next frame: the strip alone when only watching, else the whole region."""
        if full or self._live is None:
            return self._capture.grab()
        roi = self.config.dot_roi
        image = self._live.grab_rect(roi.x, roi.y, roi.w, roi.h)
        return Frame(image, self._clock.time(), origin=(roi.x, roi.y), partial=True)

    def _whole(self, frame: Frame) -> Frame:
        """`frame`, or a whole frame grabbed now if it is only the strip."""
        if not frame.partial:
            return frame
        try:
            return self._capture.grab() or frame
        except CaptureError as exc:
            self._capture_failed(exc)
            return frame

    def tick(self, frame: Frame, full: bool) -> Observation | None:
        """One frame through canary, monitor, reactions, health and audit."""
        self._last_ts = frame.ts
        if full:
            self._next_full = self._clock.time() + self.config.loop.interval_s
            self.stats.cycles += 1
        check = self._canary(frame) if full else None
        if full and self.stats.cycles == 1:
            self._startup(frame)
        if self.canary is not None and self.canary.paused:
            self.monitor.mark_blind()
            if full:
                self._health(frame, None)
                self.log(frame.ts, {"reason": "paused", **(check.audit() if check else {})})
            return None
        seen = self.monitor.observe(frame.crop(self.config.dot_roi), frame.ts)
        changed = self._color_changed(seen.detection)
        eventful = changed or _eventful(seen)
        if eventful:
            frame = self._whole(frame)  # the screenshot and the sample need the whole chart
        record = self._cycle_record(seen)
        record.update(self._react(seen, frame))
        if changed and self._samples and not frame.partial:
            self._save_sample(frame, seen.detection)
        if full or eventful:
            record.update(check.audit() if check else {})
            self.log(frame.ts, record)
        if full:
            self._levels(frame)
            self._health(frame, seen.detection)
            self._heartbeat_if_due(frame.ts)
        return seen

    # -- reactions ------------------------------------------------------------------------

    def _react(self, seen: Observation, frame: Frame) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if seen.late_start is not None:
            out = self._reconciled("late_start", seen.late_start, frame, seen.detection)
        if seen.catchup is not None:
            out = self._reconciled("catchup", seen.catchup, frame, seen.detection)
        step = seen.step
        if step is not None and step.fire is not None:
            out |= self._on_fire(step, step.fire, frame, seen.detection)
        elif step is not None and step.action in ("arm", "rearm_opposite", "prime"):
            kind: AlertKind = "prime" if step.action == "prime" else "arm"
            text = messages.armed(step.after, self.config.symbol_label, step.ts, self._zone)
            out["notified"] = self.alert(kind, text, frame, seen.detection)
        return out

    def _reconciled(
        self, kind: AlertKind, found: Reconciled, frame: Frame, detection: Detection
    ) -> dict[str, Any]:
        text_of = messages.late_start if kind == "late_start" else messages.catchup
        text = text_of(found.state, found.since, self.config.symbol_label, self._zone)
        return {"notified": self.alert(kind, text, frame, detection), "reason": kind}

    def _on_fire(
        self, step: Step, direction: Direction, frame: Frame, detection: Detection
    ) -> dict[str, Any]:
        outcome = "locked" if step.locked else "sent"
        if not step.locked and self._phase_b_open(step.ts):
            outcome = "suppressed_phase_b"  # SPEC §3: one trade's levels at a time
        self.stats.fires.append(Fire(step.ts, direction, outcome))
        if outcome != "sent":
            return {"notified": False, "reason": outcome}
        text = messages.trigger(direction, self.config.symbol_label, step.ts, self._zone)
        image = self._annotated(frame, detection)
        shot = self._save_fire(frame.ts, direction, image)
        sent = self.alert("trigger", text, frame, image=image)
        # lines already on the chart belong to an earlier trade, never to this one
        baseline = scan(frame, self.config, self._ocr, direction=direction)
        self._phase_b = PhaseB.after_fire(step.ts, direction, self.config, baseline)
        return {"notified": sent, "screenshot": str(shot), "phase_b": "open"}

    def _phase_b_open(self, ts: float) -> bool:
        if self._phase_b is not None:
            self._phase_b_outcome(self._phase_b.expire(ts), ts)
        return self._phase_b is not None

    def _levels(self, frame: Frame) -> None:
        """Phase B: scan the chart for the trader's SL/TP lines while a FIRE awaits them."""
        phase = self._phase_b
        if phase is None:
            return
        reading = scan(frame, self.config, self._ocr, direction=phase.direction)
        self._phase_b_outcome(phase.observe(reading, frame.ts), frame.ts, frame)

    def _phase_b_outcome(
        self, outcome: LevelsOutcome, ts: float, frame: Frame | None = None
    ) -> None:
        if outcome.kind == "wait":
            return
        found = outcome.reading.as_dict() if outcome.reading else None
        self.log(ts, {"event": f"levels_{outcome.kind}", "levels": found})
        if outcome.text is not None:
            self.alert("levels", outcome.text, frame)
        if outcome.done:
            self._phase_b = None

    def alert(
        self,
        kind: AlertKind,
        text: str,
        frame: Frame | None = None,
        detection: Detection | None = None,
        image: bytes | None = None,
    ) -> bool:
        """Hand one alert to the fanout, with the screenshot if this kind carries one."""
        if not self.config.alerts.sends(kind):
            return False
        attach = self.config.alerts.attaches(kind) and frame is not None and not frame.partial
        if attach and image is None and frame is not None:
            image = self._annotated(frame, detection)
        ts = frame.ts if frame is not None else self._last_ts
        message = Message(kind=kind, text=text, ts=ts, image_png=image if attach else None)
        self._publisher.publish(message)
        record: dict[str, Any] = {"event": "alert_queued", "kind": kind, "id": message.id}
        if frame is not None:
            self._captured[message.id] = max(0.0, self._clock.time() - frame.ts)
            if len(self._captured) > _LATENCY_MEMORY:  # an unattended day must not grow it
                del self._captured[next(iter(self._captured))]
            pixels = np.ascontiguousarray(frame.image).data
            record["frame_hash"] = hashlib.blake2b(pixels, digest_size=8).hexdigest()
        self.log(ts, {**record, "text": text})
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

    def _save_sample(self, frame: Frame, detection: Detection) -> None:
        """Every colour change, the whole frame: tomorrow's labelled corpus."""
        color = detection.dot.color if detection.dot else "none"
        folder = self._workspace.samples
        folder.mkdir(parents=True, exist_ok=True)
        write_png(folder / f"{local(frame.ts, self._zone):%Y%m%d_%H%M%S}_{color}.png", frame.image)

    def _color_changed(self, detection: Detection) -> bool:
        color = detection.dot.color if detection.dot else None
        changed = color is not None and color != self._last_color
        if color is not None:
            self._last_color = color
        return changed

    # -- canary, health, heartbeat ----------------------------------------------------------

    def _canary(self, frame: Frame) -> CanaryResult | None:
        if self.canary is None:
            return None
        result = self.canary.check(frame, self.stats.cycles - 1)
        for event in result.events:
            self.log(frame.ts, {"event": f"canary_{event.kind}", "text": event.text})
            if event.alert:
                self.alert("health", event.text, frame)
        return result

    def _health(self, frame: Frame, detection: Detection | None) -> None:
        confidence = None
        if detection is not None:
            confidence = detection.dot.confidence if detection.dot else 0.0
            self.stats.confidence_sum += confidence
            self.stats.confidence_n += 1
        events = self.health.observe(
            frame.ts, capture_ok=True, window_found=True, image=frame.image, confidence=confidence
        )
        for event in events:
            self.alert("health", event.text, frame if event.started else None)

    def _capture_failed(self, exc: CaptureError) -> None:
        now = self._clock.time()
        self.monitor.mark_blind()
        self.log(now, {"window_found": not isinstance(exc, WindowNotFound), "roi_ok": False,
                       "reason": "capture_failed", "error": str(exc)})  # fmt: skip
        events = self.health.observe(
            now,
            capture_ok=False,
            window_found=not isinstance(exc, WindowNotFound),
            image=None,
            confidence=None,
            error=str(exc),
        )
        for event in events:
            self.alert("health", event.text)

    def _startup(self, frame: Frame) -> None:
        self._next_heartbeat = frame.ts + self.config.heartbeat.minutes * 60
        name = Path(self.config.source).name or "built-in defaults"
        status = self.canary.status() if self.canary else "off"
        self.alert("startup", messages.startup(name, status, self.config.symbol_label), frame)

    def _heartbeat_if_due(self, ts: float) -> None:
        if self._next_heartbeat is None or ts < self._next_heartbeat:
            return
        self._next_heartbeat = ts + self.config.heartbeat.minutes * 60
        text = messages.heartbeat(
            ts,
            len(self.stats.sent),
            self.stats.confidence,
            self.health.ok,
            self._publisher.summary(),
            self._zone,
        )
        self.alert("heartbeat", text)

    def _shutdown(self) -> None:
        if self.stats.cycles:
            summary = self._publisher.summary()
            self.alert("stop", messages.stop(len(self.stats.sent), self.stats.cycles, summary))
        self._publisher.close()
        self.log(self._last_ts, {"event": "stopped", "counters": self._publisher.summary()})
        self._capture.close()
        self.audit.close()

    # -- audit ----------------------------------------------------------------------------

    def log(self, ts: float, record: dict[str, Any]) -> None:
        self.audit.write(ts, record)

    def _on_notify_event(self, event: dict[str, Any]) -> None:
        """The fanout's callback (worker threads): every outcome goes to the audit, the sent
        ones with the whole capture-to-send latency."""
        record = dict(event)
        queued = self._captured.get(str(record.get("id")))
        if record.get("event") == "alert_sent" and queued is not None:
            record["capture_to_send_s"] = round(queued + float(record["latency_s"]), 3)
        self.log(self._clock.time(), record)

    def _cycle_record(self, seen: Observation) -> dict[str, Any]:
        dot, step = seen.detection.dot, seen.step
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


#: Alerts whose capture time is remembered until their delivery is logged.
_LATENCY_MEMORY = 500

#: What a failed grab leaves the loop: nothing to look at this cycle, but not the end.
_NO_FRAME: Frame = Frame(np.zeros((0, 0, 3), np.uint8), 0.0)


def _eventful(seen: Observation) -> bool:
    step = seen.step
    moved = step is not None and (step.changed or step.fire is not None)
    return moved or seen.late_start is not None or seen.catchup is not None
