"""Load → environment override → validate → one frozen `Config` (SPEC §4).

Every error names the file and the dotted key and says what is expected, so a user can
fix the file without reading code. Secrets are `SecretStr`: they never show in a repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError

from atm import inputs
from atm.config import charts as chart_tables
from atm.config.journal import Journal
from atm.config.sections import (
    AlertKind,
    Alerts,
    AxisPoint,
    CanarySettings,
    CaptureSettings,
    Chart,
    Colors,
    ColorSpec,
    Heartbeat,
    KindToggles,
    Levels,
    Lockout,
    Loop,
    Model,
    Rgb,
    Roi,
    YAxis,
)
from atm.config.services import (
    Apprise,
    Calendar,
    Discord,
    Healthcheck,
    IdText,
    Notify,
    Schedule,
    Telegram,
)
from atm.config_errors import describe
from atm.errors import ConfigError, UsageError
from atm.geometry import Rect
from atm.secrets import ENV_SECRETS, SecretStore, Source, open_store, overlay

# The sections live in `sections` and `services`; they are part of this module's surface.
__all__ = [
    "ENV_SECRETS",
    "AlertKind",
    "Alerts",
    "Apprise",
    "AxisPoint",
    "Calendar",
    "CanarySettings",
    "CaptureSettings",
    "Chart",
    "ColorSpec",
    "Colors",
    "Config",
    "Discord",
    "Healthcheck",
    "Heartbeat",
    "IdText",
    "KindToggles",
    "Levels",
    "Lockout",
    "Loop",
    "Notify",
    "Rgb",
    "Roi",
    "Schedule",
    "Telegram",
    "YAxis",
    "each_chart",
    "from_dict",
    "load",
    "pick_charts",
]


class Config(Model):
    schema_: Literal[1] = Field(default=1, alias="schema")
    window_title: str = Field(default="TradeStation", max_length=200)
    symbol_label: str = Field(default="DIA→US30", max_length=64)
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

    #: The chart's name under `[[charts]]`; "" for a single-chart config.
    name: str = ""
    #: One config per `[[charts]]` table (the shared keys with the chart's laid over
    #: them); empty for a single-chart config. Not a TOML key as such.
    charts: tuple[Config, ...] = Field(default=(), exclude=True)
    #: Where it was loaded from ("" for built-in defaults); not a TOML key.
    source: str = Field(default="", exclude=True)
    #: Where each secret came from (dotted key → source); not a TOML key.
    secret_sources: dict[str, Source] = Field(default_factory=dict, exclude=True)

    @property
    def area(self) -> Rect:
        """The chart's part of a screen it shares with others: every region calibrated on it."""
        rois = (self.dot_roi, self.chart_roi, self.y_axis.roi, self.canary.roi)
        return Rect.union([Rect.of(r) for r in rois])


def load(
    path: Path, env: Mapping[str, str] | None = None, store: SecretStore | bool | None = True
) -> Config:
    """Read, lay secrets from the environment and the keyring over it, validate.

    `store` True = the OS keyring when usable. Raises `ConfigError` naming the key. Only a
    regular UTF-8 file (a byte-order mark is fine) of at most 1 MiB is read, and it may
    nest only `inputs.MAX_DEPTH` levels deep.
    """
    raw = inputs.read_toml(path, "config file", ConfigError)
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
    shared, tables = chart_tables.split(data, source)
    config = _validate(shared, source, sources)
    charts = tuple(
        _validate(chart_tables.merged(shared, table), source, sources, (i, table))
        for i, table in enumerate(tables)
    )
    return config.model_copy(update={"charts": charts}) if charts else config


def each_chart(config: Config) -> tuple[Config, ...]:
    """The charts to watch: one config per `[[charts]]` table, or `config` alone."""
    return config.charts or (config,)


def pick_charts(config: Config, name: str | None) -> tuple[Config, ...]:
    """The charts a one-off command (debug, dryrun, label) works on: the one `--chart NAME`
    names, or every chart when `name` is None."""
    charts = each_chart(config)
    if name is None:
        return charts
    if not config.charts:
        raise UsageError(
            f"--chart {name}: {config.source or 'this config'} watches one chart "
            "(no [[charts]]); leave --chart out"
        )
    chosen = tuple(c for c in charts if c.name == name)
    if not chosen:
        names = ", ".join(c.name for c in charts)
        raise UsageError(f"--chart {name}: no such chart; this config watches {names}")
    return chosen


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
        prefix = f"charts[{chart[0]}]." if chart and chart_tables.owns(chart[1], loc) else ""
        raise ConfigError(describe(source, exc, Config, prefix)) from None
    _check_rois(config, source, f"charts[{chart[0]}]." if chart else "")
    return config


def _check_rois(config: Config, source: str, prefix: str = "") -> None:
    """What no one section can check: ROIs inside the capture region, and a tick finer than
    the calibrated price span (a wider one rounds every level to one value)."""
    low, high = sorted(p.price for p in config.y_axis.points)
    if config.levels.tick > high - low:
        raise ConfigError(
            f"{source}: {prefix}levels.tick: {config.levels.tick:g} is more than the price span of "
            f"y_axis.points ({low:g} to {high:g}); expected the instrument's tick, such as 0.01"
        )
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
