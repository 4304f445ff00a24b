"""Processes of the live runs: the CPU seconds one has used, read from /proc (Linux), and
stopping one as a service manager does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid`, in seconds."""
    if sys.platform == "win32":
        raise NotImplementedError("reads /proc: Linux only")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen[str] | subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM, then its exit code; SIGKILL if it has not exited within `timeout` seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
