"""logs/outbox.jsonl: every alert on disk before it is queued, so a crash or kill loses none.

Format: one JSON object per line (`atm.jsonl`), each record fsynced before the call that
wrote it returns.

    {"op": "alert", "id": "a000012", "kind": "trigger", "text": "🟢 BUY signal …",
     "ts": 1763700003.0, "created": 1763700004.512,
     "backends": ["console", "discord", "telegram"], "image": null}
    {"op": "image", "id": "a000012", "image": "outbox/a000012.png"}
    {"op": "send", "id": "a000012", "backend": "discord"}     an attempt is starting
    {"op": "retry", "id": "a000012", "backend": "discord"}    it failed; a retry is due
    {"op": "done", "id": "a000012", "backend": "discord", "outcome": "sent"}
    {"op": "floor", "id": "a000057"}                          ids continue after this one

- `alert` is written before the alert is queued. `ts` is the event's time (the frame's,
  on the run's clock); `created` is the wall clock when it was queued, which is what
  freshness is judged by after a restart.
- `image` follows when the alert carries a screenshot: the PNG is saved beside the outbox
  (`logs/outbox/<id>.png`; the path is relative to logs/) just after the alert was queued,
  so the picture costs the alert no time, and deleted once every backend has an outcome.
  An alert whose picture was lost (a crash in between, a full disk) is resumed without it.
- `send` is written before each attempt, `retry` when an attempt failed and another is
  due, `done` after the outcome was recorded in the audit or the dead letter. `outcome` is
  `sent` or the dead-letter reason.
- `floor` is the first line after a rotation: the highest id the workspace has used.

On start (`Outbox.load`), every (alert, backend) without `done` is resumed:
- its last record is `send` → `interrupted`: the request may have reached the service
  before the process died, and neither Discord nor Telegram can tell; it is dead-lettered,
  never sent twice;
- queued or waiting for a retry, and younger than the fanout's `max_age` (3 minutes) →
  delivered, with the age it already has;
- older → dead-lettered `stale_after_restart`; a backend no longer configured →
  `unconfigured`.

Bounded: on start, and whenever `limit` bytes (1 MiB: thousands of alerts) were appended
since the last rotation, it is rotated — the old file is kept as `outbox.1.jsonl` and the
new one holds the floor and the unfinished alerts only (at most the fanout's queues). A
write that fails (disk full) raises `OSError` after the in-memory state was updated, so
the alert is still queued and the next rotation writes it out.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from atm import inputs
from atm.config import AlertKind
from atm.errors import UsageError
from atm.jsonl import JsonlFile, dumps, read_jsonl
from atm.notify.base import Message, id_number, ids_after

#: Rotate past this size; a trigger's records take about 1 KB with three backends.
LIMIT = 1 << 20

State = Literal["queued", "send", "retry"]


@dataclass(frozen=True, slots=True)
class Unfinished:
    """An alert some backends had not finished when the last run stopped."""

    message: Message
    age: float  # wall-clock seconds since it was first queued
    backends: Mapping[str, State]  # backend → its last state


@dataclass(slots=True)
class _Entry:
    record: dict[str, Any]
    states: dict[str, State | Literal["done"]]

    def open_backends(self) -> dict[str, State]:
        return {b: s for b, s in self.states.items() if s != "done"}


class Outbox:
    """The durable twin of the fanout's queues; thread-safe, one per workspace."""

    def __init__(
        self, path: Path, *, wall: Callable[[], float] = time.time, limit: int = LIMIT
    ) -> None:
        self.path = path
        self.images = path.parent / "outbox"
        self._wall = wall
        self._limit = limit
        self._file = JsonlFile(path, sync=True)
        self._entries: dict[str, _Entry] = {}
        self._floor = ""
        self._grown = 0  # bytes appended since the last rotation
        self._lock = threading.Lock()

    # -- start -----------------------------------------------------------------------------

    def load(self) -> list[Unfinished]:
        """Read what the last run left, rotate, and return its unfinished alerts."""
        with self._lock:
            self._adopt_rotation()
            if self.path.exists():
                for record in read_jsonl(self.path):
                    self._replay(record)
            if self.path.exists():
                self._rotate()
            self._sweep_images()
            return [self._unfinished(e) for e in self._entries.values()]

    def _replay(self, record: dict[str, Any]) -> None:
        op, alert_id = record.get("op"), str(record.get("id", ""))
        self._raise_floor(alert_id)
        if op == "alert" and _is_alert(record):
            backends = [str(b) for b in record.get("backends") or []]
            self._entries[alert_id] = _Entry(record, dict.fromkeys(backends, "queued"))
            return
        entry = self._entries.get(alert_id)
        backend = str(record.get("backend", ""))
        if entry is not None and op == "image":
            entry.record["image"] = record.get("image")
        if entry is None or backend not in entry.states:
            return
        if op == "done":
            entry.states[backend] = "done"
            if not entry.open_backends():
                del self._entries[alert_id]
        elif op in ("send", "retry"):
            entry.states[backend] = op

    def _unfinished(self, entry: _Entry) -> Unfinished:
        r = entry.record
        image = self._read_image(r["id"], r.get("image"))
        message = Message(r["kind"], r["text"], float(r["ts"]), image_png=image, id=r["id"])
        age = max(0.0, self._wall() - float(r["created"]))
        return Unfinished(message, age, entry.open_backends())

    def _read_image(self, alert_id: str, name: object) -> bytes | None:
        if name != f"outbox/{alert_id}.png":  # only ever our own file, whatever the line says
            return None
        try:
            return inputs.read_bytes(self.path.parent / name, "image file", inputs.MAX_IMAGE_BYTES)
        except UsageError:
            return None  # lost with the crash: the alert goes out without its picture

    # -- while running ---------------------------------------------------------------------

    def add(self, message: Message, backends: Sequence[str]) -> None:
        """Record an alert about to be queued for `backends`; durable when this returns."""
        record: dict[str, Any] = {
            "op": "alert",
            "id": message.id,
            "kind": message.kind,
            "text": message.text,
            "ts": message.ts,
            "created": round(self._wall(), 3),
            "backends": list(backends),
            "image": None,
        }
        with self._lock:
            self._entries[message.id] = _Entry(record, dict.fromkeys(backends, "queued"))
            self._raise_floor(message.id)
            self._append(record)

    def keep_image(self, message: Message) -> None:
        """Save the alert's screenshot beside the outbox, so a restart can still send it."""
        if message.image_png is None:
            return
        name = f"outbox/{message.id}.png"
        with self._lock:
            entry = self._entries.get(message.id)
            if entry is None:
                return
        _write_synced(self.path.parent / name, message.image_png)
        with self._lock:
            entry.record["image"] = name
            self._append({"op": "image", "id": message.id, "image": name})

    def sending(self, alert_id: str, backend: str) -> None:
        self._mark(alert_id, backend, "send")

    def retrying(self, alert_id: str, backend: str) -> None:
        self._mark(alert_id, backend, "retry")

    def done(self, alert_id: str, backend: str, outcome: str) -> None:
        """The backend's outcome is recorded elsewhere (audit or dead letter): forget it."""
        with self._lock:
            entry = self._entries.get(alert_id)
            if entry is None or backend not in entry.states:
                return
            entry.states[backend] = "done"
            finished = not entry.open_backends()
            if finished:
                del self._entries[alert_id]
            self._append({"op": "done", "id": alert_id, "backend": backend, "outcome": outcome})
        if finished and entry.record.get("image"):
            (self.path.parent / str(entry.record["image"])).unlink(missing_ok=True)

    def close(self) -> None:
        self._file.close()

    def _mark(self, alert_id: str, backend: str, state: State) -> None:
        with self._lock:
            entry = self._entries.get(alert_id)
            if entry is None or entry.states.get(backend) in (None, "done"):
                return
            entry.states[backend] = state
            self._append({"op": state, "id": alert_id, "backend": backend})

    # -- the file --------------------------------------------------------------------------

    def _append(self, record: dict[str, Any]) -> None:
        line = dumps(record)
        self._file.append_line(line)
        self._grown += len(line) + 1
        if self._grown > self._limit:
            self._rotate()

    def _raise_floor(self, alert_id: str) -> None:
        if id_number(alert_id) > id_number(self._floor):
            self._floor = alert_id
            ids_after(alert_id)

    def _rotate(self) -> None:
        """Keep the old file as outbox.1.jsonl; start a new one with what is unfinished."""
        lines = [dumps({"op": "floor", "id": self._floor})] if self._floor else []
        for alert_id, entry in self._entries.items():
            lines.append(dumps(entry.record))
            lines += [
                dumps({"op": state, "id": alert_id, "backend": backend})
                for backend, state in entry.states.items()
                if state != "queued"
            ]
        text = "".join(line + "\n" for line in lines).encode("utf-8")
        tmp = self._tmp
        self._file.close()
        _write_synced(tmp, text)
        if self.path.exists():
            os.replace(self.path, self.path.with_name(self.path.stem + ".1.jsonl"))
        os.replace(tmp, self.path)
        self._grown = 0

    @property
    def _tmp(self) -> Path:
        return self.path.with_name(self.path.name + ".tmp")

    def _adopt_rotation(self) -> None:
        """A rotation cut short: a complete new file whose rename did not happen is used."""
        if self._tmp.exists() and not self.path.exists():
            os.replace(self._tmp, self.path)
        self._tmp.unlink(missing_ok=True)

    def _sweep_images(self) -> None:
        keep = {str(e.record.get("image")) for e in self._entries.values()}
        for image in _listing(self.images):
            if f"outbox/{image.name}" not in keep:
                image.unlink(missing_ok=True)


def _is_alert(record: dict[str, Any]) -> bool:
    number = (int, float)
    return (
        record.get("kind") in get_args(AlertKind)
        and isinstance(record.get("id"), str)
        and isinstance(record.get("text"), str)
        and isinstance(record.get("ts"), number)
        and isinstance(record.get("created"), number)
        and isinstance(record.get("backends"), list)
    )


def _listing(folder: Path) -> Iterable[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _write_synced(path: Path, data: bytes) -> None:
    """Write a whole file durably: a temp name, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
