"""Secrets out of every text: masks for printing, a redactor for messages from services.

Webhook URLs carry their token in the path, Telegram's bot token sits in every API URL,
and apprise URLs may hold credentials anywhere. Whatever prints a config or passes on a
service's words goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from pydantic import SecretStr

from atm.config import Config

#: Shorter URL pieces are words like "api" or "v1", not credentials.
_MIN_SECRET = 4


class Redactor:
    """Replaces each known secret (and its URL-encoded form) with `***`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for s in secrets if s for form in (s, quote(s, safe=""))}
        # longest first, so a token inside a longer secret URL is not half-replaced
        self._secrets = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


def url_secrets(url: str) -> list[str]:
    """Every part of a service URL that may be a credential: user, password, path, query."""
    parts = urlsplit(url)
    pieces = [url, parts.username or "", parts.password or ""]
    pieces += [unquote(p) for p in parts.path.split("/")]
    pieces += [value for _, value in parse_qsl(parts.query)]
    if parts.scheme not in ("http", "https"):
        pieces.append(parts.hostname or "")  # e.g. tgram://<token>/<chat>: the "host" is a token
    return [p for p in pieces if len(p) >= _MIN_SECRET]


def redact_config(config: Config) -> dict[str, Any]:
    """The effective config as a TOML-shaped dict with every secret masked."""
    data = config.model_dump(mode="json", by_alias=True, exclude={"source"})
    notify = data["notify"]
    notify["discord"]["webhook_url"] = mask_url(config.notify.discord.webhook_url)
    notify["telegram"]["token"] = mask(config.notify.telegram.token.get_secret_value())
    notify["apprise"]["urls"] = [mask_url(u) for u in config.notify.apprise.urls]
    data["healthcheck"]["url"] = mask_url(config.healthcheck.url)
    return data


def mask(secret: str) -> str:
    """Show that a secret is set without showing it."""
    return "***" if secret else ""


def mask_url(url: SecretStr | str) -> str:
    """Keep scheme and host of a URL, hide its path (webhook URLs carry the token there)."""
    text = url.get_secret_value() if isinstance(url, SecretStr) else url
    match = re.match(r"([a-z][a-z0-9+.-]*://[^/@]*@?[^/]*)", text, re.I)
    if not text:
        return ""
    if match and "@" in match.group(1):
        return match.group(1).split("://")[0] + "://***"
    return (match.group(1) if match else "") + "/***"
