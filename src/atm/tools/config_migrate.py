"""`atm config migrate`: a single-chart config rewritten in the `[[charts]]` form.

The result is a new version in configs/ and becomes the active one; the old file stays
(`atm config rollback` goes back). Only what the file says is carried over: secrets that
come from the environment or the keyring stay there.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Console

from atm import config as config_mod
from atm import inputs
from atm.calibration.save import write_version
from atm.config.charts import migrate, name_from
from atm.errors import ConfigError
from atm.workspace import Workspace


def migrate_config(workspace: Workspace, path: Path, name: str | None, console: Console) -> int:
    """Write the migrated config; 0, or `ConfigError` (exit 2) naming what is wrong."""
    current = config_mod.load(path, env={}, store=None)  # errors name the file and key
    raw = inputs.read_toml(path, "config file", ConfigError)
    chart = name or name_from(current.symbol_label)
    data = migrate(raw, chart, current.dot_roi.model_dump())
    header = (
        f"# written by `atm config migrate` from {path.name} on {datetime.now():%Y-%m-%d %H:%M};"
        "\n# one [[charts]] table per chart, shared settings outside them.\n"
    )
    written, _ = write_version(workspace.configs, data, now=datetime.now(), header=header)
    console.print(f"chart {chart!r}: its keys moved into [[charts]]", markup=False)
    console.print(f"wrote {written}", markup=False, soft_wrap=True)
    return 0
