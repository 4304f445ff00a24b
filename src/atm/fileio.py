"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path`: a uniquely named temp file in the same
    folder, flushed and fsynced, then renamed over the target.

    The same folder keeps the rename atomic (one file system); a unique name lets two
    writers of one path not clobber each other's temp file; the fsync makes a crash
    right after the rename leave the new content, not an empty file. On failure the temp
    file is removed, the target is untouched, and the `OSError` names the target.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _naming(exc, path) from None
    binary = isinstance(data, bytes)
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _naming(exc, path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error (a read-only folder, a full disk) about `path`, not the temp file."""
    return OSError(exc.errno, exc.strerror, str(path))
