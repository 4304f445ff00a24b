"""The config's sections that describe the chart and the loop: what to look at, how to read it.

Each is a frozen, strict pydantic model; `atm.config` assembles them into `Config`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from atm.colors import REFERENCE_RGB
from atm.config_errors import shown

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


class Model(BaseModel):
    # strict: "5" is not a number and "yes" is not a bool in a config a trader relies on
    # no nan or inf anywhere: `timeout_min = inf` would hold Phase B open for ever
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


_PIXELS = 65_536  # no screen (or wall of screens) is wider or taller


class Roi(Model):
    """A rectangle in pixels; `x, y` is the top-left corner."""

    x: int = Field(ge=0, le=_PIXELS)
    y: int = Field(ge=0, le=_PIXELS)
    w: int = Field(gt=0, le=_PIXELS)
    h: int = Field(gt=0, le=_PIXELS)

    def contains(self, other: Roi) -> bool:
        return (
            other.x >= self.x
            and other.y >= self.y
            and other.x + other.w <= self.x + self.w
            and other.y + other.h <= self.y + self.h
        )


class ColorSpec(Model):
    rgb: Rgb
    tolerance: float = Field(gt=0, le=442)


def _color(name: str, tolerance: float = 60) -> Any:
    return Field(default=ColorSpec(rgb=REFERENCE_RGB[name], tolerance=tolerance))


class Colors(Model):
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


class CaptureSettings(Model):
    region: Roi = Roi(x=0, y=0, w=1920, h=1080)
    follow_window: bool = False
    # "print_window" (Windows): the chart window draws itself, so it is read while covered
    method: Literal["screen", "print_window"] = "screen"


class Loop(Model):
    interval_s: float = Field(default=5.0, gt=0, le=3600)  # a full cycle: audit line, canary
    # Live, the dot strip alone is read this often between full cycles, so an alert leaves
    # within a fraction of a second of the dot changing; a full cycle follows any change.
    # 0.1 s: alert p95 0.14 s at 0.8 % of a core idle (docs/benchmarks.md, bench_live)
    watch_interval_s: float = Field(default=0.1, gt=0, le=60)
    debounce_depth: int = Field(default=1, ge=1, le=20)


class Chart(Model):
    bar_minutes: float = Field(default=3, gt=0, le=43_200)  # the bar period: dots this far apart


class AxisPoint(Model):
    y: int = Field(ge=0, le=_PIXELS)
    price: float = Field(gt=0, le=1e9)


class YAxis(Model):
    points: Annotated[tuple[AxisPoint, AxisPoint], Field(strict=False)] = (
        AxisPoint(y=100, price=486.00),
        AxisPoint(y=800, price=480.00),
    )
    roi: Roi = Roi(x=1765, y=40, w=150, h=860)
    fingerprint: str = ""  # the label column at calibration: the points hold while it matches

    @field_validator("fingerprint")
    @classmethod
    def _base64(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", v):
            raise ValueError("expected the text calibration wrote (base64); run atm calibrate")
        return v

    @field_validator("points")
    @classmethod
    def _distinct(cls, v: tuple[AxisPoint, AxisPoint]) -> tuple[AxisPoint, AxisPoint]:
        if v[0].y == v[1].y or v[0].price == v[1].price:
            raise ValueError("the two points need different y and different price")
        return v


class Levels(Model):
    sl_rgb: Rgb = (255, 0, 0)
    tp_rgb: Rgb = (0, 255, 0)
    tolerance: float = Field(default=60, gt=0, le=442)
    # Phase B holds new triggers back while open: hours would silence a session
    timeout_min: float = Field(default=10, gt=0, le=240)
    # 1e-8: the finest `levels.decimals` prints; wider than the axis points' span: refused
    tick: float = Field(default=0.01, ge=1e-8, le=1000)


class CanarySettings(Model):
    # false: calibration found no region that holds still (all flat, or clocks and prices)
    enabled: bool = True
    roi: Roi = Roi(x=1765, y=0, w=150, h=30)
    baseline_phash: str = ""
    max_distance: int = Field(default=8, ge=0, le=64)
    every_cycles: int = Field(default=60, ge=1, le=1_000_000)
    # a changed region must hold still this long before it pauses: longer than a minute,
    # so a clock showing hours and minutes ticks inside it and is seen changing
    settle_s: float = Field(default=65.0, ge=0, le=3600)

    @field_validator("baseline_phash")
    @classmethod
    def _hex16(cls, v: str) -> str:
        if v and not re.fullmatch(r"[0-9a-fA-F]{16}", v):
            raise ValueError('expected 16 hex digits, or "" to set it from the first frame')
        return v.lower()


class Lockout(Model):
    minutes: float = Field(default=4, ge=0, le=1440)


class Heartbeat(Model):
    minutes: float = Field(default=30, gt=0, le=1440)


KindToggles = dict[AlertKind, bool]
_ATTACH: KindToggles = {
    "late_start": True, "catchup": True, "arm": False, "prime": False, "trigger": True,
}  # fmt: skip


class Alerts(Model):
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
                    f"unknown alert kind {shown(kind)}; kinds: {', '.join(get_args(AlertKind))}"
                )
            if not isinstance(flag, bool):
                raise ValueError(f"{kind}: expected true or false, got {shown(flag)}")
        return v

    def sends(self, kind: AlertKind) -> bool:
        return self.send.get(kind, True)

    def attaches(self, kind: AlertKind) -> bool:
        if isinstance(self.attach_screenshots, bool):
            return self.attach_screenshots
        return self.attach_screenshots.get(kind, False)
