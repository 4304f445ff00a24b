"""The Taken / Skipped / False signal keyboard under a trigger alert, as Bot API data.

An `InlineKeyboardMarkup` is `{"inline_keyboard": [[button, ...], ...]}`; each button has
a `text` and a `callback_data` of 1–64 bytes that Telegram hands back in the
`callback_query` when it is pressed. Ours is `<choice>:<signal id>` (at most 18 bytes).
After a press the keyboard is redrawn with a tick on the choice, and stays pressable, so
a slip of the thumb can be corrected.
"""

from __future__ import annotations

from typing import Any

from atm.journal.choices import CHOICES, LABELS, Choice

_TICK = "✅ "
_SEP = ":"


def keyboard(signal: str, chosen: Choice | None = None) -> dict[str, Any]:
    """The reply markup for a trigger alert of `signal`, with `chosen` ticked."""
    row = [
        {
            "text": (_TICK if choice == chosen else "") + LABELS[choice],
            "callback_data": f"{choice}{_SEP}{signal}",
        }
        for choice in CHOICES
    ]
    return {"inline_keyboard": [row]}


def parse(data: object) -> tuple[Choice, str] | None:
    """(choice, signal id) from a button's `callback_data`; None for anything else (a bad
    client can send arbitrary data in this field)."""
    if not isinstance(data, str):
        return None
    choice, sep, signal = data.partition(_SEP)
    if not sep or not signal.isalnum() or len(signal) > 32:
        return None
    for known in CHOICES:
        if choice == known:
            return known, signal
    return None
