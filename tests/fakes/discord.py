"""A fake Discord (execute webhook) on 127.0.0.1, with scripted faults (see `FakeService`)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http_service import Answer, FakeService, Fault, Part, Recorded

DISCORD_TOKEN = "SENTINEL-DISCORD-TOKEN-xyz"
WEBHOOK_ID = "1234567890123456789"
THREAD_ID = "987654321"


CLOUDFLARE_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>cloudflare</center></body></html>"
)
_ERRORS: dict[str, Answer] = {
    "400": Answer(400, {"message": "Cannot send an empty message", "code": 50006}),
    "401": Answer(401, {"message": "401: Unauthorized", "code": 0}),
    "403": Answer(403, {"message": "Missing Permissions", "code": 50013}),
    "404": Answer(404, {"message": "Unknown Webhook", "code": 10015}),
    "500": Answer(500, {"message": "500: Internal Server Error", "code": 0}),
    "502": Answer(502, CLOUDFLARE_502),
    "503": Answer(503, {"message": "upstream connect error", "code": 0}),
}


@dataclass(frozen=True, slots=True)
class Posted:
    """A message the fake Discord accepted."""

    content: str
    thread_id: str | None
    files: dict[str, Part]
    request: Recorded
    received: float = field(default_factory=time.monotonic)  # for latencies, s


GUILD_ID = "222222222222222222"
CHANNEL_ID = "111111111111111111"


class FakeDiscord(FakeService):
    """`POST /api/webhooks/<id>/<token>[?wait=true&thread_id=…]`, JSON or multipart, and
    `GET` on the same URL ("Get Webhook with Token"): the webhook object, no user field."""

    content_limit = 2000

    def __init__(self, token: str = DISCORD_TOKEN, threads: tuple[str, ...] = (THREAD_ID,)) -> None:
        self.token = token
        self.threads = set(threads)
        self.posted: list[Posted] = []
        self._ids = 1100000000000000000
        super().__init__()

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}/api/webhooks/{WEBHOOK_ID}/{self.token}"

    def answer(self, request: Recorded, fault: Fault | None) -> Answer:
        if fault is not None and fault.name != "204":
            return self._fault(fault)
        parts = request.path.strip("/").split("/")
        if parts[:2] != ["api", "webhooks"] or len(parts) != 4 or parts[2] != WEBHOOK_ID:
            return _ERRORS["404"]
        if parts[3] != self.token:
            return Answer(401, {"message": "Invalid Webhook Token", "code": 50027})
        if request.method in ("GET", "HEAD"):
            return Answer(200, self._webhook())
        payload = request.json
        if request.parts:
            payload = (
                json.loads(request.parts["payload_json"].data)
                if "payload_json" in request.parts
                else {}
            )
        files = {k: p for k, p in request.parts.items() if k.startswith("files[")}
        content = str((payload or {}).get("content") or "")
        if len(content) > self.content_limit:
            return Answer(
                400,
                {
                    "message": "Invalid Form Body",
                    "code": 50035,
                    "errors": {
                        "content": {
                            "_errors": [
                                {
                                    "code": "BASE_TYPE_MAX_LENGTH",
                                    "message": "Must be 2000 or fewer in length.",
                                }
                            ]
                        }
                    },
                },
            )
        if not content and not files:
            return _ERRORS["400"]
        thread = request.query.get("thread_id")
        if thread is not None and thread not in self.threads:
            return Answer(400, {"message": "Unknown Channel", "code": 10003})
        with self.lock:
            self._ids += 1
            message_id = str(self._ids)
            self.posted.append(Posted(content, thread, files, request))
        if request.query.get("wait") != "true" or fault is not None:
            return Answer(204)  # what Discord answers without wait=true
        return Answer(200, self._message(message_id, content, thread, files))

    def _webhook(self) -> dict[str, Any]:
        return {
            "application_id": None,
            "avatar": None,
            "channel_id": CHANNEL_ID,
            "guild_id": GUILD_ID,
            "id": WEBHOOK_ID,
            "name": "ATM alerts",
            "type": 1,
            "token": self.token,
        }

    def _message(
        self, message_id: str, content: str, thread: str | None, files: dict[str, Part]
    ) -> dict[str, Any]:
        return {
            "id": message_id,
            "type": 0,
            "content": content,
            "channel_id": thread or CHANNEL_ID,
            "webhook_id": WEBHOOK_ID,
            "attachments": [
                {
                    "id": str(i),
                    "filename": p.filename,
                    "size": len(p.data),
                    "content_type": p.content_type,
                }
                for i, p in enumerate(files.values())
            ],
        }

    def _fault(self, fault: Fault) -> Answer:
        if fault.name == "429":
            return Answer(
                429,
                {
                    "message": "You are being rate limited.",
                    "retry_after": fault.seconds,
                    "global": False,
                },
                {
                    "Retry-After": str(max(1, round(fault.seconds))),
                    "X-RateLimit-Reset-After": f"{fault.seconds:.3f}",
                    "X-RateLimit-Scope": "user",
                },
            )
        return _ERRORS[fault.name]

    def contents(self) -> list[str]:
        with self.lock:
            return [p.content for p in self.posted]
