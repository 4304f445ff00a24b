"""`atm label DIR`: open the labeler window on a corpus (the session lives in `atm.labeling`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from atm.config import Config, pick_charts
from atm.corpus import labels_name
from atm.errors import UsageError
from atm.labeling import LabelSession


def run_label(
    folder: Path,
    config: Config,
    console: Console,
    window: Callable[[LabelSession], int] | None = None,
    chart: str | None = None,
) -> int:
    """Open the labeler on `folder` for one chart; 0 when closed normally. Labels are
    already saved."""
    charts = pick_charts(config, chart)
    if len(charts) > 1:
        names = ", ".join(c.name for c in charts)
        raise UsageError(f"this config watches {names}: label one at a time with --chart NAME")
    session = LabelSession(folder, charts[0])
    if window is None:
        from atm.ui.labeler import run_labeler

        window = run_labeler
    console.print(
        f"{folder}: {len(session.frames)} frames, {session.labelled} labelled; "
        f"starting at {session.name}"
    )
    rc = window(session)
    console.print(
        f"labelled {session.labelled}/{len(session.frames)}; "
        f"saved {folder / labels_name(charts[0].name)}"
    )
    return rc
