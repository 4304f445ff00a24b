"""A calibration becomes a versioned config: validated, written atomically, made active.

    configs/2026-11-20-2130.toml      one file per calibration, never overwritten
    configs/current.txt               the name of the active one

The new file keeps every setting of the previously active config that calibration does
not decide (loop, alerts, notify, schedule, ...), so re-calibrating loses no tuning.
Secrets come from the environment (ATM_DISCORD_URL, ATM_TG_TOKEN, ATM_TG_CHAT), else from
the previous config, else stay "" (that backend is off until the user fills it in). A secret
the OS keyring holds is never written: it stays "" in the file and the keyring supplies it.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w

from atm import config as config_mod
from atm import inputs
from atm.calibration import Calibration
from atm.calibration.keys import calibrated
from atm.errors import ConfigError, UsageError
from atm.fileio import write_atomic

CURRENT = "current.txt"
_STAMP = "%Y-%m-%d-%H%M"
_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}-\d{4})(?:-(\d+))?\.toml$")


@dataclass(frozen=True, slots=True)
class Saved:
    """A config written by `save_config`; `secrets` says where each secret came from."""

    path: Path
    config: config_mod.Config
    #: env var → "environment" | "previous config" | "keyring" | "placeholder"
    secrets: dict[str, str]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfigFile:
    name: str
    path: Path
    active: bool


def to_config_dict(
    cal: Calibration,
    base: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    held: Collection[str] = (),
) -> tuple[dict[str, Any], dict[str, str]]:
    """The TOML-shaped config for `cal` on top of `base` (a previous config's raw TOML).

    Returns it and where each secret came from; `held` names the environment variables
    whose secret the keyring holds (written as ""). Nothing is validated here.
    """
    data: dict[str, Any] = copy.deepcopy(dict(base or {}))
    data["schema"] = 1
    keys = calibrated(cal, data)
    data["window_title"] = keys.pop("window_title")
    data.setdefault("symbol_label", config_mod.Config().symbol_label)
    data.update(keys)
    sources = secrets(data, env or {}, held)
    return data, sources


def secrets(data: dict[str, Any], env: Mapping[str, str], held: Collection[str]) -> dict[str, str]:
    sources: dict[str, str] = {}
    for var, keys in config_mod.ENV_SECRETS.items():
        node = data
        for key in keys[:-1]:
            child = node.get(key)
            node[key] = node = dict(child) if isinstance(child, Mapping) else {}
        # a secret kept out of files (keyring, environment) is never written into one
        if var in held:
            node[keys[-1]], sources[var] = "", "keyring"
        elif env.get(var):
            node[keys[-1]], sources[var] = "", "environment"
        elif node.get(keys[-1]):
            sources[var] = "previous config"
        else:
            node[keys[-1]], sources[var] = "", "placeholder"
    return sources


def validate(
    cal: Calibration, base: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> config_mod.Config:
    """The config `cal` would give, as the loader sees it; `ConfigError` naming the key."""
    data, _ = to_config_dict(cal, base, env)
    try:
        return config_mod.from_dict(data, source="calibration")
    except ConfigError:
        if base is None:
            raise
        data, _ = to_config_dict(cal, None, env)
        return config_mod.from_dict(data, source="calibration")


def save_config(
    configs: Path,
    cal: Calibration,
    *,
    now: datetime,
    env: Mapping[str, str] | None = None,
    base: Mapping[str, Any] | None = None,
    held: Collection[str] = (),
) -> Saved:
    """Validate `cal` as a config, write `configs/YYYY-MM-DD-HHMM.toml`, make it current.

    Raises `ConfigError` (nothing written) when the result would not load.
    """
    configs.mkdir(parents=True, exist_ok=True)
    notes: tuple[str, ...] = ()
    data, sources = to_config_dict(cal, base, env, held)
    try:
        config_mod.from_dict(data, source="calibration")
    except ConfigError as exc:
        if base is None:
            raise
        # a broken earlier config must not block a fresh calibration: start from defaults
        notes = (f"the previous config's other settings were not carried over: {exc}",)
        data, sources = to_config_dict(cal, None, env, held)
    path, config = write_version(configs, data, now=now, header=_header(now))
    return Saved(path, config, sources, notes)


def save_charts(
    configs: Path,
    data: Mapping[str, Any],
    *,
    now: datetime,
    env: Mapping[str, str] | None = None,
    held: Collection[str] = (),
) -> Saved:
    """Write `data` (a `[[charts]]` config from `calibration.tables`) as the next version,
    its secrets kept out as `save_config` keeps them. `ConfigError` when it would not load."""
    out = copy.deepcopy(dict(data))
    sources = secrets(out, env or {}, held)
    path, config = write_version(configs, out, now=now, header=_header(now))
    return Saved(path, config, sources)


def _header(now: datetime) -> str:
    return (
        f"# written by `atm calibrate` on {now:%Y-%m-%d %H:%M}; earlier configs are kept\n"
        "# beside it (`atm config list`, `atm config rollback`). Secrets may instead come\n"
        "# from ATM_DISCORD_URL, ATM_TG_TOKEN and ATM_TG_CHAT, which win over this file.\n"
    )


def write_version(
    configs: Path, data: Mapping[str, Any], *, now: datetime, header: str
) -> tuple[Path, config_mod.Config]:
    """Validate `data`, write it as a new `configs/YYYY-MM-DD-HHMM.toml`, make it current.

    Raises `ConfigError` (nothing written) when it would not load."""
    configs.mkdir(parents=True, exist_ok=True)
    path = _free_name(configs, now)
    config = config_mod.from_dict(data, source=str(path))
    write_atomic(path, header + to_toml(data))
    write_atomic(configs / CURRENT, path.name + "\n")
    return path, config


def to_toml(data: Mapping[str, Any]) -> str:
    """TOML as a person writes it: ROIs and colours as one-line tables, as SPEC §4 shows.

    Checked by reading it back; anything this writer does not know goes through tomli_w.
    """
    try:
        text = "".join(_section([], data))
        if tomllib.loads(text) == data:
            return text
    except (TypeError, ValueError, tomllib.TOMLDecodeError):
        pass
    return tomli_w.dumps(data)


def _section(path: list[str], table: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    arrays: list[tuple[str, list[Mapping[str, Any]]]] = []
    for key, value in table.items():
        # notify tables stay sections: that is where a user types webhook URLs and tokens
        if isinstance(value, Mapping) and (not _inline(value) or path[:1] == ["notify"]):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            arrays.append((key, value))  # [[charts]]
        else:
            lines.append(f"{_key(key)} = {_value(value)}\n")
    if path and (lines or not tables):
        lines.insert(0, f"\n[{'.'.join(_key(p) for p in path)}]\n")
    for key, sub in tables:
        lines += _section([*path, key], sub)
    for key, items in arrays:
        for item in items:
            head = f"\n[[{'.'.join(_key(p) for p in [*path, key])}]]\n"
            lines += [head, *_section([*path, key], item)[1:]]
    return lines


def _inline(table: Mapping[str, Any]) -> bool:
    """Small tables of plain values read best on one line: { x = 60, y = 930, ... }."""
    return len(table) <= 4 and all(_plain(v) for v in table.values())


def _plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(not isinstance(v, Mapping | list) for v in value)
    return not isinstance(value, Mapping)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _free_name(configs: Path, now: datetime) -> Path:
    stamp = now.strftime(_STAMP)
    path, n = configs / f"{stamp}.toml", 1
    while path.exists():
        n += 1
        path = configs / f"{stamp}-{n}.toml"
    return path


def previous_config(configs: Path) -> dict[str, Any] | None:
    """The raw TOML of the active config, to carry its settings over; None if unusable."""
    try:
        name = _active_name(configs)
        if not name or Path(name).name != name:
            return None
        return inputs.read_toml(configs / name, "config file")
    except UsageError:
        return None


def _active_name(configs: Path) -> str:
    """What configs/current.txt says ("" when it is missing); `UsageError` if unreadable."""
    marker = configs / CURRENT
    if not marker.exists():
        return ""
    return inputs.read_text(marker, "text file", 4096).strip()


def list_configs(configs: Path) -> list[ConfigFile]:
    """Every config in the folder, oldest first (by the time in its name), the active marked."""
    try:
        active = _active_name(configs)
    except UsageError:
        active = ""
    paths = sorted(configs.glob("*.toml"), key=_order) if configs.is_dir() else []
    return [ConfigFile(p.name, p, p.name == active) for p in paths]


def _order(path: Path) -> tuple[int, str, int]:
    match = _NAME.match(path.name)
    if match is None:
        return (1, path.name, 0)  # hand-named files after the calibrated ones
    return (0, match.group(1), int(match.group(2) or 1))


def use_config(configs: Path, name: str, env: Mapping[str, str] | None = None) -> Path:
    """Make `configs/name` the active config once it loads; `ConfigError` otherwise."""
    path = configs / name
    if Path(name).name != name or not path.is_file():
        known = ", ".join(f.name for f in list_configs(configs)) or "none"
        raise ConfigError(f"{path}: no such config; configs in {configs}: {known}")
    config_mod.load(path, env)
    write_atomic(configs / CURRENT, name + "\n")
    return path


def rollback(configs: Path, env: Mapping[str, str] | None = None) -> Path:
    """Make the config before the active one active again (earlier configs are kept)."""
    files = list_configs(configs)
    active = [i for i, f in enumerate(files) if f.active]
    if not active:
        raise ConfigError(f"{configs / CURRENT}: no active config to roll back from")
    if active[0] == 0:
        raise ConfigError(
            f"{files[0].path}: is the oldest config; there is nothing to roll back to"
        )
    return use_config(configs, files[active[0] - 1].name, env)
