"""CPU seconds a process has used, read from /proc (Linux): what the live runs measure."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid`, in seconds."""
    if sys.platform == "win32":
        raise NotImplementedError("reads /proc: Linux only")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
