"""`FakeService`, the loopback HTTP server the fake Discord and Telegram are built on.

A real `ThreadingHTTPServer` on port 0 that records every request (path, query, headers, JSON
or multipart parts) and answers the next scripted `Fault`, or a `chooser`'s pick.

Faults common to both fakes: `hang` (sleep `seconds`, then process the request as usual:
the service accepted it late, as a slow real service does) and `crash` (drop the
connection without a reply and refuse connections for `seconds`).

Every reply carries a `Date` header, as real services' do; `clock_offset_s` makes the
fake's clock run that far ahead (negative: behind), for the doctor's clock-skew check.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True, slots=True)
class Fault:
    """What the next request gets instead of a normal answer.

    `name` is an HTTP status ("429", "500", ...) or a named behaviour of the fake;
    `seconds` is the wait a 429 asks for, how long a hang lasts or how long a crash
    refuses connections.
    """

    name: str
    seconds: float = 0.0


@dataclass(slots=True)
class Part:
    name: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass(slots=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    parts: dict[str, Part] = field(default_factory=dict)
    fault: str | None = None
    status: int = 0  # 0: no reply was sent (crash)
    body: bytes = b""

    @property
    def body_text(self) -> str:
        return self.body.decode(errors="replace")

    def form(self) -> dict[str, str]:
        """Text fields of a multipart body."""
        return {k: p.data.decode() for k, p in self.parts.items() if p.filename is None}


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any = None  # dict → JSON; str → text/html; None → empty
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self.server.fake.handle(self)

    do_GET = do_HEAD = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        return None  # quiet: the fake records requests itself

    def date_time_string(self, timestamp: float | None = None) -> str:
        now = time.time() if timestamp is None else timestamp
        return super().date_time_string(now + self.server.fake.clock_offset_s)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeService


class FakeService:
    """Base of the fakes: lifecycle, recording, fault scripting, outages."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.chooser: Callable[[], Fault | None] | None = None
        self.clock_offset_s = 0.0
        self._script: deque[Fault] = deque()
        self._stopped = threading.Event()
        self._down = False
        self.port = 0
        self._httpd: _Server | None = None
        self._listen()

    # -- public ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *faults: Fault) -> None:
        """The next requests get these faults, in order; later ones are served normally."""
        with self.lock:
            self._script.extend(faults)

    def close(self) -> None:
        self._stopped.set()
        with self.lock:
            httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- to be provided by each fake ---------------------------------------------------------

    def answer(self, request: Recorded, fault: Fault | None) -> Answer:
        raise NotImplementedError

    # -- machinery -------------------------------------------------------------------------

    def _listen(self) -> None:
        httpd = _Server(("127.0.0.1", self.port), _Handler)
        httpd.fake = self
        self.port = httpd.server_address[1]
        with self.lock:
            if self._stopped.is_set():
                httpd.server_close()
                return
            self._httpd = httpd
            self._down = False
        threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()

    def _next_fault(self) -> Fault | None:
        with self.lock:
            if self._script:
                return self._script.popleft()
        return self.chooser() if self.chooser else None

    def go_down(self, seconds: float) -> None:
        """Stop listening (connections are refused) and listen again after `seconds`."""
        with self.lock:
            httpd = self._httpd
            if httpd is None or self._down:
                return
            self._down = True
        threading.Thread(target=self._outage, args=(httpd, seconds), daemon=True).start()

    def _outage(self, httpd: _Server, seconds: float) -> None:
        httpd.shutdown()
        httpd.server_close()
        if not self._stopped.wait(seconds):
            self._listen()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        request = self._read(h)
        fault = self._next_fault()
        request.fault = fault.name if fault else None
        with self.lock:
            self.requests.append(request)
        if fault and fault.name == "crash":
            self.go_down(fault.seconds)
            # RST instead of FIN: the client sees the connection die mid-request
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.close_connection = True
            return
        if fault and fault.name == "hang":
            self._stopped.wait(fault.seconds)
            fault = None  # then served like any request: accepted, but too late
        answer = self.answer(request, fault)
        request.status = answer.status
        self._write(h, answer)

    def _read(self, h: BaseHTTPRequestHandler) -> Recorded:
        url = urlsplit(h.path)
        length = int(h.headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        request = Recorded(
            method=h.command,
            path=url.path,
            query=dict(parse_qsl(url.query)),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=raw,
        )
        ctype = h.headers.get("content-type", "")
        if ctype.startswith("application/json") and raw:
            request.json = json.loads(raw)
        elif ctype.startswith("multipart/form-data"):
            request.parts = _parts(ctype, raw)
        elif ctype.startswith("application/x-www-form-urlencoded"):
            request.json = dict(parse_qsl(raw.decode()))
        return request

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, answer: Answer) -> None:
        if isinstance(answer.body, dict):
            data, ctype = json.dumps(answer.body).encode(), "application/json"
        elif isinstance(answer.body, str):
            data, ctype = answer.body.encode(), "text/html"
        else:
            data, ctype = b"", ""
        try:
            h.send_response(answer.status)
            if ctype:
                h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            for key, value in answer.headers.items():
                h.send_header(key, value)
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a hang longer than its timeout)


def _parts(ctype: str, raw: bytes) -> dict[str, Part]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw
    )
    parts: dict[str, Part] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        data = part.get_payload(decode=True)
        parts[name] = Part(name, part.get_filename(), part.get_content_type(), bytes(data or b""))
    return parts
