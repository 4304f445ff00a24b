"""The one exception tree of ATM; `cli.main()` maps it to exit codes.

AtmError                    anything ATM raises on purpose
├── UsageError              bad input from the user: exit 2
│   ├── ConfigError         a config file or key is wrong (names file and key)
│   ├── InputError          a corpus, screenshot or journal file is unreadable
│   └── WorkspaceError      the workspace (or an output folder) cannot be written
├── Refused                 a calibration step the wizard's rules do not allow
├── CaptureError            the screen or window could not be grabbed
│   ├── WindowNotFound      no window title contains `window_title`
│   └── WindowMinimized     the chart window is minimized
└── NotifyError             a backend did not accept a message
    ├── TransientNotifyError    worth retrying (5xx, timeout, refused)
    │   └── RateLimited         the service asked us to wait `retry_after` seconds
    └── PermanentNotifyError    retrying cannot help (401/403/404, chat not found)
"""

from __future__ import annotations

import errno


class AtmError(Exception):
    """Root of every error ATM raises deliberately."""

    exit_code = 1


class UsageError(AtmError):
    """The user gave something we cannot use; the message says what and where."""

    exit_code = 2


class ConfigError(UsageError):
    """A config file is unreadable or a key has a wrong value."""


class InputError(UsageError):
    """An input file (frame, corpus, labels, journal) is missing or malformed."""


class WorkspaceError(UsageError):
    """A folder ATM must write to is read-only, full, or not a folder."""


class Refused(AtmError):
    """A move the calibration wizard's rules do not allow; the message says what to do."""


class CaptureError(AtmError):
    """Grabbing the screen or finding the chart window failed."""


class WindowNotFound(CaptureError):
    """No window's title contains the configured `window_title`."""


class WindowMinimized(CaptureError):
    """The window exists but is minimized: the screen shows something else."""


class NotifyError(AtmError):
    """A notification backend did not accept a message. Text never carries a secret."""


class TransientNotifyError(NotifyError):
    """Worth retrying: 5xx, timeouts, refused connections."""


class RateLimited(TransientNotifyError):
    """The service asked us to wait before the next request."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentNotifyError(NotifyError):
    """Retrying cannot help: bad token, unknown webhook, chat not found, bot blocked."""


_REASONS = {
    errno.ENOSPC: "disk full",
    getattr(errno, "EDQUOT", -1): "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a file stands where a folder should be",
    errno.EEXIST: "a file stands where a folder should be",  # mkdir(exist_ok=True) on a file
    errno.EISDIR: "a folder stands where a file should be",
    errno.EIO: "input/output error",
}


def os_reason(exc: OSError) -> str:
    """What an `OSError` means to a user, in a few words (`disk full`), never a traceback."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
