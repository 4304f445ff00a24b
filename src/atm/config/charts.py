"""Several charts in one config: `[[charts]]` tables, each chart's own keys over the shared.

    [[charts]]
    name = "DIA"
    symbol_label = "DIA→US30"
    window_title = "TradeStation - DIA"
    dot_roi = { x = 60, y = 930, w = 1700, h = 40 }

A chart table holds only what belongs to one chart (`CHART_KEYS`); everything else —
loop, alerts, notify, schedule, heartbeat — is shared by all. Tables merge key by key, so
`[charts.colors] yellow = {...}` changes that colour and keeps the shared others. A config
without `[[charts]]` is one chart, exactly as before: the single-chart form stays the
simple case, and `migrate` turns it into the new form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from atm.errors import ConfigError

#: Keys a `[[charts]]` table may hold.
CHART_KEYS: Final = (
    "name", "symbol_label", "window_title", "dot_roi", "chart_roi", "capture", "chart",
    "colors", "y_axis", "levels", "canary", "lockout",
)  # fmt: skip
#: Keys every chart table must have: what tells two charts apart.
REQUIRED: Final = ("name", "dot_roi")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")


def valid_name(name: object) -> bool:
    """Whether `name` can name a chart: it becomes part of file names (PAUSED-<name>,
    labels.<name>.json), so letters, digits, '_', '.', '-', at most 32."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def name_from(symbol: str) -> str:
    """`DIA→US30` → `DIA`: the chart's own symbol, as a name a config key can hold."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9_.-]*", symbol)
    return match.group(0)[:32] if match else "chart"


def split(raw: Mapping[str, Any], source: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The shared keys and the chart tables of a TOML-shaped config; raises `ConfigError`
    naming `charts[i].key` for a table that is not one, an unknown key, a missing or
    repeated name."""
    shared = {k: v for k, v in raw.items() if k != "charts"}
    tables = raw.get("charts")
    if tables is None:
        return shared, []
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{source}: charts: expected one or more [[charts]] tables")
    seen: dict[str, int] = {}
    for i, table in enumerate(tables):
        _check_table(source, i, table, seen)
    return shared, [dict(t) for t in tables]


def _check_table(source: str, i: int, table: Mapping[str, Any], seen: dict[str, int]) -> None:
    for key in table:
        if key not in CHART_KEYS:
            raise ConfigError(
                f"{source}: charts[{i}].{key}: not a per-chart key (shared keys go outside "
                f"[[charts]]); a chart table holds: {', '.join(CHART_KEYS)}"
            )
    for key in REQUIRED:
        if key not in table:
            raise ConfigError(f"{source}: charts[{i}].{key}: missing; every chart needs one")
    name = table["name"]
    if not valid_name(name):
        raise ConfigError(
            f"{source}: charts[{i}].name: expected a short name of letters, digits, "
            f"'_', '.', '-' (got {str(name)[:40]!r})"
        )
    if name in seen:
        raise ConfigError(f"{source}: charts[{i}].name: {name!r} is already charts[{seen[name]}]")
    seen[name] = i


def merged(shared: Mapping[str, Any], table: Mapping[str, Any]) -> dict[str, Any]:
    """`table` laid over `shared`, key by key through nested tables."""
    out = dict(shared)
    for key, value in table.items():
        base = out.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            out[key] = merged(base, value)
        else:
            out[key] = value
    return out


def owns(table: Mapping[str, Any], loc: Sequence[int | str]) -> bool:
    """Whether the value at `loc` (a pydantic error location) came from `table`."""
    node: Any = table
    for part in loc:
        if isinstance(part, int):
            continue
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return bool(loc)


def migrate(raw: Mapping[str, Any], name: str, dot_roi: Mapping[str, int]) -> dict[str, Any]:
    """A single-chart config as the `[[charts]]` form: its chart keys in one table.
    `dot_roi` is the effective strip, written out when the file relied on the default."""
    if "charts" in raw:
        raise ConfigError("this config already has [[charts]]: nothing to migrate")
    if not valid_name(name):
        raise ConfigError(f"--name: expected letters, digits, '_', '.', '-' (got {name!r})")
    shared = {k: v for k, v in raw.items() if k not in CHART_KEYS}
    table = {"name": name, **{k: v for k, v in raw.items() if k in CHART_KEYS and k != "name"}}
    table.setdefault("dot_roi", dict(dot_roi))
    return {**shared, "charts": [table]}
