"""Build the `FanoutNotifier` a run uses from the validated `[notify]` config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console

from atm.config import Notify
from atm.notify.apprise import AppriseNotifier
from atm.notify.base import Notifier
from atm.notify.console import ConsoleNotifier
from atm.notify.discord import DiscordNotifier
from atm.notify.fanout import Event, FanoutNotifier, RetryPolicy
from atm.notify.outbox import Outbox
from atm.notify.telegram import TelegramNotifier

DEFAULT_TIMEOUT = 10.0  # seconds per HTTP request; a hung service blocks only its own lane


def backends(
    notify_cfg: Notify, *, console: Console | None = None, timeout: float = DEFAULT_TIMEOUT
) -> list[Notifier]:
    """Console always; Discord, Telegram and each apprise URL when configured."""
    out: list[Notifier] = [ConsoleNotifier(console)]
    discord, telegram = notify_cfg.discord, notify_cfg.telegram
    if discord.enabled:
        out.append(
            DiscordNotifier(
                discord.webhook_url,
                heartbeat_thread_id=discord.heartbeat_thread_id,
                timeout=timeout,
            )
        )
    if telegram.enabled:
        out.append(
            TelegramNotifier(
                telegram.token,
                telegram.chat_id,
                api_base=telegram.api_base,
                heartbeat_thread_id=telegram.heartbeat_thread_id,
                buttons=telegram.buttons,
                timeout=timeout,
            )
        )
    urls = notify_cfg.apprise.urls
    if urls:
        for i, url in enumerate(urls, 1):
            scheme = urlsplit(url.get_secret_value()).scheme or "url"
            name = f"apprise-{scheme}" + (f"-{i}" if len(urls) > 1 else "")
            out.append(AppriseNotifier(url, name=name))
    return out


def build(
    notify_cfg: Notify,
    dead_letter: Path,
    *,
    console: Console | None = None,
    on_event: Callable[[Event], None] | None = None,
    policy: RetryPolicy | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    outbox: Path | None = None,
) -> FanoutNotifier:
    """The fanout over every configured backend; raises `ConfigError` if one cannot start.

    With `outbox` (a run's `logs/outbox.jsonl`) every alert is on disk before it is queued,
    and what the last run left unfinished is resumed before this returns.
    """
    return FanoutNotifier(
        backends(notify_cfg, console=console, timeout=timeout),
        dead_letter,
        on_event=on_event,
        policy=policy,
        outbox=Outbox(outbox) if outbox is not None else None,
    )


def builder(
    notify_cfg: Notify,
    dead_letter: Path,
    *,
    console: Console | None = None,
    outbox: Path | None = None,
) -> Callable[[Callable[[Event], None]], FanoutNotifier]:
    """`build` with everything but the event sink, which the runner supplies itself."""

    def make(on_event: Callable[[Event], None]) -> FanoutNotifier:
        return build(notify_cfg, dead_letter, console=console, on_event=on_event, outbox=outbox)

    return make
