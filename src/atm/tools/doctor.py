"""`atm doctor`: build the context, run the checks, print, exit 0 (nothing ✗) or 1."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from atm import config as config_mod
from atm.clock import WallClock
from atm.doctor import Context
from atm.doctor.report import diagnose, exit_code, print_table, to_json
from atm.errors import ConfigError
from atm.workspace import Workspace


def run_doctor(workspace: Workspace, console: Console, config: Path | None, as_json: bool) -> int:
    clock = WallClock()
    began = clock.time()
    try:
        loaded: config_mod.Config | None = config_mod.load(config or workspace.active_config())
        error = ""
    except ConfigError as exc:
        loaded, error = None, str(exc)
    rows = diagnose(Context(workspace, loaded, error, clock))
    elapsed = clock.time() - began
    if as_json:
        print(to_json(rows, elapsed))  # plain: one line a script can parse
    else:
        print_table(rows, console, elapsed)
    return exit_code(rows)
