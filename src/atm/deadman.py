"""The dead-man's switch: pings to a Healthchecks check or an Uptime Kuma push monitor.

A heartbeat message cannot report that ATM has crashed or frozen: a dead process sends
nothing, and silence on a phone is easy to miss. A dead-man's switch inverts that: the
monitoring service expects a ping at least every heartbeat period and alerts the trader
(e-mail, SMS, its own app) when one does not come. So ATM pings:

    start   when the session starts           Healthchecks: POST <url>/start
    ping    with each heartbeat               Healthchecks: POST <url>        (body: the text)
    fail    when a health episode begins      Healthchecks: POST <url>/fail   (body: the text)
    ping    at a clean stop                   Healthchecks: POST <url>

An Uptime Kuma push URL (…/api/push/<token>) gets `GET ?status=up|down&msg=…` instead: it
has no start signal, so start and ping are both "up" and fail is "down".

Pings never block the loop: one named worker thread sends them in order from a bounded
queue (16; when full the oldest waiting ping is dropped and that is audited). A ping that
fails is a warning in the audit (`healthcheck_failed`), never an error: the alerts go on.
The URL identifies the check, so it is a secret: it never appears in the audit or on screen.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

from atm.errors import NotifyError
from atm.notify.http import HttpPoster, Reply
from atm.redact import url_secrets

PingKind = Literal["start", "ping", "fail"]
Flavor = Literal["healthchecks", "uptime_kuma"]
OnEvent = Callable[[dict[str, Any]], None]

QUEUE_SIZE: Final = 16
_BODY_LIMIT: Final = 10_000  # Healthchecks keeps the first 100 kB; a message is far shorter
_KUMA_STATUS: Final[dict[PingKind, str]] = {"start": "up", "ping": "up", "fail": "down"}


@dataclass(frozen=True, slots=True)
class Ping:
    kind: PingKind
    text: str = ""


def flavor(url: str) -> Flavor:
    """Uptime Kuma push URLs have `/api/push/` in their path; anything else is Healthchecks."""
    return "uptime_kuma" if "/api/push/" in url else "healthchecks"


def poster(url: str, timeout: float) -> HttpPoster:
    """An HTTP client whose messages never show the URL, nor the check's id or token in it."""
    return HttpPoster("healthcheck", url_secrets(url), timeout=timeout)


def send(poster: HttpPoster, url: str, ping: Ping) -> Reply:
    """One ping in the URL's protocol; raises `NotifyError` when the service did not take it."""
    if flavor(url) == "uptime_kuma":
        params = {"status": _KUMA_STATUS[ping.kind], "msg": ping.text[:200] or ping.kind}
        reply = poster.get(url, params=params)
    else:
        suffix = "" if ping.kind == "ping" else f"/{ping.kind}"
        reply = poster.post(url.rstrip("/") + suffix, content=ping.text[:_BODY_LIMIT].encode())
    if not reply.ok:
        raise NotifyError(f"healthcheck: HTTP {reply.status} {reply.snippet}".rstrip())
    return reply


class DeadMansSwitch:
    """Sends pings on its own thread; every outcome goes to `on_event` for the audit."""

    def __init__(self, url: str, on_event: OnEvent, *, timeout: float = 10.0) -> None:
        self._url = url
        self._on_event = on_event
        self._poster = poster(url, timeout)
        self._queue: queue.Queue[Ping | None] = queue.Queue(QUEUE_SIZE)
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._run, name="atm-deadman", daemon=True)
        self._worker.start()

    def start(self, text: str = "") -> None:
        self._put(Ping("start", text))

    def ping(self, text: str = "") -> None:
        self._put(Ping("ping", text))

    def fail(self, text: str) -> None:
        self._put(Ping("fail", text))

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued within `timeout` seconds, then give up on the rest."""
        self._put(None)
        self._worker.join(timeout)
        if self._worker.is_alive():
            self._on_event({"event": "healthcheck_failed", "reason": "gave up at shutdown"})
        else:
            self._poster.close()

    def _put(self, item: Ping | None) -> None:
        with self._lock:  # one producer at a time, so drop-oldest cannot race itself
            while True:
                try:
                    self._queue.put_nowait(item)
                    return
                except queue.Full:
                    dropped = self._queue.get_nowait()
                    if dropped is not None:
                        self._on_event({"event": "healthcheck_dropped", "kind": dropped.kind})

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                reply = send(self._poster, self._url, item)
            except NotifyError as exc:
                self._on_event(
                    {"event": "healthcheck_failed", "kind": item.kind, "reason": str(exc)}
                )
            except Exception as exc:  # the worker must outlive any surprise
                reason = f"unexpected {type(exc).__name__}"
                self._on_event({"event": "healthcheck_failed", "kind": item.kind, "reason": reason})
            else:
                self._on_event(
                    {"event": "healthcheck_sent", "kind": item.kind, "status": reply.status}
                )

    def __repr__(self) -> str:
        return f"DeadMansSwitch({flavor(self._url)})"
