"""A fake Telegram Bot API on 127.0.0.1: `sendMessage`, `sendPhoto`, `getMe` and
`getChat` (for `atm doctor`), and the buttons: `getUpdates`, `answerCallbackQuery`,
`editMessageReplyMarkup`.

Replies are shaped like the real ones: `{"ok": true, "result": Message}` or
`{"ok": false, "error_code": N, "description": "..."}` (plus `parameters.retry_after` on
429). Extra faults: `ok_false` (HTTP 200, `ok: false`, chat not found), `ok_false_500`
(HTTP 200, `ok: false`, error_code 500) and `not_json` (HTTP 200 with an HTML page).

Buttons, as the Bot API documents them: a message sent with an inline keyboard
(`reply_markup`, JSON text in a multipart request) is kept; `press()` makes the
`callback_query` update a tap on one of its buttons would make (only buttons the message
has; from the chat it is in, or another). `getUpdates` drops the updates below `offset`
(confirmed), returns the rest at once, or holds the request up to `timeout` seconds for
one; a newer `getUpdates` ends a held one with 409 Conflict, and `conflict(seconds)` makes
every poll fail so (another bot instance on the token). A callback query must be answered
once (again, or an unknown id: 400 "query is too old"); an edit to the same markup is 400
"message is not modified". `auto_press` scripts presses as keyboards arrive. `webhook`
makes getUpdates refuse as with a webhook set, `other_poller` as with another program
polling the token (both 409, as `atm doctor` must tell them apart).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

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
    "409": _error(
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running",
    ),
}
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
TRADER = {"id": 5550001, "is_bot": False, "first_name": "Trader", "username": "trader"}


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
    message_id: int = 0
    reply_markup: dict[str, Any] | None = None

    def buttons(self) -> list[str]:
        """The `callback_data` of each inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


@dataclass(slots=True)
class _Kept:
    """A message the bot sent, as the fake keeps it for presses and edits."""

    sent: Sent
    markup: dict[str, Any] | None
    edits: list[dict[str, Any] | None] = field(default_factory=list)


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
        self.kept: dict[int, _Kept] = {}
        self.answers: list[dict[str, Any]] = []  # answerCallbackQuery calls, as received
        self.auto_press: Callable[[Sent], list[str]] | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(700000001)
        self._query_ids = itertools.count(4400000000000000001)
        self._unanswered: set[str] = set()
        self._poll_generation = 0
        self._conflict_until = 0.0
        self.other_poller = False  # another program holds the token: every poll 409
        self.webhook = False  # a webhook is set: getUpdates refuses (409)
        super().__init__()
        self._arrived = threading.Condition(self.lock)  # the lock the base class made

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
        handler = self._button_methods.get(method)
        return handler(self, fields) if handler else _ERRORS["404"]

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
        markup, problem = _keyboard(fields.get("reply_markup"))
        if problem:
            return _error(400, f"Bad Request: {problem}")
        with self.lock:
            self._message_id += 1
            message_id = self._message_id
            sent = Sent(method, self.chat_id, text, thread_id, photo, request, message_id, markup)
            self.sent.append(sent)
            self.kept[message_id] = _Kept(sent, markup)
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
        if markup:
            result["reply_markup"] = markup
            for data in self.auto_press(sent) if self.auto_press else []:
                self.press(message_id, data)
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

    # -- buttons: what the trader's taps produce ---------------------------------------------

    def press(self, message_id: int, data: str, chat_id: str | None = None) -> int:
        """Tap the button whose `callback_data` is `data` under message `message_id` (seen
        from `chat_id`, the message's own chat by default). Returns the update id."""
        with self.lock:
            kept = self.kept[message_id]
            buttons = [b for row in (kept.markup or {}).get("inline_keyboard", []) for b in row]
            if data not in [b.get("callback_data") for b in buttons]:
                raise ValueError(f"message {message_id} has no button {data!r}")
            query_id = str(next(self._query_ids))
            self._unanswered.add(query_id)
            message = self._message(kept)
            if chat_id is not None:
                message["chat"] = {**message["chat"], "id": int(chat_id)}
            update_id = next(self._update_ids)
            query = {"id": query_id, "from": TRADER, "message": message,
                     "chat_instance": "-8120446603322222222", "data": data}  # fmt: skip
            self._updates.append({"update_id": update_id, "callback_query": query})
            self._arrived.notify_all()
        return update_id

    def conflict(self, seconds: float) -> None:
        """Another program polls this token for `seconds`: our polls get 409 meanwhile."""
        with self.lock:
            self._conflict_until = time.monotonic() + seconds
            self._arrived.notify_all()

    def pending_updates(self) -> list[int]:
        """Update ids Telegram still holds (not confirmed by a higher offset)."""
        with self.lock:
            return [u["update_id"] for u in self._updates]

    def markup_of(self, message_id: int) -> dict[str, Any] | None:
        with self.lock:
            return self.kept[message_id].markup

    def close(self) -> None:
        with self.lock:
            self._arrived.notify_all()
        super().close()

    def _message(self, kept: _Kept) -> dict[str, Any]:
        sent = kept.sent
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": 1763761623,
            "chat": {"id": int(self.chat_id), "title": "ATM alerts", "type": "supergroup"},
            "from": {"id": 123456789, "is_bot": True, "first_name": "ATM", "username": "atm_bot"},
            ("caption" if sent.photo else "text"): sent.text,
        }
        if kept.markup:
            message["reply_markup"] = kept.markup
        return message

    def _get_updates(self, fields: dict[str, Any]) -> Answer:
        offset = int(fields.get("offset", 0) or 0)
        wait = float(fields.get("timeout", 0) or 0)
        limit = int(fields.get("limit", 100) or 100)
        allowed = _json_field(fields.get("allowed_updates")) or None
        deadline = time.monotonic() + wait
        if self.webhook:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; "
                          "use deleteWebhook to delete the webhook first")  # fmt: skip
        with self.lock:
            self._poll_generation += 1
            mine = self._poll_generation
            if offset:  # everything below the offset is confirmed, and forgotten
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while True:
                held = self.other_poller or time.monotonic() < self._conflict_until
                if held or mine != self._poll_generation:
                    return _ERRORS["409"]
                ready = [u for u in self._updates if allowed is None or set(u) & set(allowed)]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._stopped.is_set():
                    return Answer(200, {"ok": True, "result": ready[:limit]})
                self._arrived.wait(min(remaining, 0.05))

    def _answer_callback(self, fields: dict[str, Any]) -> Answer:
        query_id = str(fields.get("callback_query_id", ""))
        text = str(fields.get("text", ""))
        with self.lock:
            if query_id not in self._unanswered:
                return _error(400, TOO_OLD)
            if len(text) > 200:
                return _error(400, "Bad Request: MESSAGE_TOO_LONG")
            self._unanswered.discard(query_id)
            self.answers.append(dict(fields))
        return Answer(200, {"ok": True, "result": True})

    def _edit_markup(self, fields: dict[str, Any]) -> Answer:
        markup, problem = _keyboard(fields.get("reply_markup"))
        if problem:
            return _error(400, f"Bad Request: {problem}")
        with self.lock:
            kept = self.kept.get(int(fields.get("message_id", 0) or 0))
            if kept is None or str(fields.get("chat_id")) != self.chat_id:
                return _error(400, "Bad Request: message to edit not found")
            if markup == kept.markup:
                return _error(400, NOT_MODIFIED)
            kept.markup = markup
            kept.edits.append(markup)
            return Answer(200, {"ok": True, "result": self._message(kept)})

    _button_methods: ClassVar[dict[str, Callable[[FakeTelegram, dict[str, Any]], Answer]]] = {
        "getme": _get_me,
        "getchat": _get_chat,
        "getupdates": _get_updates,
        "answercallbackquery": _answer_callback,
        "editmessagereplymarkup": _edit_markup,
    }


def _json_field(value: object) -> Any:
    """A Bot API parameter that is JSON: an object in a JSON body, text in a form."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _keyboard(raw: object) -> tuple[dict[str, Any] | None, str]:
    """An InlineKeyboardMarkup checked as Telegram does; (markup, problem)."""
    if raw is None:
        return None, ""
    markup = _json_field(raw)
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        return None, 'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                return None, "can't parse inline keyboard button: Text buttons are unallowed"
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                return None, "BUTTON_DATA_INVALID"
    return markup, ""
