"""Optional backend for the many services apprise knows (`[notify.apprise] urls = [...]`).

apprise is imported lazily (extra `atm-monitor[apprise]`). One backend per URL, so a retry
re-sends only to the service that failed. apprise's `notify()` answers False and logs the
reason; that False becomes a `TransientNotifyError` carrying the logged reason, redacted.
apprise's logger is kept from propagating and urllib3's is held at WARNING: their lines
can carry the URL, credentials included.
"""

from __future__ import annotations

import importlib
import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from atm.errors import ConfigError, TransientNotifyError
from atm.notify.base import Message
from atm.redact import Redactor, mask_scheme, url_secrets

# apprise's LogCapture hooks the one shared "apprise" logger: one capture at a time
_CAPTURE_LOCK = threading.Lock()


def load_apprise() -> Any:
    """The apprise module, or a `ConfigError` saying how to install it."""
    # before the import: apprise logs at import time, and urllib3 logs each URL at DEBUG
    logger = logging.getLogger("apprise")
    if logger.propagate:
        logger.propagate = False
        logger.addHandler(logging.NullHandler())
    urllib3 = logging.getLogger("urllib3")
    if urllib3.level < logging.WARNING:
        urllib3.setLevel(logging.WARNING)
    try:
        return importlib.import_module("apprise")
    except ImportError:
        raise ConfigError(
            "notify.apprise.urls is set but apprise is not installed: "
            "pip install 'atm-monitor[apprise]'"
        ) from None


class AppriseNotifier:
    def __init__(self, url: SecretStr, *, name: str = "apprise") -> None:
        self.name = name
        self._module = load_apprise()
        self._masked = mask_scheme(url)
        self._redact = Redactor(url_secrets(url.get_secret_value()))
        self._apprise = self._module.Apprise()
        if not self._apprise.add(url.get_secret_value()):
            raise ConfigError(
                f"notify.apprise.urls: {self._masked} is not a URL apprise understands"
            )

    def send(self, message: Message) -> None:
        with tempfile.TemporaryDirectory(prefix="atm-") as tmp:
            attach = None
            if message.image_png:
                attach = str(Path(tmp) / "alert.png")
                try:
                    Path(attach).write_bytes(message.image_png)
                except OSError:  # a full temp disk costs the picture, not the alert
                    attach = None
            with (
                _CAPTURE_LOCK,
                self._module.LogCapture(level=logging.INFO, fmt="%(message)s") as captured,
            ):
                delivered = bool(self._apprise.notify(body=message.text, attach=attach))
        if not delivered:
            lines = [line for line in captured.getvalue().splitlines() if line.strip()]
            reason = self._redact(lines[-1]) if lines else "apprise gave no reason"
            raise TransientNotifyError(f"{self.name}: not accepted ({reason})")

    def close(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"AppriseNotifier({self.name!r}, url={self._masked!r})"
