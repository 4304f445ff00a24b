"""DPI awareness: the no-op off Windows, and the Windows fallback order with a fake windll.

The Windows APIs cannot run here, so `FakeWindll` stands in for `ctypes.windll`: each
function returns what the test scripts, a missing function raises AttributeError as
ctypes does on an older Windows, and a missing DLL raises OSError.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import pytest

from atm.capture.dpi import E_ACCESSDENIED, set_dpi_awareness

E_INVALIDARG = -2147024809  # 0x80070057


class FakeDll:
    def __init__(self, name: str, calls: list[tuple[str, Any]], results: dict[str, Any]) -> None:
        self._name, self._calls, self._results = name, calls, results

    def __getattr__(self, func: str) -> Any:
        key = f"{self._name}.{func}"
        if key not in self._results:
            raise AttributeError(f"function '{func}' not found")

        def call(*args: Any) -> Any:
            self._calls.append((key, args))
            return self._results[key]

        return call


class FakeWindll:
    """`results` maps "dll.Function" to its return value; absent functions do not exist."""

    def __init__(self, results: dict[str, Any], missing_dlls: tuple[str, ...] = ()) -> None:
        self.calls: list[tuple[str, Any]] = []
        self._results = results
        self._missing = missing_dlls

    def __getattr__(self, dll: str) -> FakeDll:
        if dll in self._missing:
            raise OSError(f"[WinError 126] The specified module could not be found: {dll}")
        return FakeDll(dll, self.calls, self._results)

    @property
    def called(self) -> list[str]:
        return [name for name, _ in self.calls if not name.startswith("kernel32.")]


@pytest.mark.skipif(sys.platform == "win32", reason="the no-op path is for other systems")
def test_elsewhere_it_is_a_no_op() -> None:
    assert set_dpi_awareness() == f"DPI awareness: not needed on {sys.platform}"


def test_per_monitor_v2_first() -> None:
    windll = FakeWindll({"user32.SetProcessDpiAwarenessContext": 1})
    assert "per-monitor v2" in set_dpi_awareness(windll)
    assert windll.called == ["user32.SetProcessDpiAwarenessContext"]
    (context,) = windll.calls[0][1]
    assert context.value == ctypes.c_void_p(-4).value  # DPI_AWARENESS_CONTEXT_..._V2


def test_falls_back_to_shcore_when_the_context_api_is_missing() -> None:
    windll = FakeWindll({"shcore.SetProcessDpiAwareness": 0})
    assert set_dpi_awareness(windll) == "DPI awareness: per-monitor (SetProcessDpiAwareness)"
    assert windll.calls == [("shcore.SetProcessDpiAwareness", (2,))]


def test_falls_back_to_shcore_when_the_context_api_fails() -> None:
    windll = FakeWindll(
        {
            "user32.SetProcessDpiAwarenessContext": 0,
            "kernel32.GetLastError": 87,
            "shcore.SetProcessDpiAwareness": 0,
        }
    )
    assert "per-monitor (SetProcessDpiAwareness)" in set_dpi_awareness(windll)
    assert windll.called == [
        "user32.SetProcessDpiAwarenessContext",
        "shcore.SetProcessDpiAwareness",
    ]


def test_legacy_api_when_shcore_dll_is_absent() -> None:
    windll = FakeWindll({"user32.SetProcessDPIAware": 1}, missing_dlls=("shcore",))
    assert "system-wide only (SetProcessDPIAware)" in set_dpi_awareness(windll)
    assert windll.called == ["user32.SetProcessDPIAware"]


@pytest.mark.parametrize(
    "results",
    [
        {"user32.SetProcessDpiAwarenessContext": 0, "kernel32.GetLastError": 5},
        {"shcore.SetProcessDpiAwareness": E_ACCESSDENIED},
    ],
    ids=["context-access-denied", "shcore-access-denied"],
)
def test_already_aware_stops_there(results: dict[str, Any]) -> None:
    windll = FakeWindll(results)
    assert "already set for this process" in set_dpi_awareness(windll)
    assert "user32.SetProcessDPIAware" not in windll.called


def test_everything_failing_is_reported_not_raised() -> None:
    windll = FakeWindll(
        {
            "user32.SetProcessDpiAwarenessContext": 0,
            "kernel32.GetLastError": 87,
            "shcore.SetProcessDpiAwareness": E_INVALIDARG,
            "user32.SetProcessDPIAware": 0,
        }
    )
    result = set_dpi_awareness(windll)
    assert result.startswith("DPI awareness: unchanged")
    assert "SetProcessDpiAwarenessContext failed (error 87)" in result
    assert "HRESULT 0x80070057" in result
    assert "SetProcessDPIAware failed" in result
    assert windll.called == [
        "user32.SetProcessDpiAwarenessContext",
        "shcore.SetProcessDpiAwareness",
        "user32.SetProcessDPIAware",
    ]


def test_nothing_available_at_all() -> None:
    result = set_dpi_awareness(FakeWindll({}, missing_dlls=("shcore",)))
    assert result.startswith("DPI awareness: unchanged")
    assert result.count("unavailable") == 3
