"""Replay: frames from a folder in name order, timed by their names (SPEC §5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from atm.capture.base import Frame
from atm.clock import ReplayClock
from atm.corpus import frame_time, list_frames
from atm.errors import InputError
from atm.vision.image_io import read_image


class ReplayCapture:
    """Each `grab()` is the next frame; the replay clock jumps to its time.

    An unreadable or badly named frame is reported through `on_skip` and passed over,
    never a crash: a corpus with one corrupt file still replays.
    """

    def __init__(
        self,
        folder: Path,
        clock: ReplayClock,
        on_skip: Callable[[Path, str], None] = lambda path, why: None,
    ) -> None:
        self._paths = iter(list_frames(folder))
        self._clock = clock
        self._on_skip = on_skip

    def grab(self) -> Frame | None:
        for path in self._paths:
            try:
                ts = frame_time(path)
                image = read_image(path)
            except InputError as exc:
                self._on_skip(path, str(exc))
                continue
            self._clock.set(ts)
            return Frame(image=image, ts=ts, name=path.name)
        return None

    def close(self) -> None:
        return None
