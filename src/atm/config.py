"""Load → environment override → validate → one frozen `Config` (SPEC §4).

Every error names the file and the dotted key and says what is expected, so a user can
fix the file without reading code. Secrets are `SecretStr`: they never show in a repr.
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from atm import config_charts
from atm.colors import REFERENCE_RGB
from atm.config_errors import describe
from atm.errors import ConfigError
from atm.journal.settings import Journal
from atm.secrets import ENV_SECRETS, SecretStore, Source, open_store, overlay

__all__ = ["ENV_SECRETS", "Config", "from_dict", "load"]

AlertKind = Literal[
    "startup",
    "stop",
    "late_start",
    "catchup",
    "arm",
    "prime",
    "trigger",
    "levels",
    "heartbeat",
    "health",
]
_Channel = Annotated[int, Field(ge=0, le=255, strict=True)]
# TOML has arrays, not tuples: the outer type is lax so a list is accepted
Rgb = Annotated[tuple[_Channel, _Channel, _Channel], Field(strict=False)]


class _Model(BaseModel):
    # strict: "5" is not a number and "yes" is not a bool in a config a trader relies on
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Roi(_Model):
    """A rectangle in pixels; `x, y` is the top-left corner."""

    x: int = Field(ge=0)
    y: int = Field(ge=0)
    w: int = Field(gt=0)
    h: int = Field(gt=0)

    def contains(self, other: Roi) -> bool:
        return (
            other.x >= self.x
            and other.y >= self.y
            and other.x + other.w <= self.x + self.w
            and other.y + other.h <= self.y + self.h
        )


class ColorSpec(_Model):
    rgb: Rgb
    tolerance: float = Field(gt=0, le=442)


def _color(name: str, tolerance: float = 60) -> Any:
    return Field(default=ColorSpec(rgb=REFERENCE_RGB[name], tolerance=tolerance))


class Colors(_Model):
    turquoise: ColorSpec = _color("turquoise")
    yellow: ColorSpec = _color("yellow")
    dark_green: ColorSpec = _color("dark_green")
    dark_red: ColorSpec = _color("dark_red")
    light_green: ColorSpec = _color("light_green")
    light_red: ColorSpec = _color("light_red")
    gray: ColorSpec = _color("gray")
    background: ColorSpec = _color("background", 25)

    def dots(self) -> dict[str, ColorSpec]:
        """The seven dot classes, background excluded."""
        return {k: v for k, v in self if k != "background"}


class CaptureSettings(_Model):
    region: Roi = Roi(x=0, y=0, w=1920, h=1080)
    follow_window: bool = False
    # "print_window" (Windows): the chart window draws itself, so it is read while covered
    method: Literal["screen", "print_window"] = "screen"


class Loop(_Model):
    interval_s: float = Field(default=5.0, gt=0, le=3600)  # a full cycle: audit line, canary
    # Live, the dot strip alone is read this often between full cycles, so an alert leaves
    # within a fraction of a second of the dot changing; a full cycle follows any change.
    watch_interval_s: float = Field(default=0.25, gt=0, le=60)
    debounce_depth: int = Field(default=1, ge=1, le=20)


class Chart(_Model):
    bar_minutes: float = Field(default=3, gt=0)  # the chart's bar period: dots are this far apart


class AxisPoint(_Model):
    y: int = Field(ge=0)
    price: float


class YAxis(_Model):
    points: Annotated[tuple[AxisPoint, AxisPoint], Field(strict=False)] = (
        AxisPoint(y=100, price=486.00),
        AxisPoint(y=800, price=480.00),
    )
    roi: Roi = Roi(x=1765, y=40, w=150, h=860)

    @field_validator("points")
    @classmethod
    def _distinct(cls, v: tuple[AxisPoint, AxisPoint]) -> tuple[AxisPoint, AxisPoint]:
        if v[0].y == v[1].y or v[0].price == v[1].price:
            raise ValueError("the two points need different y and different price")
        return v


class Levels(_Model):
    sl_rgb: Rgb = (255, 0, 0)
    tp_rgb: Rgb = (0, 255, 0)
    tolerance: float = Field(default=60, gt=0, le=442)
    timeout_min: float = Field(default=10, gt=0)
    tick: float = Field(default=0.01, gt=0)


class CanarySettings(_Model):
    roi: Roi = Roi(x=1765, y=0, w=150, h=30)
    baseline_phash: str = ""
    max_distance: int = Field(default=8, ge=0, le=64)
    every_cycles: int = Field(default=60, ge=1)

    @field_validator("baseline_phash")
    @classmethod
    def _hex16(cls, v: str) -> str:
        if v and not re.fullmatch(r"[0-9a-fA-F]{16}", v):
            raise ValueError('expected 16 hex digits, or "" to set it from the first frame')
        return v.lower()


class Lockout(_Model):
    minutes: float = Field(default=4, ge=0)


class Heartbeat(_Model):
    minutes: float = Field(default=30, gt=0)


KindToggles = dict[AlertKind, bool]
_ATTACH: KindToggles = {
    "late_start": True, "catchup": True, "arm": False, "prime": False, "trigger": True,
}  # fmt: skip


class Alerts(_Model):
    """Per kind: is it sent, does it carry the annotated screenshot."""

    attach_screenshots: bool | KindToggles = Field(default_factory=lambda: dict(_ATTACH))
    send: KindToggles = Field(default_factory=dict)

    @field_validator("attach_screenshots", "send", mode="before")
    @classmethod
    def _toggles(cls, v: object) -> object:
        if isinstance(v, bool):
            return v
        if not isinstance(v, dict):
            raise ValueError("expected true/false or a table such as { trigger = true }")
        for kind, flag in v.items():
            if kind not in get_args(AlertKind):
                raise ValueError(
                    f"unknown alert kind {kind!r}; kinds: {', '.join(get_args(AlertKind))}"
                )
            if not isinstance(flag, bool):
                raise ValueError(f"{kind}: expected true or false, got {flag!r}")
        return v

    def sends(self, kind: AlertKind) -> bool:
        return self.send.get(kind, True)

    def attaches(self, kind: AlertKind) -> bool:
        if isinstance(self.attach_screenshots, bool):
            return self.attach_screenshots
        return self.attach_screenshots.get(kind, False)


def _id_text(v: object) -> object:
    """Chat and thread ids are numbers to Telegram and Discord; accept them unquoted."""
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


IdText = Annotated[str, BeforeValidator(_id_text)]


class Discord(_Model):
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


class Telegram(_Model):
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


class Apprise(_Model):
    urls: Annotated[tuple[SecretStr, ...], Field(strict=False)] = ()


class Notify(_Model):
    discord: Discord = Discord()
    telegram: Telegram = Telegram()
    apprise: Apprise = Apprise()


Calendar = Literal["CME", "NYSE", "none"]


class Schedule(_Model):
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


class Healthcheck(_Model):
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


class Config(_Model):
    schema_: Literal[1] = Field(default=1, alias="schema")
    window_title: str = "TradeStation"
    symbol_label: str = "DIA→US30"
    dot_roi: Roi = Roi(x=60, y=930, w=1700, h=40)
    chart_roi: Roi = Roi(x=60, y=40, w=1700, h=860)
    capture: CaptureSettings = CaptureSettings()
    loop: Loop = Loop()
    chart: Chart = Chart()
    colors: Colors = Colors()
    y_axis: YAxis = YAxis()
    levels: Levels = Levels()
    canary: CanarySettings = CanarySettings()
    lockout: Lockout = Lockout()
    heartbeat: Heartbeat = Heartbeat()
    alerts: Alerts = Alerts()
    notify: Notify = Notify()
    schedule: Schedule = Schedule()
    healthcheck: Healthcheck = Healthcheck()
    journal: Journal = Journal()

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    #: Where it was loaded from ("" for built-in defaults); not a TOML key.
    #: The chart's name under `[[charts]]`; "" for a single-chart config.
    name: str = ""
    #: One config per `[[charts]]` table (the shared keys with the chart's laid over
    #: them); empty for a single-chart config. Not a TOML key as such.
    charts: tuple[Config, ...] = Field(default=(), exclude=True)

    source: str = Field(default="", exclude=True)
    #: Where each secret came from (dotted key → source); not a TOML key.
    secret_sources: dict[str, Source] = Field(default_factory=dict, exclude=True)


def load(
    path: Path, env: Mapping[str, str] | None = None, store: SecretStore | bool | None = True
) -> Config:
    """Read, lay secrets from the environment and the keyring over it, validate.

    `store` True = the OS keyring when usable. Raises `ConfigError` naming the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    keyring = open_store()[0] if store is True else store or None
    return from_dict(raw, str(path), os.environ if env is None else env, keyring)


def from_dict(
    raw: Mapping[str, Any],
    source: str = "<defaults>",
    env: Mapping[str, str] | None = None,
    store: SecretStore | None = None,
) -> Config:
    """Validate a TOML-shaped mapping; `env` secrets (ATM_*) win over `store`'s, which win
    over the mapping's."""
    data, sources = overlay(dict(raw), env or {}, store)
    shared, tables = config_charts.split(data, source)
    config = _validate(shared, source, sources)
    charts = tuple(
        _validate(config_charts.merged(shared, table), source, sources, (i, table))
        for i, table in enumerate(tables)
    )
    return config.model_copy(update={"charts": charts}) if charts else config


def each_chart(config: Config) -> tuple[Config, ...]:
    """The charts to watch: one config per `[[charts]]` table, or `config` alone."""
    return config.charts or (config,)


def _validate(
    data: Mapping[str, Any],
    source: str,
    sources: dict[str, Source],
    chart: tuple[int, Mapping[str, Any]] | None = None,
) -> Config:
    """One config; for a chart, errors in keys its table set are named `charts[i].key`."""
    try:
        config = Config.model_validate({**data, "source": source, "secret_sources": sources})
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        prefix = f"charts[{chart[0]}]." if chart and config_charts.owns(chart[1], loc) else ""
        raise ConfigError(describe(source, exc, Config, prefix)) from None
    _check_rois(config, source, f"charts[{chart[0]}]." if chart else "")
    return config


def _check_rois(config: Config, source: str, prefix: str = "") -> None:
    region = config.capture.region
    bounds = Roi(x=0, y=0, w=region.w, h=region.h)
    rois = {
        "dot_roi": config.dot_roi,
        "chart_roi": config.chart_roi,
        "y_axis.roi": config.y_axis.roi,
        "canary.roi": config.canary.roi,
    }
    for key, roi in rois.items():
        if not bounds.contains(roi):
            raise ConfigError(
                f"{source}: {prefix}{key}: {roi.x},{roi.y} {roi.w}x{roi.h} lies outside the "
                f"capture region ({region.w}x{region.h}); ROIs are relative to capture.region"
            )
