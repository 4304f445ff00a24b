"""Where each secret comes from: the environment, the OS keyring, or the config file.

Precedence is environment > keyring > config file, so a one-off `ATM_TG_TOKEN=… atm run`
still wins over what is stored, and a token kept in the keyring never needs to be in a
file. The keyring is the optional `[keyring]` extra (Windows Credential Manager, macOS
Keychain, Secret Service on Linux); without it, or on a machine with no keyring backend,
secrets come from the other two places and `atm config check` says why in one line.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from atm.errors import UsageError

#: Environment variable → where its value goes in the TOML-shaped config.
ENV_SECRETS: Final[dict[str, tuple[str, ...]]] = {
    "ATM_DISCORD_URL": ("notify", "discord", "webhook_url"),
    "ATM_TG_TOKEN": ("notify", "telegram", "token"),
    "ATM_TG_CHAT": ("notify", "telegram", "chat_id"),
}

SecretName = Literal["discord", "telegram"]
Source = Literal["environment", "keyring", "config file", "not set"]


@dataclass(frozen=True, slots=True)
class Secret:
    """One secret `atm secrets set NAME` can store, and its environment variable."""

    name: SecretName
    env: str
    prompt: str

    @property
    def keys(self) -> tuple[str, ...]:
        return ENV_SECRETS[self.env]

    @property
    def dotted(self) -> str:
        return ".".join(self.keys)


SECRETS: Final[dict[SecretName, Secret]] = {
    "discord": Secret("discord", "ATM_DISCORD_URL", "Discord webhook URL"),
    "telegram": Secret("telegram", "ATM_TG_TOKEN", "Telegram bot token"),
}

#: The keyring's service name; each secret is stored under its `SecretName`.
SERVICE: Final = "atm-monitor"


class KeyringUnavailable(UsageError):
    """No usable OS keyring: the extra is not installed or the machine has no backend."""


class SecretStore(Protocol):
    """Somewhere secrets are kept apart from config files."""

    def get(self, name: SecretName) -> str | None: ...

    def set(self, name: SecretName, value: str) -> None: ...

    def delete(self, name: SecretName) -> bool: ...

    def describe(self) -> str: ...


class KeyringStore:
    """The `keyring` package's active backend; every failure is a `KeyringUnavailable`."""

    def __init__(self) -> None:
        try:
            self._keyring: Any = importlib.import_module("keyring")
            self._errors: Any = importlib.import_module("keyring.errors")
        except ImportError:
            raise KeyringUnavailable(
                'the keyring extra is not installed: pip install "atm-monitor[keyring]"'
            ) from None
        backend = self._keyring.get_keyring()
        self.backend = f"{type(backend).__module__}.{type(backend).__name__}"
        if type(backend).__module__.startswith(("keyring.backends.fail", "keyring.backends.null")):
            raise KeyringUnavailable(
                f"no OS keyring on this machine (keyring backend {self.backend}); "
                "use the environment (ATM_DISCORD_URL, ATM_TG_TOKEN) or the config file"
            )

    def get(self, name: SecretName) -> str | None:
        try:
            value = self._keyring.get_password(SERVICE, name)
        except self._errors.KeyringError as exc:
            raise KeyringUnavailable(f"the keyring could not be read ({_kind(exc)})") from None
        return str(value) if value else None

    def set(self, name: SecretName, value: str) -> None:
        try:
            self._keyring.set_password(SERVICE, name, value)
        except self._errors.KeyringError as exc:
            raise KeyringUnavailable(f"the keyring did not store it ({_kind(exc)})") from None
        if self.get(name) != value:  # some backends accept a write and keep nothing
            raise KeyringUnavailable(f"the keyring backend {self.backend} did not keep the secret")

    def delete(self, name: SecretName) -> bool:
        if self.get(name) is None:
            return False
        try:
            self._keyring.delete_password(SERVICE, name)
        except self._errors.KeyringError as exc:
            raise KeyringUnavailable(f"the keyring did not delete it ({_kind(exc)})") from None
        return True

    def describe(self) -> str:
        return f"keyring ({self.backend})"


def _kind(exc: Exception) -> str:
    # keyring's messages can quote what was stored; the class name is enough to act on
    return type(exc).__name__


def open_store() -> tuple[SecretStore | None, str]:
    """The OS keyring if usable, and one line saying which (or why not), for `config check`."""
    try:
        store = KeyringStore()
    except KeyringUnavailable as exc:
        return None, f"keyring: not used: {exc}"
    return store, f"keyring: {store.describe()}"


def held_secrets(store: SecretStore | bool | None = True) -> frozenset[str]:
    """The environment variables whose secret the keyring holds (True = the OS keyring)."""
    keyring = open_store()[0] if store is True else store or None
    return frozenset(s.env for s in SECRETS.values() if _held(keyring, s.name))


def overlay(
    data: dict[str, Any], env: Mapping[str, str], store: SecretStore | None
) -> tuple[dict[str, Any], dict[str, Source]]:
    """`data` with secrets from the environment and the keyring laid over it, and where each
    secret (by dotted key) came from. A keyring that fails to answer counts as empty."""
    sources: dict[str, Source] = {}
    for var, keys in ENV_SECRETS.items():
        if env.get(var):
            _put(data, keys, env[var])
            sources[".".join(keys)] = "environment"
    for secret in SECRETS.values():
        if secret.dotted in sources:
            continue
        held = _held(store, secret.name)
        if held:
            _put(data, secret.keys, held)
            sources[secret.dotted] = "keyring"
        else:
            sources[secret.dotted] = "config file" if _get(data, secret.keys) else "not set"
    return data, sources


def _held(store: SecretStore | None, name: SecretName) -> str | None:
    if store is None:
        return None
    try:
        return store.get(name)
    except KeyringUnavailable:
        return None


def _put(data: dict[str, Any], keys: tuple[str, ...], value: str) -> None:
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        node[key] = node = dict(child) if isinstance(child, Mapping) else {}
    node[keys[-1]] = value


def _get(data: Mapping[str, Any], keys: tuple[str, ...]) -> object:
    node: object = data
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node
