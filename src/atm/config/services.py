"""The config's sections for the outside world: notification services, the session
schedule and the dead-man's switch. Secrets are `SecretStr`: they never show in a repr.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, SecretStr, field_validator

from atm.config.sections import Model


def _id_text(v: object) -> object:
    """Chat and thread ids are numbers to Telegram and Discord; accept them unquoted."""
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


IdText = Annotated[str, BeforeValidator(_id_text)]


class Discord(Model):
    webhook_url: SecretStr = SecretStr("")
    heartbeat_thread_id: IdText = ""

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, v: SecretStr) -> SecretStr:
        url = v.get_secret_value()
        if url and not re.match(r"https?://[^/]+/", url):
            raise ValueError("expected an https:// webhook URL (Server Settings → Integrations)")
        return v

    @property
    def enabled(self) -> bool:
        return bool(self.webhook_url.get_secret_value())


class Telegram(Model):
    token: SecretStr = SecretStr("")
    chat_id: IdText = ""
    api_base: str = "https://api.telegram.org"
    heartbeat_thread_id: IdText = ""
    buttons: bool = False  # Taken / Skipped / False signal under each trigger alert

    @field_validator("api_base")
    @classmethod
    def _base(cls, v: str) -> str:
        if not re.match(r"https?://", v):
            raise ValueError("expected an http(s):// URL")
        return v.rstrip("/")

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value() and self.chat_id)


class Apprise(Model):
    urls: Annotated[tuple[SecretStr, ...], Field(strict=False)] = ()


class Notify(Model):
    discord: Discord = Discord()
    telegram: Telegram = Telegram()
    apprise: Apprise = Apprise()


Calendar = Literal["CME", "NYSE", "none"]


class Schedule(Model):
    """When sessions are, in the exchange's zone; `atm run` and `atm schedule` read this."""

    timezone: str = ""  # "" = the machine's local zone
    calendar: Calendar = "none"  # holidays and early closes (atm.calendars)
    start_at: str = ""  # "HH:MM" session start; --start-at overrides it
    stop_at: str = ""  # "HH:MM" session end; --stop-at overrides it
    # the installed task starts this early and `atm run` waits for start_at
    lead_minutes: int = Field(default=10, ge=0, le=720)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        if v:
            try:
                zoneinfo.ZoneInfo(v)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError("expected an IANA zone such as America/New_York") from None
        return v

    @field_validator("start_at", "stop_at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", v.strip())
        if v and not (match and int(match[1]) < 24 and int(match[2]) < 60):
            raise ValueError('expected a 24-hour time "HH:MM" such as "09:30", or ""')
        return v.strip()


class Healthcheck(Model):
    """A dead-man's switch: Healthchecks ping URL or Uptime Kuma push URL (a secret)."""

    url: SecretStr = SecretStr("")
    timeout_s: float = Field(default=10.0, gt=0, le=60)

    @field_validator("url")
    @classmethod
    def _url(cls, v: SecretStr) -> SecretStr:
        if v.get_secret_value() and not re.match(r"https?://[^/]+/", v.get_secret_value()):
            raise ValueError("expected an http(s):// ping URL such as https://hc-ping.com/<uuid>")
        return v

    @property
    def enabled(self) -> bool:
        return bool(self.url.get_secret_value())
