"""`atm calibrate`: a screenshot → a versioned config, by wizard or by `--auto --yes`.

    atm calibrate                         title, "Ready?", countdown, screenshot, wizard
    atm calibrate --screenshot F          the wizard on a saved image
    atm calibrate --auto                  the wizard, every step preselected
    atm calibrate --auto --yes [...]      no window: accept the proposal, report the rest
    atm calibrate --chart NAME [...]      add or replace one chart of a [[charts]] config

Without `--chart` a single-chart config is calibrated as it always was, and a config of
several charts is refused (exit 2): which of them the screenshot shows is for `--chart` to
say. `--auto --yes` on a screenshot of several charts writes one `[[charts]]` entry per
dot strip; with `--chart` it takes the strip over that chart's `dot_roi`, else the one
over no known chart, else refuses (exit 2) — `tools.calibrate_charts` has the rules.

The rollback commands (`atm config list|use|rollback`) are here too: they act on the same
configs folder.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from atm.calibration import Calibration, Proposal
from atm.calibration.auto import accept, propose
from atm.calibration.canary import check_marked
from atm.calibration.save import (
    Saved,
    list_configs,
    previous_config,
    rollback,
    save_charts,
    save_config,
    use_config,
    validate,
)
from atm.calibration.several import propose_charts
from atm.calibration.tables import chart_names
from atm.clock import WallClock
from atm.colors import Rgb
from atm.errors import CaptureError, InputError, Refused, UsageError
from atm.geometry import Rect
from atm.secrets import held_secrets
from atm.tools.calibrate_charts import (
    accept_all,
    as_charts,
    check_name,
    need_chart,
    pick,
    put,
    save_all,
    title_for,
)
from atm.types import Image
from atm.vision.axis import TextReader
from atm.vision.image_io import read_image
from atm.vision.ocr import default_reader
from atm.workspace import Workspace

#: Live calibration takes this many screenshots, this far apart, to see what changes on
#: its own (a clock's seconds, a ticking price) and keep the canary off it.
SHOTS = 3
SHOT_GAP_S = 1.5


def run_calibrate(
    workspace: Workspace,
    console: Console,
    *,
    screenshot: Path | None = None,
    delay: float = 3.0,
    auto: bool = False,
    yes: bool = False,
    chart: str | None = None,
    env: Mapping[str, str] | None = None,
    now: Callable[[], datetime] = datetime.now,
) -> int:
    """0 when a config was saved; 1 when cancelled or nothing usable was found.

    `chart` names the one chart of a `[[charts]]` config to add or replace
    (`tools.calibrate_charts` says which strip of a screen of several is which).
    """
    if yes and not auto:
        raise UsageError("--yes accepts the auto-detected proposal: use it with --auto")
    if delay < 0:
        raise UsageError(f"--delay: expected 0 or more seconds, got {delay:g}")
    check_name(chart)
    env = os.environ if env is None else env
    base = previous_config(workspace.configs)
    if chart is None and chart_names(base) and not yes:
        raise need_chart(base)
    form = as_charts(base) if chart is not None else None
    title = title_for(form if form is not None else base, chart)
    shots = [read_image(screenshot)] if screenshot is not None else None
    target = _Target(base, form, chart, env, default_reader())
    if yes:
        if shots is None:
            shots = grab_screens(title, delay, console)
        return _accept(workspace, console, shots, title, target, now())
    from atm.ui.wizard import run_wizard

    result = run_wizard(
        shots=shots,
        grab=lambda chosen: grab_screens(chosen, delay, console),
        check=lambda cal, seen: _check(cal, seen, target),
        propose=_propose_and_report(console, target) if auto else None,
        title=title,
    )
    if result is None:
        console.print("calibration cancelled: nothing written")
        return 1
    _print_saved(_save(workspace, result.calibration, target, now()), console)
    console.print(f"user actions: {result.actions}")
    return 0


@dataclass(frozen=True, slots=True)
class _Target:
    """What a calibration is saved over: the active config (`base`, raw TOML), its
    `[[charts]]` form and the chart to add or replace (both None without `--chart`)."""

    base: dict[str, Any] | None
    form: dict[str, Any] | None
    chart: str | None
    env: Mapping[str, str]
    reader: TextReader | None

    def pick(self, proposals: Sequence[Proposal]) -> Proposal:
        if self.chart is None or self.form is None:
            return proposals[0]
        return pick(proposals, self.chart, self.form)


def _save(workspace: Workspace, cal: Calibration, target: _Target, now: datetime) -> Saved:
    if target.chart is None or target.form is None:
        return save_config(
            workspace.configs, cal, now=now, env=target.env, base=target.base, held=held_secrets()
        )
    data = put(target.form, cal, target.chart)
    return save_charts(workspace.configs, data, now=now, env=target.env, held=held_secrets())


def _accept(
    workspace: Workspace,
    console: Console,
    shots: Sequence[Image],
    title: str,
    target: _Target,
    now: datetime,
) -> int:
    proposals = propose_charts(shots[0], later=shots[1:], reader=target.reader)
    if len(proposals) > 1 and target.chart is None:
        data, dropped = accept_all(proposals, shots[0], target.base, console)
        held = held_secrets()
        saved = save_all(workspace.configs, data, dropped, now=now, env=target.env, held=held)
        _print_saved(saved, console)
        return 0
    if target.chart is None and chart_names(target.base):
        raise need_chart(target.base)
    proposal = target.pick(proposals)
    print_proposal(proposal, console)
    if proposal.dot_roi is None:
        console.print(
            "nothing written: without the dot strip no config can work; run "
            "`atm calibrate --auto` to mark it by hand"
        )
        return 1
    _print_saved(_save(workspace, accept(proposal, shots[0], title), target, now), console)
    return 0


def _check(cal: Calibration, shots: Sequence[Image], target: _Target) -> None:
    """The wizard's last word before saving: the config loads, and the canary the user
    settled on holds nothing that changes on its own."""
    if target.chart is None or target.form is None:
        validate(cal, target.base, target.env)
    else:
        put(target.form, cal, target.chart)
    if cal.canary_roi is None:
        return
    flaw = check_marked(shots, cal.canary_roi, target.reader)
    if flaw is not None:
        raise Refused(
            f"The canary region {cal.canary_roi} {flaw}. Mark a part of the window that "
            "never changes (window buttons, a logo), or Skip the canary step to turn it off."
        )


def _propose_and_report(console: Console, target: _Target) -> Callable[[Sequence[Image]], Proposal]:
    def run(shots: Sequence[Image]) -> Proposal:
        if target.chart is None:
            proposal = propose(shots[0], later=shots[1:], reader=target.reader)
        else:
            proposals = propose_charts(shots[0], later=shots[1:], reader=target.reader)
            proposal = _first_or_pick(proposals, target, console)
        print_proposal(proposal, console)
        return proposal

    return run


def _first_or_pick(proposals: Sequence[Proposal], target: _Target, console: Console) -> Proposal:
    """The wizard's preselection for `--chart`: the chart's strip, else the first one."""
    try:
        return target.pick(proposals)
    except UsageError as exc:
        console.print(f"{exc}; the wizard shows the first: drag the strip to change it")
        return proposals[0]


def grab_screens(
    title: str, delay: float, console: Console, shots: int = SHOTS, gap: float = SHOT_GAP_S
) -> list[Image]:
    """`grab_screen`, then `shots - 1` more screenshots `gap` seconds apart: the first is
    the calibration's, the others show what changes on its own."""
    images = [grab_screen(title, delay, console)]
    if shots > 1:
        console.print(
            f"{shots - 1} more screenshots {gap:g} s apart, to see what changes on its own…"
        )
    clock = WallClock()
    for _ in range(shots - 1):
        clock.sleep(gap)
        images.append(grab_screen(title, 0.0, console, quiet=True))
    return images


def grab_screen(title: str, delay: float, console: Console, *, quiet: bool = False) -> Image:
    """Bring the window titled `title` forward if found, count down, grab the primary screen.

    `quiet`: the window is already in front (a later screenshot of the same calibration).
    """
    from atm.capture.dpi import set_dpi_awareness
    from atm.capture.screen import ScreenCapture
    from atm.capture.window import activate, find_window
    from atm.ui import screen_size

    set_dpi_awareness()
    if not quiet:
        try:
            window = find_window(title)
        except CaptureError as exc:
            window, why = None, str(exc)
        else:
            why = f"no window title contains {title!r}"
        if window is None:
            console.print(f"{why}: make sure the chart is in front")
        else:
            problem = activate(window)
            console.print(problem or f"brought {window.title!r} to the front")
    clock = WallClock()
    remaining = delay
    while remaining > 0:
        console.print(f"screenshot in {math.ceil(remaining)} s…")
        step = remaining - (math.ceil(remaining) - 1)  # the fraction first, then whole seconds
        clock.sleep(step)
        remaining -= step
    width, height = screen_size()
    capture = ScreenCapture(Rect(0, 0, width, height), clock)
    try:
        return capture.grab().image
    finally:
        capture.close()


def print_proposal(proposal: Proposal, console: Console) -> None:
    """What auto-detection found, one line each, then what it could not find."""
    if proposal.dot_roi is not None:
        named = sum(d.color is not None for d in proposal.dots)
        console.print(
            f"dot strip: {_rect(proposal.dot_roi)} ({len(proposal.dots)} dots, {named} named, "
            f"spacing {proposal.spacing or 0:.1f} px)"
        )
    for name, rgb in proposal.colors.items():
        count = sum(d.color == name for d in proposal.dots)
        where = f"{count} dots" if name != "background" else "strip median"
        console.print(f"  {name:<12} {_rgb(rgb)}  ({where})")
    for key, rect in (("chart area", proposal.chart_roi), ("price axis", proposal.axis_roi)):
        if rect is not None:
            console.print(f"{key}: {_rect(rect)}")
    if proposal.axis_points is not None:
        a, b = proposal.axis_points
        console.print(f"y-axis prices: {a.price:g} at y={a.y}, {b.price:g} at y={b.y} (read)")
    if proposal.canary_roi is not None:
        line = f"canary: {_rect(proposal.canary_roi)}: {proposal.canary_why}"
        console.print(line, markup=False, soft_wrap=True)
    for line in proposal.canary_rejected:
        console.print(f"  canary not at {line}", markup=False, soft_wrap=True)
    if proposal.missing:
        console.print("not found:")
        for line in proposal.missing:
            console.print(f"  - {line}")


def _print_saved(saved: Saved, console: Console) -> None:
    console.print(f"wrote {saved.path} (now the active config)")
    for var, source in saved.secrets.items():
        if source == "placeholder":
            console.print(f"  {var} not set: that backend stays off until you fill it in")
        elif source == "keyring":
            console.print(f"  {var}: in the OS keyring, not written to the file")
        elif source == "environment":
            console.print(f"  {var}: from the environment, not written to the file")
        else:
            console.print(f"  {var}: from the {source}")
    for note in saved.notes:
        console.print(f"  note: {note}")
    console.print("check it with: atm debug --screenshot FILE, or atm dryrun DIR")


def _rect(r: Rect) -> str:
    return f"{r.x},{r.y} {r.w}x{r.h}"


def _rgb(rgb: Rgb) -> str:
    return f"rgb({rgb[0]:>3}, {rgb[1]:>3}, {rgb[2]:>3})"


# -- config list / use / rollback -----------------------------------------------------------


def run_config_list(workspace: Workspace, console: Console) -> int:
    files = list_configs(workspace.configs)
    if not files:
        raise InputError(f"{workspace.configs}: no configs yet; run `atm calibrate`")
    for f in files:
        console.print(f"{'*' if f.active else ' '} {f.name}")
    return 0


def run_config_use(workspace: Workspace, name: str, console: Console) -> int:
    path = use_config(workspace.configs, name)
    console.print(f"active config: {path.name}")
    return 0


def run_config_rollback(workspace: Workspace, console: Console) -> int:
    path = rollback(workspace.configs)
    console.print(f"rolled back: the active config is now {path.name}")
    return 0
