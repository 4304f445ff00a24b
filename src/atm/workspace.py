"""Where ATM keeps its files (SPEC §2): configs, logs, fires, samples, the journal."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from atm import inputs
from atm.errors import ConfigError

#: configs/current.txt holds one file name.
_MARKER_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Workspace:
    home: Path

    @classmethod
    def resolve(cls, home: str | None, env: Mapping[str, str] = os.environ) -> Workspace:
        """`--home` wins, then `ATM_HOME`, then the current folder."""
        return cls(Path(home or env.get("ATM_HOME") or ".").expanduser().resolve())

    @property
    def configs(self) -> Path:
        return self.home / "configs"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def fires(self) -> Path:
        return self.logs / "fires"

    @property
    def samples(self) -> Path:
        return self.home / "samples"

    @property
    def dead_letter(self) -> Path:
        return self.logs / "dead_letter.jsonl"

    @property
    def outbox(self) -> Path:
        """Alerts on their way out: on disk before they are queued (`atm.notify.outbox`)."""
        return self.logs / "outbox.jsonl"

    @property
    def journal(self) -> Path:
        return self.home / "trades.jsonl"

    @property
    def calendar(self) -> Path:
        """The user's calendar overrides (atm.calendars): extra holidays and early closes."""
        return self.home / "calendar.toml"

    @property
    def pause_file(self) -> Path:
        return self.home / "PAUSED"

    def pause_file_of(self, chart: str) -> Path:
        """A chart's own pause file when several are watched (`PAUSED-GLD`); "" = the one."""
        return self.home / f"PAUSED-{chart}" if chart else self.pause_file

    def active_config(self) -> Path:
        """The file `configs/current.txt` names; a clear error when there is none."""
        marker = self.configs / "current.txt"
        if not marker.exists() and not marker.is_symlink():
            raise ConfigError(
                f"{marker}: no active config; run `atm calibrate` or pass --config PATH"
            )
        name = inputs.read_text(marker, "text file", _MARKER_BYTES, ConfigError).strip()
        path = self.configs / name
        if not name or Path(name).name != name or not path.is_file():
            raise ConfigError(
                f"{marker}: names {name[:80]!r}, which is not a config file in {self.configs}; "
                "`atm config list` shows them"
            )
        return path
