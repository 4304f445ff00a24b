"""A calibration as one `[[charts]]` table: one chart added or replaced, the rest kept.

    charts_form(base, "DIA")        the previous config in the [[charts]] form
    put_chart(data, cal, "GLD")     GLD's table added, or replaced in place

A single-chart base becomes the `[[charts]]` form first (`config.charts.migrate`): its
chart is kept as a table of its own. Replacing a chart keeps the keys of its table that
calibration does not decide (`symbol_label`, `levels`, `lockout`, a canary's timing);
a new chart's `symbol_label` is its name. The shared keys are not changed, but for a
missing `[capture]`: the screen calibrated on becomes the one the charts share (a replay
plays it, one grab serves them all; a migrated chart keeps its own). A chart's table
holds a calibrated section's entries only where they differ from the shared ones (an
entry the shared section sets and calibration leaves out gets the default, as a
single-chart calibration would write it).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from atm import config as config_mod
from atm.calibration import Calibration
from atm.calibration.keys import calibrated
from atm.config.charts import merged, migrate
from atm.geometry import Rect

#: Calibrated keys written whole into a chart's table (the others are sections).
_WHOLE = ("window_title", "dot_roi", "chart_roi")


def charts_form(base: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    """`base` (a config's raw TOML) in the `[[charts]]` form; a single-chart one migrated
    with its chart named `name`; `{"schema": 1}` without a base. Raises `ConfigError`
    when `base` does not load."""
    if base is None:
        return {"schema": 1}
    if "charts" in base:
        config_mod.from_dict(base, source="the active config")
        return copy.deepcopy(dict(base))
    current = config_mod.from_dict(base, source="the active config")
    return copy.deepcopy(migrate(base, name, current.dot_roi.model_dump()))


def chart_names(data: Mapping[str, Any] | None) -> list[str]:
    """The names of the `[[charts]]` tables of a config's raw TOML (none: [])."""
    tables = data.get("charts") if data is not None else None
    if not isinstance(tables, list):
        return []
    return [str(t.get("name")) for t in tables if isinstance(t, Mapping)]


def put_chart(data: Mapping[str, Any], cal: Calibration, name: str) -> dict[str, Any]:
    """`data` (the `[[charts]]` form) with chart `name` calibrated by `cal`: its table
    replaced in place, or a new one appended."""
    out = copy.deepcopy(dict(data))
    shared = {k: v for k, v in out.items() if k != "charts"}
    tables: list[dict[str, Any]] = list(out.get("charts", []))
    at = next((i for i, t in enumerate(tables) if t.get("name") == name), None)
    old = tables[at] if at is not None else {"name": name, "symbol_label": name}
    table = dict(old)
    keys = calibrated(cal, merged(shared, old))
    if "capture" not in shared:  # the screen calibrated on is the one the charts share
        shared["capture"] = out["capture"] = keys["capture"]
    for key, value in keys.items():
        own = value if key in _WHOLE else _own(key, value, shared.get(key))
        if own:
            table[key] = own
        else:
            table.pop(key, None)
    if at is None:
        tables.append(table)
    else:
        tables[at] = table
    out["charts"] = tables
    return out


def keep_only(data: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """`data` with only the chart tables named in `names`, in that order."""
    tables = {t["name"]: t for t in data.get("charts", [])}
    return {**data, "charts": [tables[n] for n in names]}


def _own(key: str, value: dict[str, Any], shared: Any) -> dict[str, Any]:
    """The entries of section `value` a chart's table must hold over the shared section."""
    if not isinstance(shared, Mapping):
        return value
    defaults = config_mod.Config().model_dump(mode="json", by_alias=True).get(key, {})
    own = {k: v for k, v in value.items() if shared.get(k) != v}
    for k, v in shared.items():
        if k not in value and k in defaults and defaults[k] != v:
            own[k] = defaults[k]
    return own


def base_strips(data: Mapping[str, Any]) -> list[tuple[str, Rect]]:
    """Each chart of `data` (the `[[charts]]` form) and its dot strip in screen pixels."""
    if not data.get("charts"):
        return []
    config = config_mod.from_dict(data, source="the active config")
    out = []
    for chart in config_mod.each_chart(config):
        region = chart.capture.region
        out.append((chart.name, Rect.of(chart.dot_roi).offset(region.x, region.y)))
    return out
