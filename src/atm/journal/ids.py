"""Signal and trade ids: short, typeable, unique per workspace, the same on every replay.

A signal id is a hash of what makes a FIRE unique — the chart's symbol, the direction and
the frame's time — so a replayed session gives its signals the ids the live run gave
them, and two charts firing at the same second still differ. Ten characters of a
lower-case base32 alphabet without look-alikes (no i, l, o, u); the alert footer shows
the first six (`#k3q7ma`), and every command accepts any unique prefix of four or more.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Final

from atm.errors import InputError

ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LEN: Final = 10
SHORT_LEN: Final = 6
MIN_PREFIX: Final = 4


def _encode(data: bytes, length: int) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def signal_id(symbol: str, direction: str, ts: float) -> str:
    """The id of the FIRE of `direction` on `symbol` in the frame taken at `ts` (epoch s)."""
    key = f"{symbol}\x1f{direction}\x1f{round(ts * 1000)}".encode()
    return _encode(hashlib.blake2b(key, digest_size=8).digest(), ID_LEN)


def short(identifier: str) -> str:
    """The form shown in alerts and tables."""
    return identifier[:SHORT_LEN]


def footer(identifier: str) -> str:
    """What trigger and levels alerts end with: ` | #k3q7ma`."""
    return f" | #{short(identifier)}"


def trade_id_for_signal(signal: str) -> str:
    """A signal has one journal record; its id follows from the signal's, so a replayed
    Telegram press or a second `journal add` finds the same record instead of a twin."""
    return f"t{signal}"


def trade_id_for_key(key: str) -> str:
    """An imported trade's id, from its broker key: importing twice gives the same id."""
    return "t" + _encode(hashlib.blake2b(key.encode(), digest_size=8).digest(), ID_LEN)


def new_trade_id() -> str:
    """A trade of your own (no signal, not imported)."""
    return "t" + _encode(secrets.token_bytes(8), ID_LEN)


def resolve(prefix: str, known: Iterable[str], what: str, flag: str) -> str:
    """The one id in `known` that starts with `prefix` (a leading `#` is ignored).

    Raises `InputError` naming `flag` when the prefix is too short, matches nothing, or
    matches more than one id (listing them, so the user can type more).
    """
    text = prefix.strip().lstrip("#").lower()
    if len(text) < MIN_PREFIX:
        raise InputError(f"{flag}: {prefix!r} is too short; type at least {MIN_PREFIX} characters")
    matches = sorted({k for k in known if k.startswith(text)})
    if not matches:
        raise InputError(f"{flag}: no {what} with id {prefix!r}")
    if len(matches) > 1:
        raise InputError(f"{flag}: {prefix!r} matches several {what}s: {', '.join(matches)}")
    return matches[0]
