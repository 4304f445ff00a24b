"""Replay: frames from a folder in name order, timed by their names (SPEC §5)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from atm.clock import ReplayClock
from atm.corpus import frame_time, list_frames
from atm.errors import InputError
from atm.frame import Frame
from atm.types import Image
from atm.vision.image_io import read_image

#: Frames decoded ahead on worker threads: decoding a 1080p PNG costs far more than
#: reading its dot strip, and the decoder releases the GIL.
PREFETCH = 4


class ReplayCapture:
    """Each `grab()` is the next frame; the replay clock jumps to its time.

    A frame that cannot be used is reported through `on_skip`, counted in `skipped` and
    passed over, never a crash: a corpus with one corrupt file still replays. That is an
    unreadable or badly named file, a decompression bomb (refused from its header), a
    grey-scale image, or — with `size` (width, height) — a frame of another size. With
    `between`, only the frames from its start up to (not including) its stop are
    replayed: a scheduled session, in replay time.
    """

    def __init__(
        self,
        folder: Path,
        clock: ReplayClock,
        on_skip: Callable[[Path, str], None] = lambda path, why: None,
        workers: int = 2,
        between: tuple[float, float | None] | None = None,
        *,
        size: tuple[int, int] | None = None,
    ) -> None:
        self.paths = [p for p in list_frames(folder) if between is None or _inside(p, *between)]
        self.skipped = 0
        self._size = size
        self._clock = clock
        self._on_skip = on_skip
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="atm-replay")
        self._next = iter(self.paths)
        self._ahead: deque[tuple[Path, Future[Image]]] = deque()
        self._fill()

    def grab(self) -> Frame | None:
        while self._ahead:
            path, pending = self._ahead.popleft()
            self._fill()
            try:
                ts, image = frame_time(path), pending.result()
                self._check_size(path, image)
            except InputError as exc:
                self.skipped += 1
                self._on_skip(path, str(exc))
                continue
            self._clock.set(ts)
            return Frame(image=image, ts=ts, name=path.name)
        return None

    def _check_size(self, path: Path, image: Image) -> None:
        height, width = image.shape[:2]
        if self._size is not None and (width, height) != self._size:
            raise InputError(
                f"{path}: a {width}x{height} frame, but capture.region is "
                f"{self._size[0]}x{self._size[1]}"
            )

    def _fill(self) -> None:
        while len(self._ahead) < PREFETCH:
            path = next(self._next, None)
            if path is None:
                return
            self._ahead.append((path, self._pool.submit(read_image, path)))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def first_time(folder: Path) -> float | None:
    """The time of the folder's first well-named frame (None: there is none)."""
    for path in list_frames(folder):
        try:
            return frame_time(path)
        except InputError:
            continue
    return None


def _inside(path: Path, start: float, stop: float | None) -> bool:
    try:
        ts = frame_time(path)
    except InputError:
        return True  # kept, so that grab() reports it through on_skip
    return start <= ts and (stop is None or ts < stop)
