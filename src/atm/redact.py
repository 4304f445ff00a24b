"""Secrets out of every text: masks for printing, a redactor for messages from services.

Webhook URLs carry their token in the path, Telegram's bot token sits in every API URL,
and apprise URLs may hold credentials anywhere. Whatever prints a config or passes on a
service's words goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from pydantic import SecretStr

from atm.config import Config

#: Shorter URL pieces are words like "api" or "v1", not credentials.
_MIN_SECRET = 4


class Redactor:
    """Replaces each known secret with `***`, however a service echoes it: as is, with any
    of its characters percent-encoded (`%3A` or `%3a`), in any letter case (a host name
    comes back lower-cased; over-matching a credential costs nothing)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # longest first, so a token inside a longer secret URL is not half-replaced
        unique = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._count = len(unique)
        pattern = "|".join(_encodable(s) for s in unique)
        self._pattern = re.compile(pattern, re.IGNORECASE) if unique else None

    def __call__(self, text: str) -> str:
        return self._pattern.sub("***", text) if self._pattern is not None else text

    def __repr__(self) -> str:
        return f"Redactor({self._count} secrets)"


def _encodable(secret: str) -> str:
    """A pattern for `secret` in which every character may also appear percent-encoded."""
    return "".join(_char(c) for c in secret)


def _char(c: str) -> str:
    encoded = "".join(f"%{b:02X}" for b in c.encode("utf-8"))
    plus = "|\\+" if c == " " else ""  # form encoding writes a space as +
    return f"(?:{re.escape(c)}|{encoded}{plus})"


def url_secrets(url: str) -> list[str]:
    """Every part of a service URL that may be a credential: user, password, path, query."""
    parts = urlsplit(url)
    pieces = [url, unquote(url)]
    if parts.scheme in ("http", "https"):
        pieces += [parts.username or "", parts.password or ""]
    else:  # apprise puts tokens where a host would be: tgram://<bot>:<token>/<chat>
        pieces += [parts.netloc, *re.split(r"[@:]", parts.netloc)]
    pieces += [p for seg in parts.path.split("/") for p in (seg, unquote(seg))]
    pieces += [value for _, value in parse_qsl(parts.query)]
    return [p for p in pieces if len(p) >= _MIN_SECRET]


def redact_config(config: Config) -> dict[str, Any]:
    """The effective config as a TOML-shaped dict with every secret masked."""
    data = config.model_dump(mode="json", by_alias=True, exclude={"source"})
    notify = data["notify"]
    notify["discord"]["webhook_url"] = mask_url(config.notify.discord.webhook_url)
    notify["telegram"]["token"] = mask(config.notify.telegram.token.get_secret_value())
    notify["apprise"]["urls"] = [mask_scheme(u) for u in config.notify.apprise.urls]
    data["healthcheck"]["url"] = mask_url(config.healthcheck.url)
    return data


def mask(secret: str) -> str:
    """Show that a secret is set without showing it."""
    return "***" if secret else ""


def mask_scheme(url: SecretStr | str) -> str:
    """An apprise URL as its scheme alone (`tgram://***`): apprise puts credentials in
    the host, the path, the user part or the query, depending on the service."""
    text = url.get_secret_value() if isinstance(url, SecretStr) else url
    match = re.match(r"([a-z][a-z0-9+.-]*)://", text, re.I)
    return f"{match.group(1)}://***" if match else ("***" if text else "")


def mask_url(url: SecretStr | str) -> str:
    """Keep scheme and host of a URL, hide its path (webhook URLs carry the token there)."""
    text = url.get_secret_value() if isinstance(url, SecretStr) else url
    match = re.match(r"([a-z][a-z0-9+.-]*://[^/@]*@?[^/]*)", text, re.I)
    if not text:
        return ""
    if match and "@" in match.group(1):
        return match.group(1).split("://")[0] + "://***"
    return (match.group(1) if match else "") + "/***"
