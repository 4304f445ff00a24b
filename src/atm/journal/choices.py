"""The three buttons under a trigger alert, and what a press carries: one vocabulary for
the Telegram keyboard (notify) and the journal that records the presses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

Choice = Literal["taken", "skipped", "false"]
CHOICES: Final[tuple[Choice, ...]] = get_args(Choice)
LABELS: Final[dict[Choice, str]] = {"taken": "Taken", "skipped": "Skipped", "false": "False signal"}


@dataclass(frozen=True, slots=True)
class Press:
    """One button press: which signal, which choice, who, and the message it was under."""

    signal: str
    choice: Choice
    user: str = "?"
    chat_id: str = ""
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """The reply to a press: the text the phone shows, and the choice to tick (None: none)."""

    text: str
    tick: Choice | None
