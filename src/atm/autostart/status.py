"""Is the scheduled task installed for this user? For `atm schedule show` and `atm doctor`."""

from __future__ import annotations

from atm.autostart import Target, systemd, windows
from atm.errors import UsageError


def state(target: Target) -> str:
    """ "installed", "not installed" or "unknown (why)"."""
    try:
        found = (
            windows.installed() if target == "windows" else systemd.installed(systemd.unit_dir())
        )
    except UsageError as exc:
        return f"unknown ({exc})"
    return "installed" if found else "not installed"
