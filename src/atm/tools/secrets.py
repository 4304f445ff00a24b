"""`atm secrets`: store or remove a secret in the OS keyring; the value is never shown."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable, Mapping

from rich.console import Console

from atm.errors import UsageError
from atm.secrets import SECRETS, KeyringStore, SecretName, SecretStore

#: What each secret looks like, so a paste of the wrong thing is caught before it is stored.
_SHAPES: dict[SecretName, tuple[str, str]] = {
    "discord": (
        r"https?://[^/\s]+/api/webhooks/\d+/[\w-]+",
        "a webhook URL, …/api/webhooks/ID/TOKEN",
    ),
    "telegram": (r"\d+:[\w-]{20,}", "a bot token from @BotFather, 123456789:AA…"),
}


def run_secrets_set(
    name: SecretName,
    console: Console,
    *,
    store: SecretStore | None = None,
    read: Callable[[str], str] = getpass.getpass,
    env: Mapping[str, str] = os.environ,
) -> int:
    """Prompt without echo, check the shape, store; 0 when the keyring kept it."""
    secret = SECRETS[name]
    keyring = store or KeyringStore()
    value = read(f"{secret.prompt} (input hidden): ").strip()
    if not value:
        raise UsageError(f"{secret.prompt}: nothing entered, nothing stored")
    pattern, shape = _SHAPES[name]
    if not re.fullmatch(pattern, value):
        raise UsageError(f"{secret.prompt}: that does not look like {shape}; nothing stored")
    keyring.set(name, value)
    console.print(f"stored the {secret.prompt} in the {keyring.describe()}")
    if env.get(secret.env):
        console.print(f"note: {secret.env} is set in this environment and wins over the keyring")
    console.print("`atm config check` shows where each secret comes from")
    return 0


def run_secrets_delete(name: SecretName, console: Console, store: SecretStore | None = None) -> int:
    """0 when it was removed, 1 when the keyring did not hold it."""
    secret = SECRETS[name]
    keyring = store or KeyringStore()
    if keyring.delete(name):
        console.print(f"removed the {secret.prompt} from the {keyring.describe()}")
        return 0
    console.print(f"the {keyring.describe()} holds no {secret.prompt}")
    return 1
