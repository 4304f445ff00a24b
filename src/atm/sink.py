"""Where the stages' events go: the notification fanout, the audit log, samples/, fires/.

The sink is the runner's only way out. An alert is queued with the fanout first and its
files are written after (a screenshot to logs/fires), so a slow disk never delays a
trigger; whole frames (samples, a fire's raw frame) are encoded and written by a worker
(`FrameWriter`), so the loop never waits for one. The fanout's outcome events come back
here from its worker threads and join the audit, the delivered ones with the whole
capture-to-send latency.

Every file write here fails soft: a refused write (disk full, read-only, a file where a
folder should be) is reported to `WriteFaults`, which turns the episode into one health
alert and one recovery alert; the loop goes on and no alert is lost to it.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from atm.audit import AuditLog
from atm.clock import Clock, local
from atm.config import Config
from atm.detect import Detection
from atm.fileio import write_atomic
from atm.frame import Frame
from atm.geometry import Rect
from atm.notify.base import Message
from atm.stages.base import Alert, Audit, Event, Sample
from atm.vision.annotate import annotate
from atm.vision.image_io import encode_png
from atm.workspace import Workspace
from atm.write_faults import WriteFaults

OnEvent = Callable[[dict[str, Any]], None]

#: Alerts whose capture time is remembered until their delivery is logged.
LATENCY_MEMORY = 500


class Publisher(Protocol):
    """What the sink needs of the notification fanout."""

    def publish(self, message: Message) -> None: ...

    @property
    def backends(self) -> list[str]: ...
    def flush(self, timeout: float) -> bool: ...

    def summary(self) -> str: ...

    def close(self, timeout: float = 10.0) -> None: ...


class Sink:
    def __init__(
        self,
        config: Config,
        clock: Clock,
        workspace: Workspace,
        audit: AuditLog,
        notifier: Callable[[OnEvent], Publisher],
    ) -> None:
        """`notifier` builds the fanout given the sink's callback for its outcome events."""
        self._config, self._clock, self._workspace, self.audit = config, clock, workspace, audit
        self._zone = config.schedule.timezone
        self._captured: dict[str, float] = {}  # alert id → capture-to-queue seconds
        self.writes = WriteFaults(workspace.home)
        self._frames = FrameWriter(self._save, self.writes)
        self._polling = False
        self.triggers: dict[str, set[str]] = {}  # trigger id → backends that delivered it
        self.publisher = notifier(self._on_notify_event)

    def handle(self, event: Event) -> dict[str, Any]:
        """Send, log or save one event; for an alert, the audit fields it earns its cycle."""
        if isinstance(event, Alert):
            return self.alert(event)
        if isinstance(event, Audit):
            self.log(event.ts, dict(event.record))
        elif isinstance(event, Sample):
            self._save_sample(event)
        return {}

    def alert(self, alert: Alert) -> dict[str, Any]:
        """Queue the alert (with its screenshot if its kind carries one), then its files."""
        frame = alert.frame
        whole = frame is not None and not frame.partial
        attach = self._config.alerts.attaches(alert.kind) and whole
        image = None
        if frame is not None and whole and (attach or alert.keep_as):
            image = self._annotated(frame, alert.detection, alert.chart)
        out: dict[str, Any] = {"notified": False}
        if self._config.alerts.sends(alert.kind):
            self._publish(alert, image if attach else None)
            out["notified"] = True
        if alert.keep_as is not None and image is not None:
            kept = self._save(self._workspace.fires / alert.keep_as, lambda p: p.write_bytes(image))
            if kept is not None:
                out["screenshot"] = str(kept)
        if alert.keep_raw is not None and frame is not None and whole:
            self._frames.put(self._workspace.fires / alert.keep_raw, frame)
        return out

    def log(self, ts: float, record: dict[str, Any]) -> None:
        """An audit line (a refused write is reported, never raised), then the episode's
        alert if the workspace just stopped or started taking writes again."""
        self._audit(ts, record)
        self._poll_writes(ts)

    def undelivered(self, remote: set[str]) -> list[str]:
        """Ids of the triggers that none of `remote` delivered (all of them: the console)."""
        return [i for i, sent in self.triggers.items() if not sent & (remote or {"console"})]

    def _audit(self, ts: float, record: dict[str, Any]) -> None:
        try:
            self.audit.write(ts, record)
        except OSError as exc:
            self.writes.failed(self.audit.path_for(ts), exc)

    def _poll_writes(self, ts: float) -> None:
        if self._polling:  # the episode's own alert logs a line too
            return
        self._polling = True
        try:
            text = self.writes.poll(ts)
            if text is not None:
                self.alert(Alert("health", text, ts))
                self.log(ts, {"event": "workspace_writes", "text": text})
        finally:
            self._polling = False

    def _save(self, path: Path, write: Callable[[Path], object]) -> Path | None:
        """A file write whose failure costs nothing but the file (and is reported)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path)
        except OSError as exc:
            self.writes.failed(path, exc)
            return None
        return path

    def summary(self) -> str:
        return self.publisher.summary()

    def close(self, ts: float) -> None:
        """Write the frames still queued and drain the fanout (both bounded), then the last
        audit line."""
        self._frames.close()
        self.publisher.close()
        self._audit(ts, {"event": "stopped", "counters": self.publisher.summary()})

    def _publish(self, alert: Alert, image: bytes | None) -> None:
        frame = alert.frame
        ts = frame.ts if frame is not None else alert.ts
        message = Message(alert.kind, alert.text, ts, image_png=image, id=alert.id)
        if alert.kind == "trigger":
            self.triggers[alert.id] = set()
        if frame is not None:  # before publishing: a fast backend reports back at once
            self._captured[alert.id] = max(0.0, self._clock.time() - frame.ts)
            if len(self._captured) > LATENCY_MEMORY:  # an unattended day must not grow it
                del self._captured[next(iter(self._captured))]
        self.publisher.publish(message)
        record: dict[str, Any] = {"event": "alert_queued", "kind": alert.kind, "id": alert.id}
        if frame is not None:
            pixels = np.ascontiguousarray(frame.image).data
            record["frame_hash"] = hashlib.blake2b(pixels, digest_size=8).hexdigest()
        self.log(ts, {**record, "text": alert.text})

    def _annotated(self, frame: Frame, detection: Detection | None, chart: Config | None) -> bytes:
        """The screenshot: the frame, or with several charts on it `chart`'s part (a
        quarter of the pixels to encode and send for four), its strip boxed, the dot
        circled."""
        config = chart or self._config
        height, width = frame.image.shape[:2]
        shown = config.area if chart is not None else Rect(0, 0, width, height)
        roi = Rect.of(config.dot_roi).offset(-shown.x, -shown.y)
        dot = detection.dot if detection is not None else None
        mark = (dot.x - shown.x, dot.y - shown.y, dot.radius) if dot is not None else None
        label = f"{dot.color} {dot.confidence:.2f}" if dot is not None else "no dot"
        image = frame.crop(shown)
        return encode_png(annotate(image, (roi.x, roi.y, roi.w, roi.h), mark, label))

    def _save_sample(self, sample: Sample) -> None:
        stamp = f"{local(sample.frame.ts, self._zone):%Y%m%d_%H%M%S}"
        chart = f"{sample.chart}_" if sample.chart else ""
        path = self._workspace.samples / f"{stamp}_{chart}{sample.color}.png"
        self._frames.put(path, sample.frame)

    def _on_notify_event(self, event: dict[str, Any]) -> None:
        """The fanout's callback (worker threads): every outcome goes to the audit, the sent
        ones with the whole capture-to-send latency. The loop thread alerts on write
        failures (a worker must not publish: it would wait on its own fanout)."""
        record = dict(event)
        kind = record.get("event")
        queued = self._captured.get(str(record.get("id")))
        if kind == "alert_sent" and queued is not None:
            record["capture_to_send_s"] = round(queued + float(record["latency_s"]), 3)
        if kind == "alert_sent" and record.get("id") in self.triggers:
            self.triggers[str(record["id"])].add(str(record["backend"]))
        if kind == "write_failed":
            self.writes.failed(Path(str(record["file"])), str(record["error"]))
        self._audit(self._clock.time(), record)


#: Frames waiting for the worker at most (a 4K frame is 25 MB).
QUEUE = 4
Save = Callable[[Path, Callable[[Path], object]], object]


class FrameWriter:
    """Whole frames as PNG files (samples, a fire's raw frame), written by a worker thread.

    A sample is encoded whenever a dot changes colour, and a fire's frame with it: ~19 ms
    for a 1080p frame, ~80 ms for a 4K screen of four charts, time in which the loop, had
    it to wait, would not look at the strips (bench_live --quick, four charts: p95 trigger
    latency 650 ms with samples written in the loop, 250 ms without any). A frame saved
    under several names (a fire's frame and its sample; charts on one screen that changed
    colour in one tick) is encoded once. The queue is short: a worker that falls behind
    makes the loop wait rather than lose a frame or hold many 25 MB frames. The thread
    starts with the first frame to write; `close()` writes those queued (bounded).
    `save(path, write)` writes fail-soft; an encode that fails is reported to `writes`.
    """

    def __init__(self, save: Save, writes: WriteFaults) -> None:
        self._save, self._writes = save, writes
        self._jobs: queue.Queue[tuple[Path, Frame] | None] = queue.Queue(maxsize=QUEUE)
        self._thread: threading.Thread | None = None

    def put(self, path: Path, frame: Frame) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="atm-samples", daemon=True)
            self._thread.start()
        self._jobs.put((path, frame))

    def close(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _work(self) -> None:
        last: tuple[Frame, bytes] | None = None
        while (job := self._jobs.get()) is not None:
            path, frame = job
            try:
                if last is None or last[0] is not frame:
                    last = (frame, encode_png(frame.image))
                self._save(path, partial(write_atomic, data=last[1]))
            except Exception as exc:  # a worker must outlive one frame it cannot encode
                self._writes.failed(path, f"cannot encode the frame: {exc}")
            if self._jobs.empty():
                last = None  # let the frame go
