"""The keys a calibration decides, as TOML-shaped values over the previous config's.

One chart's worth: window title, strip and chart ROIs, capture region, colours, y-axis
and canary. `save` lays them over a single-chart config, `tables` into a `[[charts]]`
table; what calibration does not decide (tolerances, the canary's timing) is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atm.calibration import Calibration, clip, default_canary
from atm.colors import CALIBRATED, REFERENCE_RGB
from atm.geometry import Rect

_DEFAULT_TOLERANCE = {"background": 25}


def calibrated(cal: Calibration, previous: Mapping[str, Any]) -> dict[str, Any]:
    """The calibrated keys of `cal`, keeping what `previous` (a config's raw TOML, the
    chart's own keys over the shared ones) sets that calibration does not decide."""
    capture = dict(previous.get("capture", {}))
    capture["region"] = {"x": 0, "y": 0, "w": cal.width, "h": cal.height}
    capture["follow_window"] = False
    return {
        "window_title": cal.window_title,
        "dot_roi": _roi(cal.dot_roi),
        "chart_roi": _roi(cal.chart_roi),
        "capture": capture,
        "colors": _colors(cal, previous.get("colors", {})),
        "y_axis": _y_axis(cal),
        "canary": _canary(cal, previous.get("canary", {})),
    }


def _roi(rect: Rect) -> dict[str, int]:
    return {"x": rect.x, "y": rect.y, "w": rect.w, "h": rect.h}


def _canary(cal: Calibration, previous: Mapping[str, Any]) -> dict[str, Any]:
    """The `[canary]` table: the region and its baseline, or `enabled = false` when no
    steady region was found (with the top-right corner as a region that fits the screen)."""
    canary = dict(previous) if isinstance(previous, Mapping) else {}
    canary["baseline_phash"] = cal.canary_phash
    if cal.canary_roi is None:
        canary["enabled"] = False
        canary["roi"] = _roi(default_canary(cal.width, cal.height))
    else:
        canary.pop("enabled", None)
        canary["roi"] = _roi(cal.canary_roi)
    return canary


def _colors(cal: Calibration, previous: Mapping[str, Any]) -> dict[str, Any]:
    """Calibrated classes get their measured RGB, the rest the reference; tolerances kept."""
    out: dict[str, Any] = {}
    for name in CALIBRATED:
        old = previous.get(name, {}) if isinstance(previous, Mapping) else {}
        tolerance = old.get("tolerance") if isinstance(old, Mapping) else None
        rgb = cal.colors.get(name, REFERENCE_RGB[name])
        out[name] = {
            "rgb": [int(c) for c in rgb],
            "tolerance": tolerance or _DEFAULT_TOLERANCE.get(name, 60),
        }
    return out


def _y_axis(cal: Calibration) -> dict[str, Any]:
    roi = cal.y_axis_roi or _axis_fallback(cal)
    out: dict[str, Any] = {"roi": _roi(roi)}
    if cal.y_axis_points is not None:
        out["points"] = [{"y": p.y, "price": float(p.price)} for p in cal.y_axis_points]
    if cal.axis_fingerprint:
        out["fingerprint"] = cal.axis_fingerprint
    return out


def _axis_fallback(cal: Calibration) -> Rect:
    """Where the price labels usually are when none were marked: right of the chart."""
    chart = cal.chart_roi
    if cal.width - chart.right >= 8:
        width = min(round(150 * cal.height / 1080), cal.width - chart.right)
        return clip(Rect(chart.right, chart.y, width, chart.h), cal.width, cal.height)
    return chart
