"""`atm config check`: the effective config, validated, with every secret masked."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from rich.console import Console

from atm.config import Config
from atm.config.charts import CHART_KEYS
from atm.redact import redact_config
from atm.secrets import SECRETS, open_store


def print_config(config: Config, console: Console) -> None:
    """One `dotted.key = value` line per setting: valid TOML, and greppable. With several
    charts, the shared settings, then each chart's own in effect under `[[charts]]`."""
    say = partial(console.print, markup=False, soft_wrap=True)
    say(f"# {config.source or 'built-in defaults'}: valid")
    for line in secret_lines(config):
        say(f"# {line}")
    shared = redact_config(config)
    skip = set(CHART_KEYS) if config.charts else {"name"}
    for key, value in _flatten({k: v for k, v in shared.items() if k not in skip}):
        say(f"{key} = {_toml_value(value)}")
    for chart in config.charts:
        own = redact_config(chart)
        say("\n[[charts]]")
        for key, value in _flatten({k: own[k] for k in CHART_KEYS}):
            say(f"{key} = {_toml_value(value)}")


def secret_lines(config: Config) -> list[str]:
    """Which keyring is used (or why none), and where each secret came from."""
    lines = [open_store()[1]]
    for secret in SECRETS.values():
        source = config.secret_sources.get(secret.dotted, "not set")
        where = f"environment ({secret.env})" if source == "environment" else source
        lines.append(f"{secret.dotted}: {where}")
    return lines


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and not _is_leaf_table(dotted):
            yield from _flatten(value, dotted + ".")
        elif value is not None:  # TOML has no null: unset stays out
            yield dotted, value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    return str(value)


def _is_leaf_table(key: str) -> bool:
    """Tables that read best whole: ROIs ({x, y, w, h}) and per-kind toggles."""
    return key.endswith(("roi", "region")) or key.startswith("alerts.")
