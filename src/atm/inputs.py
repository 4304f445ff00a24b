"""Reading what a user hands us without hanging, exhausting memory or a traceback.

Every config, labels file, screenshot and frame is opened through here:
- regular files only, checked on the open file itself: a FIFO would block a plain open
  forever and a device (/dev/zero) never ends, so the open does not wait (O_NONBLOCK) and
  anything but a regular file is refused before a byte is read;
- a size limit per kind of file, checked before reading;
- text is UTF-8, with or without the byte-order mark Notepad writes;
- parsed TOML and JSON may nest only so deep (a hostile file would otherwise exhaust the
  parser's recursion or the validator's).
Each failure is an `InputError` (or the subclass the caller names) with one line naming
the file and what is wrong.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import IO, Any

from atm.errors import InputError, UsageError, os_reason

#: Limits, generous for real files: a config is a few KB, labels.json about 60 bytes per
#: frame, a 4K screenshot PNG under 30 MB.
MAX_CONFIG_BYTES = 1 << 20
MAX_JSON_BYTES = 64 << 20
MAX_IMAGE_BYTES = 256 << 20
MAX_DEPTH = 32

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def open_regular(
    path: Path, what: str, limit: int, error: type[UsageError] = InputError
) -> IO[bytes]:
    """`path` opened for binary reading once it is known to be a regular file of at most
    `limit` bytes; `error` naming the file otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not {_a(what)}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {os_reason(exc)}") from None
    try:
        _check(os.fstat(fd), path, what, limit, error)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check(
    info: os.stat_result, path: Path, what: str, limit: int, error: type[UsageError]
) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{path}: is a folder, not {_a(what)}")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path}: is a pipe or a device, not {_a(what)}")
    if info.st_size > limit:
        raise error(
            f"{path}: {info.st_size:,} bytes, more than {_a(what)} may have ({limit:,}); "
            "is this the right file?"
        )


def _a(what: str) -> str:
    return f"an {what}" if what[:1] in "aeiou" else f"a {what}"


def read_bytes(path: Path, what: str, limit: int, error: type[UsageError] = InputError) -> bytes:
    with open_regular(path, what, limit, error) as f:
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise error(f"{path}: cannot read the {what}: {os_reason(exc)}") from None
    if len(data) > limit:  # it grew after the check
        raise error(f"{path}: more than {_a(what)} may have ({limit:,} bytes)")
    return data


def read_text(path: Path, what: str, limit: int, error: type[UsageError] = InputError) -> str:
    """UTF-8 text; a leading byte-order mark (Notepad's UTF-8) is dropped."""
    data = read_bytes(path, what, limit, error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start + 1}); is this {_a(what)}?") from None


def read_toml(path: Path, what: str, error: type[UsageError] = InputError) -> dict[str, Any]:
    """A TOML file a user wrote: `read_text` within `MAX_CONFIG_BYTES`, parsed, nested at
    most `MAX_DEPTH` deep; a syntax error is one line with its line and column."""
    text = read_text(path, what, MAX_CONFIG_BYTES, error)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise too_deep(path, error) from None
    check_depth(data, path, error)
    return data


def check_depth(data: Any, path: Path, error: type[UsageError] = InputError) -> None:
    """Refuse tables/lists nested deeper than `MAX_DEPTH` (no recursion: it is the point)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise error(f"{path}: nested more than {MAX_DEPTH} levels deep")
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack += [(child, depth + 1) for child in children if isinstance(child, dict | list)]


def too_deep(path: Path, error: type[UsageError] = InputError) -> UsageError:
    """The error for a file the parser itself gave up on (RecursionError)."""
    return error(f"{path}: nested more than {MAX_DEPTH} levels deep")
