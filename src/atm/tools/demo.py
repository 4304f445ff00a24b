"""`atm demo`: a simulated two-hour session through the real pipeline, in seconds.

The simulator draws the chart, the runner watches it on the replay clock exactly as it
watches a screen, alerts go to the console (and to Discord/Telegram if the environment
configures them), and the end is a table of the triggers the scenario planted against
the ones the pipeline sent.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import tomli_w
from rich.console import Console
from rich.table import Table

from atm import config as config_mod
from atm.audit import AuditLog
from atm.capture.sim import SimCapture
from atm.clock import ReplayClock, hms
from atm.errors import UsageError
from atm.evaluate import FireAt, pair_fires
from atm.fileio import write_atomic
from atm.notify import factory
from atm.runner import Runner
from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout
from atm.sim.scenario import Session, generate
from atm.sim.theme import THEMES
from atm.stages.base import RunStats
from atm.vision.ocr import default_reader
from atm.workspace import Workspace

BARS = 40  # 40 bars of 3 minutes: a two-hour session
INTERVAL_S = 5.0
MARKER = ".atm-demo"


def run_demo(workspace: Workspace, console: Console, seed: int = 7) -> int:
    """Run the demo into `<home>/demo`; 0 when every planted trigger was alerted, else 1."""
    demo = Workspace(_fresh_folder(workspace.home / "demo"))
    start = datetime(2026, 11, 20, 21, 0, 0).astimezone().timestamp()
    layout, theme = Layout.for_scale(1.0), THEMES["dark"]
    session = generate(bars=BARS, seed=seed)
    clock = ReplayClock(start)
    capture = SimCapture(session, layout, theme, interval_s=INTERVAL_S, start_ts=start, clock=clock)
    config = _demo_config(demo, corpus_config(layout, theme, capture.axis))
    console.print(
        f"[bold]ATM demo[/]: {BARS} simulated 3-minute bars of {config.symbol_label}, "
        f"a frame every {INTERVAL_S:g} s, workspace [cyan]{demo.home}[/]"
    )
    audit = AuditLog(demo.logs, config.schedule.timezone)
    notifier = factory.builder(config.notify, demo.dead_letter, console=console)
    runner = Runner(config, capture, clock, notifier, demo, audit, ocr=default_reader())
    stats = runner.run()
    return _summary(session, start, stats, demo, console)


def _fresh_folder(folder: Path) -> Path:
    """Recreate the demo folder, but never wipe a folder the demo did not make."""
    if folder.exists():
        if not (folder / MARKER).exists():
            raise UsageError(f"{folder}: exists and was not made by `atm demo`; move it away")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by atm demo; deleted on the next run\n")
    return folder


def _demo_config(demo: Workspace, raw: dict[str, Any]) -> config_mod.Config:
    """The simulator's matching config, saved as the demo workspace's active config."""
    raw["loop"] = {"interval_s": INTERVAL_S, "debounce_depth": 1}
    demo.configs.mkdir(parents=True)
    path = demo.configs / "demo.toml"
    write_atomic(path, tomli_w.dumps(raw))
    write_atomic(demo.configs / "current.txt", "demo.toml\n")
    return config_mod.load(path, env=os.environ)


def _summary(
    session: Session, start: float, stats: RunStats, demo: Workspace, console: Console
) -> int:
    expected = _planted(session, start)
    detected: list[FireAt] = [(f.ts, f.direction) for f in stats.sent]
    pairs = pair_fires(expected, detected)
    table = Table(title="Triggers: expected vs detected", title_justify="left")
    for col in ("#", "expected", "at", "detected", "at", ""):
        table.add_column(col)
    for j, (ts, direction) in enumerate(expected):
        i = pairs.get(j)
        got = (
            ("—", "—", "[red]missed[/]")
            if i is None
            else (detected[i][1], hms(detected[i][0]), "[green]✓[/]")
        )
        table.add_row(str(j + 1), direction, hms(ts), *got)
    false_alarms = [d for i, d in enumerate(detected) if i not in pairs.values()]
    for ts, direction in false_alarms:
        table.add_row("", "—", "—", direction, hms(ts), "[red]false alarm[/]")
    console.print(table)
    console.print(
        f"{len(expected)} expected, {len(detected)} detected, {stats.cycles} cycles. "
        f"Audit: {demo.logs}; screenshots: {demo.fires}"
    )
    return 0 if len(pairs) == len(expected) and not false_alarms else 1


def _planted(session: Session, start: float) -> list[FireAt]:
    period = session.bar_seconds
    return [(start + i * period, bar.fire) for i, bar in enumerate(session.bars) if bar.fire]
