"""The one place notify backends touch httpx: timeouts, error translation, token redaction.

httpx puts the full URL in its log lines and exception texts; Telegram's bot token is in
the URL path and Discord's webhook token is its last segment. So the httpx and httpcore
loggers are held at WARNING, transport errors are re-raised as `NotifyError` without their
original text or context, and every piece of text taken from a reply is redacted.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from atm.errors import NotifyError, TransientNotifyError
from atm.redact import Redactor

_QUIET_LOGGERS = ("httpx", "httpcore")
_SNIPPET = 120


def quiet_http_loggers() -> None:
    """httpx logs every request with its URL at INFO, which would print the bot token."""
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a service answered: status, lower-cased headers, JSON body (None if not JSON)."""

    status: int
    headers: Mapping[str, str]
    body: Any
    snippet: str  # the start of the raw text, redacted, for messages when the body is not JSON

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class HttpPoster:
    """A small httpx client for one backend; every failure leaves as a `NotifyError`."""

    def __init__(
        self,
        service: str,
        secrets: Iterable[str],
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        quiet_http_loggers()
        self.service = service
        self.timeout = timeout
        self.redact = Redactor(secrets)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout), transport=transport, follow_redirects=False
        )

    def post(self, url: str, **kwargs: Any) -> Reply:
        """POST and read the reply; transport failures become `TransientNotifyError`."""
        return self.request("POST", url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Reply:
        """GET and read the reply; transport failures become `TransientNotifyError`."""
        return self.request("GET", url, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        """Send and read the reply; transport failures become `TransientNotifyError`.

        The error is raised after the `except` block, not in it: then not even its
        `__context__` refers to the httpx exception, whose request holds the URL.
        """
        try:
            return self._reply(self._client.request(method, url, **kwargs))
        except httpx.TimeoutException:
            error: NotifyError = TransientNotifyError(
                f"{self.service}: no reply within {self.timeout:g} s (timed out)"
            )
        except httpx.ConnectError as exc:
            reason = self.redact(str(exc)) or "refused"
            error = TransientNotifyError(f"{self.service}: cannot connect ({reason})")
        except httpx.TransportError as exc:
            error = TransientNotifyError(
                f"{self.service}: connection failed ({type(exc).__name__})"
            )
        except httpx.HTTPError as exc:  # e.g. a redirect loop or a decoding error
            error = NotifyError(f"{self.service}: request failed ({type(exc).__name__})")
        raise error

    def _reply(self, response: httpx.Response) -> Reply:
        text = response.text
        try:
            body: Any = json.loads(text) if text else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in response.headers.items()}
        snippet = " ".join(self.redact(text).split())[:_SNIPPET]
        return Reply(response.status_code, headers, body, snippet)

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return f"HttpPoster({self.service!r}, timeout={self.timeout:g})"


def trim(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def seconds(value: object) -> float | None:
    """A wait hint from a JSON field or header: a finite, non-negative number, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None
