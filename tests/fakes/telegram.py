"""A fake Telegram Bot API on 127.0.0.1: `/bot<token>/sendMessage` and `/sendPhoto`, and
`getMe`, `getChat` and `getUpdates` for `atm doctor`.

`getUpdates` answers 409 Conflict as the real API does when `webhook` is set ("can't use
getUpdates method while webhook is active") or when `other_poller` is (the answer a
getUpdates gets when another program's getUpdates on the same token overlaps it).

Replies are shaped like the real ones: `{"ok": true, "result": Message}` or
`{"ok": false, "error_code": N, "description": "..."}` (plus `parameters.retry_after` on
429). Extra faults: `ok_false` (HTTP 200, `ok: false`, chat not found), `ok_false_500`
(HTTP 200, `ok: false`, error_code 500) and `not_json` (HTTP 200 with an HTML page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.http_service import Answer, FakeService, Fault, Part, Recorded

TELEGRAM_TOKEN = "123456789:SENTINEL-TELEGRAM-TOKEN-abc"
CHAT_ID = "-1001234567890"
TOPIC_ID = 42

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)


def _error(code: int, description: str, **extra: Any) -> Answer:
    return Answer(code, {"ok": False, "error_code": code, "description": description, **extra})


_ERRORS: dict[str, Answer] = {
    "400": _error(400, "Bad Request: chat not found"),
    "401": _error(401, "Unauthorized"),
    "403": _error(403, "Forbidden: bot was blocked by the user"),
    "404": _error(404, "Not Found"),
    "500": _error(500, "Internal Server Error"),
    "502": Answer(502, NGINX_502),
    "ok_false": Answer(
        200, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    ),
    "ok_false_500": Answer(
        200, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    ),
    "not_json": Answer(200, "<html><body>Service temporarily unavailable</body></html>"),
}


def _ok(result: Any) -> Answer:
    return Answer(200, {"ok": True, "result": result})


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the fake Telegram accepted."""

    method: str
    chat_id: str
    text: str  # text, or the caption of a photo
    thread_id: int | None
    photo: Part | None
    request: Recorded


class FakeTelegram(FakeService):
    def __init__(
        self,
        token: str = TELEGRAM_TOKEN,
        chat_id: str = CHAT_ID,
        topics: tuple[int, ...] = (TOPIC_ID,),
    ) -> None:
        self.token = token
        self.chat_id = chat_id
        self.topics = set(topics)
        self.sent: list[Sent] = []
        self._message_id = 0
        self.other_poller = False
        self.webhook = False
        super().__init__()

    @property
    def api_base(self) -> str:
        return self.base_url

    def answer(self, request: Recorded, fault: Fault | None) -> Answer:
        if fault is not None:
            return self._fault(fault)
        prefix, _, method = request.path.strip("/").partition("/")
        if prefix != f"bot{self.token}":
            return _ERRORS["401"] if prefix.startswith("bot") else _ERRORS["404"]
        fields: dict[str, Any] = dict(request.query)
        if isinstance(request.json, dict):
            fields.update(request.json)
        fields.update(request.form())
        method = method.lower()  # Bot API method names are case-insensitive
        if method == "sendmessage":
            return self._send(
                request, "sendMessage", fields, str(fields.get("text") or ""), None, 4096
            )
        if method == "sendphoto":
            photo = request.parts.get("photo")
            if photo is None or photo.filename is None:
                return _error(400, "Bad Request: there is no photo in the request")
            return self._send(
                request, "sendPhoto", fields, str(fields.get("caption") or ""), photo, 1024
            )
        if method in _READS:
            return _READS[method](self, fields)
        return _ERRORS["404"]

    def _get_me(self, fields: dict[str, Any]) -> Answer:
        bot_id = int(self.token.split(":")[0])
        return _ok({"id": bot_id, "is_bot": True, "first_name": "ATM", "username": "atm_alerts_bot",
                    "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": False})  # fmt: skip

    def _get_chat(self, fields: dict[str, Any]) -> Answer:
        if str(fields.get("chat_id", "")) != self.chat_id:
            return _ERRORS["400"]
        return _ok({"id": int(self.chat_id), "title": "ATM alerts", "type": "supergroup",
                    "is_forum": True, "accent_color_id": 0, "max_reaction_count": 11})  # fmt: skip

    def _get_updates(self, fields: dict[str, Any]) -> Answer:
        if self.webhook:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; "
                          "use deleteWebhook to delete the webhook first")  # fmt: skip
        if self.other_poller:
            return _error(409, "Conflict: terminated by other getUpdates request; make sure "
                          "that only one bot instance is running")  # fmt: skip
        return _ok([])

    def _send(
        self,
        request: Recorded,
        method: str,
        fields: dict[str, Any],
        text: str,
        photo: Part | None,
        limit: int,
    ) -> Answer:
        if str(fields.get("chat_id", "")) != self.chat_id:
            return _ERRORS["400"]
        if photo is None and not text:
            return _error(400, "Bad Request: message text is empty")
        if len(text) > limit:
            what = "message caption is too long" if photo else "message is too long"
            return _error(400, f"Bad Request: {what}")
        thread = fields.get("message_thread_id")
        thread_id = int(thread) if thread is not None else None
        if thread_id is not None and thread_id not in self.topics:
            return _error(400, "Bad Request: message thread not found")
        with self.lock:
            self._message_id += 1
            message_id = self._message_id
            self.sent.append(Sent(method, self.chat_id, text, thread_id, photo, request))
        result: dict[str, Any] = {
            "message_id": message_id,
            "date": 1763761623,
            "chat": {"id": int(self.chat_id), "title": "ATM alerts", "type": "supergroup"},
        }
        if thread_id is not None:
            result |= {"message_thread_id": thread_id, "is_topic_message": True}
        if photo is not None:
            result["photo"] = [
                {
                    "file_id": f"AgAC{message_id}",
                    "file_unique_id": f"AQAD{message_id}",
                    "width": 64,
                    "height": 32,
                    "file_size": len(photo.data),
                }
            ]
            if text:
                result["caption"] = text
        else:
            result["text"] = text
        return Answer(200, {"ok": True, "result": result})

    def _fault(self, fault: Fault) -> Answer:
        if fault.name == "429":
            wait = fault.seconds
            return Answer(
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {wait:g}",
                    "parameters": {"retry_after": wait},
                },
                {"Retry-After": str(max(1, round(wait)))},
            )
        return _ERRORS[fault.name]

    def texts(self) -> list[str]:
        with self.lock:
            return [s.text for s in self.sent]


_READS = {
    "getme": FakeTelegram._get_me,
    "getchat": FakeTelegram._get_chat,
    "getupdates": FakeTelegram._get_updates,
}
