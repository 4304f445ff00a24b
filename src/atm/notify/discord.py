"""Discord backend: execute a webhook (`POST {webhook_url}?wait=true`), screenshot as a file.

`wait=true` makes Discord answer only once the message is saved, so a 200 means delivered
and a failure is an error reply rather than a silent 204. The webhook token is the last
path segment of the URL: it is redacted from every text this module produces.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from atm.errors import PermanentNotifyError, RateLimited, TransientNotifyError
from atm.notify.base import Message
from atm.notify.http import HttpPoster, Reply, seconds, trim
from atm.redact import mask_url

CONTENT_LIMIT = 2000  # characters, Discord's limit for `content`
_FILENAME = "alert.png"
_HINTS = {
    401: "the webhook token was rejected; copy the webhook URL again",
    403: "the webhook may not post here; check the channel permissions",
    404: "the webhook was deleted or the URL is wrong; create a new webhook",
}


def webhook_token(url: str) -> str:
    """The token: the last path segment of `https://discord.com/api/webhooks/<id>/<token>`."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


class DiscordNotifier:
    name = "discord"

    def __init__(
        self,
        webhook_url: SecretStr,
        *,
        heartbeat_thread_id: str = "",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        url = webhook_url.get_secret_value()
        self._url = webhook_url
        self._masked = mask_url(webhook_url)
        self._thread_id = heartbeat_thread_id
        self._http = HttpPoster(
            "discord", (url, webhook_token(url)), timeout=timeout, transport=transport
        )

    def send(self, message: Message) -> None:
        payload: dict[str, Any] = {
            "content": trim(message.text, CONTENT_LIMIT),
            # an alert text must never ping @everyone or a role
            "allowed_mentions": {"parse": []},
        }
        params = {"wait": "true"}
        if message.thread == "heartbeat" and self._thread_id:
            params["thread_id"] = self._thread_id
        url = self._url.get_secret_value()
        if message.image_png:
            payload["attachments"] = [{"id": 0, "filename": _FILENAME}]
            reply = self._http.post(
                url,
                params=params,
                data={"payload_json": json.dumps(payload)},
                files={"files[0]": (_FILENAME, message.image_png, "image/png")},
            )
        else:
            reply = self._http.post(url, params=params, json=payload)
        if not reply.ok:
            raise self._error(reply)

    def _error(self, reply: Reply) -> Exception:
        body = reply.body if isinstance(reply.body, dict) else {}
        said = self._http.redact(str(body.get("message") or reply.snippet or "no detail"))
        code = body.get("code")
        detail = f"HTTP {reply.status}: {said}" + (f" (code {code})" if code is not None else "")
        if reply.status == 429:
            # the body's float is the precise one; the headers are the fallback
            hints = (
                seconds(body.get("retry_after")),
                seconds(reply.headers.get("x-ratelimit-reset-after")),
                seconds(reply.headers.get("retry-after")),
            )
            wait = next((s for s in hints if s is not None), 1.0)
            return RateLimited(f"discord: rate limited, retry after {wait:g} s", wait)
        if reply.status >= 500:
            return TransientNotifyError(f"discord: server error, {detail}")
        hint = _HINTS.get(reply.status, "Discord refused the message")
        return PermanentNotifyError(f"discord: {detail} — {hint}")

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"DiscordNotifier(webhook_url={self._masked!r}, thread={self._thread_id!r})"
