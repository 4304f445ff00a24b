"""Telegram backend: Bot API `sendMessage`, or `sendPhoto` when the alert has a screenshot.

Every Bot API reply is `{"ok": true, "result": ...}` or `{"ok": false, "error_code": ...,
"description": ...}`. Delivered means HTTP 2xx *and* `ok: true`; a 200 whose body says
`ok: false` is a failure (the earlier build treated it as sent and lost alerts silently).

With `buttons`, a trigger alert carries the Taken / Skipped / False signal keyboard (its
`reply_markup`); the presses come back through `telegram_poll`.

A caption longer than Telegram's 1024 characters is trimmed rather than split into a photo
and a text message: one request per alert keeps a retry from re-sending half of it.
The bot token sits in the URL path (`/bot<token>/sendMessage`); it is redacted everywhere.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from pydantic import SecretStr

from atm.errors import PermanentNotifyError, RateLimited, TransientNotifyError
from atm.notify.base import Message
from atm.notify.http import HttpPoster, Reply, seconds, trim
from atm.notify.telegram_keyboard import keyboard

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_FILENAME = "alert.png"
_HINTS = {
    400: "check chat_id (and heartbeat_thread_id)",
    401: "the bot token was rejected; check notify.telegram.token",
    403: "the bot cannot write to this chat; start the bot or add it to the group",
    404: "wrong api_base or token",
}


class TelegramNotifier:
    name = "telegram"

    def __init__(
        self,
        token: SecretStr,
        chat_id: str,
        *,
        api_base: str = "https://api.telegram.org",
        heartbeat_thread_id: str = "",
        buttons: bool = False,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._token = token
        self._chat_id = chat_id
        self._api_base = api_base.rstrip("/")
        self._thread_id = heartbeat_thread_id
        self._buttons = buttons
        self._http = HttpPoster(
            "telegram", (token.get_secret_value(),), timeout=timeout, transport=transport
        )

    def send(self, message: Message) -> None:
        fields: dict[str, Any] = {"chat_id": self._chat_id}
        if message.thread == "heartbeat" and self._thread_id:
            thread = self._thread_id
            fields["message_thread_id"] = int(thread) if thread.lstrip("-").isdigit() else thread
        if self._buttons and message.kind == "trigger":
            fields["reply_markup"] = keyboard(message.id)
        if message.image_png:
            fields["caption"] = trim(message.text, CAPTION_LIMIT)
            if "reply_markup" in fields:  # a multipart field is text: the markup as JSON
                fields["reply_markup"] = json.dumps(fields["reply_markup"])
            reply = self._http.post(
                self._method_url("sendPhoto"),
                data={k: str(v) for k, v in fields.items()},
                files={"photo": (_FILENAME, message.image_png, "image/png")},
            )
        else:
            fields["text"] = trim(message.text, TEXT_LIMIT)
            reply = self._http.post(self._method_url("sendMessage"), json=fields)
        body = reply.body if isinstance(reply.body, dict) else None
        if reply.ok and body is not None and body.get("ok") is True:
            return
        raise self._error(reply, body or {})

    def _method_url(self, method: str) -> str:
        return f"{self._api_base}/bot{self._token.get_secret_value()}/{method}"

    def _error(self, reply: Reply, body: dict[str, Any]) -> Exception:
        code = body.get("error_code")
        status = code if isinstance(code, int) and not isinstance(code, bool) else reply.status
        said = self._http.redact(str(body.get("description") or reply.snippet or "no detail"))
        params = body.get("parameters")
        params = params if isinstance(params, dict) else {}
        wait = seconds(params.get("retry_after"))
        if wait is None and 429 in (status, reply.status):
            header = seconds(reply.headers.get("retry-after"))
            wait = 1.0 if header is None else header
        if wait is not None:
            return RateLimited(f"telegram: rate limited ({said}), retry after {wait:g} s", wait)
        detail = f"{said} (HTTP {reply.status}" + (f", error_code {code})" if code else ")")
        if status >= 500:
            return TransientNotifyError(f"telegram: server error, {detail}")
        if reply.ok and not body:  # a 200 that is not Bot API JSON: a proxy or a glitch
            return TransientNotifyError(f"telegram: unexpected reply, {detail}")
        if params.get("migrate_to_chat_id"):
            hint = f"the group is now a supergroup: set chat_id = {params['migrate_to_chat_id']}"
        else:
            hint = _HINTS.get(status, "Telegram refused the message")
        return PermanentNotifyError(f"telegram: {detail} — {hint}")

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"TelegramNotifier(api_base={self._api_base!r}, chat_id={self._chat_id!r})"
