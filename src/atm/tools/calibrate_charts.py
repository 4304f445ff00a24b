"""`atm calibrate` with several charts: `--chart NAME`, and screens showing several strips.

Which strip is which chart, when the screenshot shows several:

- `--chart NAME` calibrates one: the strip over NAME's `dot_roi` when the config has that
  chart; else the one strip over no chart the config has (a chart added beside the
  others); else it cannot tell, and says so (exit 2) with the strips it found.
- no `--chart` (`--auto --yes`): every strip becomes a chart — named after the config's
  chart whose `dot_roi` it overlaps, else chart1, chart2… left to right. Charts of the
  config not on the screenshot are dropped (`atm config rollback` brings them back).

A config of several charts needs `--chart` when one chart is calibrated: the others are
not on the wizard's screenshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from atm import config as config_mod
from atm.calibration import Calibration, Proposal
from atm.calibration.auto import accept
from atm.calibration.save import Saved, save_charts
from atm.calibration.tables import base_strips, chart_names, charts_form, keep_only, put_chart
from atm.config.charts import name_from, valid_name
from atm.errors import ConfigError, UsageError
from atm.geometry import Rect
from atm.types import Image


def check_name(name: str | None) -> None:
    """`UsageError` (exit 2) naming `--chart` for a name a `[[charts]]` table cannot hold."""
    if name is not None and not valid_name(name):
        raise UsageError(
            f"--chart: expected a short name of letters, digits, '_', '.', '-' "
            f"(at most 32, starting with a letter or digit), got {name[:40]!r}"
        )


def need_chart(base: Mapping[str, Any] | None) -> UsageError:
    """The error for a config of several charts calibrated without `--chart`."""
    names = ", ".join(chart_names(base))
    return UsageError(
        f"this config watches {names}: pick one with --chart NAME, or a new name to add one"
    )


def title_for(base: Mapping[str, Any] | None, name: str | None) -> str:
    """The window title to look for: chart `name`'s, else the config's, else TradeStation."""
    shared = str(base.get("window_title", "TradeStation")) if base else "TradeStation"
    for table in base.get("charts", []) if base and name else []:
        if isinstance(table, Mapping) and table.get("name") == name:
            return str(table.get("window_title", shared))
    return shared


def as_charts(base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The active config in the `[[charts]]` form (a single chart named after its symbol,
    `config migrate`'s way); `ConfigError` when it does not load, so nothing is lost."""
    if base is None:
        return charts_form(None, "")
    try:
        if "charts" in base:
            return charts_form(base, "")
        current = config_mod.from_dict(base, source="the active config")
        return charts_form(base, name_from(current.symbol_label))
    except ConfigError as exc:
        raise ConfigError(
            f"the active config's charts cannot be kept, it does not load: {exc}"
        ) from None


def pick(proposals: Sequence[Proposal], name: str, data: Mapping[str, Any]) -> Proposal:
    """The proposal for chart `name` among several (see the module docstring)."""
    if len(proposals) == 1:
        return proposals[0]
    known = base_strips(data)
    mine = [r for n, r in known if n == name]
    over = [p for p in proposals if mine and _overlaps(p, mine[0])]
    if len(over) == 1:
        return over[0]
    free = [p for p in proposals if not any(_overlaps(p, r) for _, r in known)]
    if not mine and len(free) == 1:
        return free[0]
    found = "; ".join(str(p.dot_roi) for p in proposals)
    raise UsageError(
        f"--chart {name}: the screenshot shows {len(proposals)} dot strips ({found}) and it "
        f"is not clear which one is {name}; --chart takes one: leave --yes out to mark it "
        "in the wizard, or leave --chart out to calibrate them all"
    )


def names_for(proposals: Sequence[Proposal], data: Mapping[str, Any]) -> list[str]:
    """A chart name per proposal: the config's chart its strip overlaps, else chartN."""
    known = base_strips(data)
    names: list[str] = []
    for p in proposals:
        over = [n for n, r in known if _overlaps(p, r) and n not in names]
        names.append(over[0] if over else "")
    taken = {n for n, _ in known} | set(names)
    for i, name in enumerate(names):
        n = i + 1
        while not name:
            if f"chart{n}" not in taken:
                names[i] = name = f"chart{n}"
                taken.add(name)
            n += 1
    return names


def put(data: Mapping[str, Any], cal: Calibration, name: str) -> dict[str, Any]:
    """`data` with chart `name` from `cal`; `ConfigError` naming the chart if it won't load."""
    out = put_chart(data, cal, name)
    config_mod.from_dict(out, source=f"calibration of chart {name!r}")
    return out


def accept_all(
    proposals: Sequence[Proposal],
    image: Image,
    base: Mapping[str, Any] | None,
    console: Console,
) -> tuple[dict[str, Any], list[str]]:
    """Every proposal as a chart of the config (`--auto --yes`, no `--chart`); the config
    and the names of the active config's charts that were dropped."""
    data = as_charts(base)
    names = names_for(proposals, data)
    print_found(proposals, names, console)
    for proposal, name in zip(proposals, names, strict=True):
        data = put_chart(data, accept(proposal, image, title_for(data, name)), name)
    dropped = [n for n in chart_names(data) if n not in names]
    return keep_only(data, names), dropped


def save_all(
    configs: Path,
    data: Mapping[str, Any],
    dropped: Sequence[str],
    *,
    now: datetime,
    env: Mapping[str, str],
    held: frozenset[str],
) -> Saved:
    saved = save_charts(configs, data, now=now, env=env, held=held)
    notes = tuple(
        f"chart {n!r} is not on this screenshot: left out (`atm config rollback` restores it)"
        for n in dropped
    )
    return Saved(saved.path, saved.config, saved.secrets, notes)


def print_found(proposals: Sequence[Proposal], names: Sequence[str], console: Console) -> None:
    """One row per chart found: where its strip, chart, axis and canary are."""
    table = Table(title=f"{len(proposals)} charts found", title_justify="left")
    for column in ("chart", "dot strip", "dots", "chart area", "price axis", "canary"):
        table.add_column(column)
    table.add_column("prices", no_wrap=True)
    for name, p in zip(names, proposals, strict=True):
        points = p.axis_points
        table.add_row(
            name,
            _text(p.dot_roi),
            str(len(p.dots)),
            _text(p.chart_roi),
            _text(p.axis_roi),
            _text(p.canary_roi) if p.canary_roi else "off",
            f"{points[1].price:g}–{points[0].price:g}" if points else "not read",
        )
    console.print(table)
    for name, p in zip(names, proposals, strict=True):
        for line in p.missing:
            console.print(f"  {name}: not found: {line}", markup=False, soft_wrap=True)


def _text(rect: Rect | None) -> str:
    return str(rect) if rect is not None else "-"


def _overlaps(p: Proposal, r: Rect) -> bool:
    return p.dot_roi is not None and p.dot_roi.overlaps(r)
