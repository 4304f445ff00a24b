"""`atm label DIR`: open the labeler window on a corpus (the session lives in `atm.labeling`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from atm.config import Config
from atm.labeling import LabelSession


def run_label(
    folder: Path,
    config: Config,
    console: Console,
    window: Callable[[LabelSession], int] | None = None,
) -> int:
    """Open the labeler on `folder`; 0 when closed normally. Labels are already saved."""
    session = LabelSession(folder, config)
    if window is None:
        from atm.ui.labeler import run_labeler

        window = run_labeler
    console.print(
        f"{folder}: {len(session.frames)} frames, {session.labelled} labelled; "
        f"starting at {session.name}"
    )
    rc = window(session)
    console.print(
        f"labelled {session.labelled}/{len(session.frames)}; saved {folder / 'labels.json'}"
    )
    return rc
