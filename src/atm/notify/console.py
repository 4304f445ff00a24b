"""The console backend: always there, the only one when nothing else is configured."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from atm.notify.base import Message

_STYLE = {"trigger": "bold", "health": "yellow", "levels": "green", "heartbeat": "dim"}


class ConsoleNotifier:
    name = "console"

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console()

    def send(self, message: Message) -> None:
        # Text, not markup: a symbol label such as "[DIA]" must print as written
        line = Text(message.text, style=_STYLE.get(message.kind, ""))
        if message.image_png:
            line.append("  (screenshot attached)", style="dim")
        self._console.print(line)

    def close(self) -> None:
        return None
