"""Wall clock and replay clock behind one interface.

Everything above capture asks the clock for the time, so a two-hour session replays in
seconds and lockouts, heartbeats and timeouts behave exactly as they do live.
"""

from __future__ import annotations

import time
from datetime import datetime, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch."""

    def sleep(self, seconds: float) -> None:
        """Wait; a replay clock returns at once."""


class WallClock:
    """Real time, for live runs."""

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ReplayClock:
    """Time is whatever the last replayed frame says; sleeping costs nothing."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def time(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        self._now += max(seconds, 0.0)

    def set(self, t: float) -> None:
        """Move to a frame's timestamp; time never runs backwards."""
        self._now = max(self._now, t)


def local(t: float, zone: str = "") -> datetime:
    """An aware datetime for epoch seconds, in `zone` or the machine's local zone."""
    return (
        datetime.fromtimestamp(t, ZoneInfo(zone))
        if zone
        else datetime.fromtimestamp(t).astimezone()
    )


def zone_of(name: str) -> tzinfo:
    """The zone `name` (IANA), or the machine's local zone for ""."""
    found = ZoneInfo(name) if name else datetime.now().astimezone().tzinfo
    assert found is not None
    return found


def hms(t: float, zone: str = "") -> str:
    """`HH:MM:SS`, the time format every alert uses."""
    return local(t, zone).strftime("%H:%M:%S")
