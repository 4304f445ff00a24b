"""Per-monitor DPI awareness on Windows, so every coordinate is a physical pixel.

A process that is not DPI aware gets scaled ("virtualised") coordinates on a 125 % or
150 % display: window rectangles and screenshots disagree and ROIs land in the wrong
place. Call `set_dpi_awareness()` once at startup, before any window (Tk included) is
created; the process-wide setting cannot be changed afterwards.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

# DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2 is the pseudo-handle -4 (Windows 10 1703+).
PER_MONITOR_AWARE_V2 = -4
# PROCESS_PER_MONITOR_DPI_AWARE for shcore.SetProcessDpiAwareness (Windows 8.1+).
PROCESS_PER_MONITOR_DPI_AWARE = 2
ERROR_ACCESS_DENIED = 5
E_ACCESSDENIED = -2147024891  # 0x80070005 as the signed HRESULT ctypes returns
S_OK = 0


def set_dpi_awareness(windll: Any = None) -> str:
    """Make the process per-monitor DPI aware; returns what was done, for the startup log.

    Tries, in order, `SetProcessDpiAwarenessContext(PER_MONITOR_AWARE_V2)`,
    `SetProcessDpiAwareness(PROCESS_PER_MONITOR_DPI_AWARE)` and `SetProcessDPIAware()`,
    so it works from Windows Vista on. Elsewhere it does nothing. `windll` is
    `ctypes.windll` unless given (tests pass a fake). Never raises.
    """
    if windll is None:
        if sys.platform != "win32":
            return f"DPI awareness: not needed on {sys.platform}"
        windll = getattr(ctypes, "windll")  # noqa: B009 - absent from ctypes off Windows
    failures: list[str] = []
    for api, step in _STEPS:
        try:
            done, what = step(windll)
        except (AttributeError, OSError) as exc:
            # AttributeError: the function does not exist on this Windows version
            failures.append(f"{api} unavailable ({exc})")
            continue
        if done:
            return f"DPI awareness: {what}"
        failures.append(what)
    return "DPI awareness: unchanged, coordinates may be scaled (" + "; ".join(failures) + ")"


_ALREADY = "already set for this process (by the manifest or an earlier call)"


def _context_v2(windll: Any) -> tuple[bool, str]:
    if windll.user32.SetProcessDpiAwarenessContext(ctypes.c_void_p(PER_MONITOR_AWARE_V2)):
        return True, "per-monitor v2 (SetProcessDpiAwarenessContext)"
    error = windll.kernel32.GetLastError()
    if error == ERROR_ACCESS_DENIED:
        return True, _ALREADY
    return False, f"SetProcessDpiAwarenessContext failed (error {error})"


def _shcore(windll: Any) -> tuple[bool, str]:
    result = windll.shcore.SetProcessDpiAwareness(PROCESS_PER_MONITOR_DPI_AWARE)
    if result == S_OK:
        return True, "per-monitor (SetProcessDpiAwareness)"
    if result == E_ACCESSDENIED:
        return True, _ALREADY
    return False, f"SetProcessDpiAwareness failed (HRESULT {result & 0xFFFFFFFF:#010x})"


def _legacy(windll: Any) -> tuple[bool, str]:
    if windll.user32.SetProcessDPIAware():
        return True, "system-wide only (SetProcessDPIAware); mixed-DPI monitors may scale"
    return False, "SetProcessDPIAware failed"


_STEPS: tuple[tuple[str, Callable[[Any], tuple[bool, str]]], ...] = (
    ("SetProcessDpiAwarenessContext", _context_v2),
    ("SetProcessDpiAwareness", _shcore),
    ("SetProcessDPIAware", _legacy),
)
