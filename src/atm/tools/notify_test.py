"""`atm notify test`: one test message with a small image to every configured backend."""

from __future__ import annotations

import io
import threading

from PIL import Image, ImageDraw
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from atm.clock import WallClock, hms
from atm.colors import DOT_COLORS, REFERENCE_RGB
from atm.config import Config
from atm.notify import factory
from atm.notify.base import Message
from atm.notify.fanout import Event, RetryPolicy
from atm.workspace import Workspace

#: A person is waiting at the terminal: fewer, shorter retries than a live run.
TEST_POLICY = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=5.0, max_age=60.0)
_FINAL = ("alert_sent", "alert_failed", "alert_dropped")


def sample_png() -> bytes:
    """A 64×32 PNG: the seven dot colours on the strip background, like a tiny chart."""
    image = Image.new("RGB", (64, 32), REFERENCE_RGB["background"])
    draw = ImageDraw.Draw(image)
    for i, color in enumerate(DOT_COLORS):
        x = 3 + i * 9
        draw.ellipse((x, 12, x + 6, 18), fill=REFERENCE_RGB[color])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def run_notify_test(
    config: Config,
    workspace: Workspace,
    console: Console,
    *,
    policy: RetryPolicy = TEST_POLICY,
    wait: float = 30.0,
    timeout: float = factory.DEFAULT_TIMEOUT,
) -> int:
    """Send, wait for every backend's outcome, print a table; 0 if all delivered, else 1."""
    outcomes: dict[str, Event] = {}
    lock = threading.Lock()

    def on_event(event: Event) -> None:
        if event["event"] in _FINAL:
            with lock:
                outcomes[event["backend"]] = event

    fanout = factory.build(
        config.notify,
        workspace.dead_letter,
        console=console,
        on_event=on_event,
        policy=policy,
        timeout=timeout,
    )
    now = WallClock().time()
    text = f"🔔 ATM test message for {config.symbol_label} | {hms(now, config.schedule.timezone)}"
    fanout.publish(Message(kind="startup", text=text, ts=now, image_png=sample_png()))
    fanout.flush(wait)
    fanout.close(timeout=1.0)  # whatever is still pending is dead-lettered and reported
    console.print(_table(fanout.backends, outcomes))
    delivered = all(outcomes.get(b, {}).get("event") == "alert_sent" for b in fanout.backends)
    if not delivered:
        console.print(f"Undelivered test messages are in {workspace.dead_letter}")
    return 0 if delivered else 1


def _table(backends: list[str], outcomes: dict[str, Event]) -> Table:
    table = Table(title="atm notify test")
    for column in ("backend", "result", "attempts", "detail"):
        table.add_column(column, overflow="fold")
    for name in backends:
        event = outcomes.get(name, {})
        if event.get("event") == "alert_sent":
            result, detail = "[green]delivered[/]", f"in {event['latency_s']:.2f} s"
        else:
            result, detail = "[red]failed[/]", str(event.get("error", "no outcome"))
        # the detail is the service's text: print it literally, never as rich markup
        table.add_row(name, result, str(event.get("attempts", 0)), escape(detail))
    return table
