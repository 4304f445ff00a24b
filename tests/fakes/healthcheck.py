"""A fake dead-man's-switch service on 127.0.0.1: Healthchecks and Uptime Kuma push.

Healthchecks: `HEAD|GET|POST /ping/<uuid>[/start|/fail|/log]` answers 200 "OK" (a POST
body is kept as the ping's log text); an unknown uuid gets 404 "not found". Uptime Kuma:
`GET /api/push/<token>?status=up|down&msg=…` answers `{"ok": true}`, an unknown token
`{"ok": false, "msg": "Monitor not found or not active."}` with 404. Faults as in
`FakeService` (hang, crash, or an HTTP status such as "500").
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.fakes.http_service import Answer, FakeService, Fault, Recorded

CHECK_UUID = "5c3d9a1e-SENTINEL-HEALTHCHECK-UUID-7f2b"
PUSH_TOKEN = "SENTINELpushTOKEN"


@dataclass(frozen=True, slots=True)
class Received:
    """A ping the fake accepted: `kind` is start, ping, fail or log (Kuma: up or down)."""

    kind: str
    text: str
    request: Recorded


class FakeHealthcheck(FakeService):
    def __init__(self, uuid: str = CHECK_UUID, token: str = PUSH_TOKEN) -> None:
        self.uuid = uuid
        self.token = token
        self.received: list[Received] = []
        super().__init__()

    @property
    def ping_url(self) -> str:
        return f"{self.base_url}/ping/{self.uuid}"

    @property
    def push_url(self) -> str:
        return f"{self.base_url}/api/push/{self.token}"

    def answer(self, request: Recorded, fault: Fault | None) -> Answer:
        if fault is not None:
            return Answer(int(fault.name), "upstream error")
        parts = request.path.strip("/").split("/")
        if parts[:2] == ["api", "push"]:
            return self._push(request, parts[2:])
        if parts[:1] != ["ping"] or len(parts) not in (2, 3) or parts[1] != self.uuid:
            return Answer(404, "not found")
        kind = parts[2] if len(parts) == 3 else "ping"
        if kind not in ("ping", "start", "fail", "log"):
            return Answer(404, "not found")
        return self._keep(kind, request.body_text, request)

    def _push(self, request: Recorded, rest: list[str]) -> Answer:
        if rest != [self.token]:
            return Answer(404, {"ok": False, "msg": "Monitor not found or not active."})
        status = request.query.get("status", "up")
        self._keep(status, request.query.get("msg", ""), request)
        return Answer(200, {"ok": True})

    def _keep(self, kind: str, text: str, request: Recorded) -> Answer:
        with self.lock:
            self.received.append(Received(kind, text, request))
        return Answer(200, "OK")

    def kinds(self) -> list[str]:
        with self.lock:
            return [r.kind for r in self.received]
