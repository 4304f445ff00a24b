"""`atm dryrun DIR`: replay a labelled corpus (`atm.evaluate`), print the tables, gate."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from atm.colors import DOT_COLORS, UNKNOWN
from atm.config import Config
from atm.corpus import NONE
from atm.evaluate import DryRunResult, evaluate, to_json
from atm.tools.progress import bar

_CLASSES = (*DOT_COLORS, NONE)
#: Column headers short enough for an 80-column terminal.
_SHORT = {
    "turquoise": "turq",
    "yellow": "yell",
    "dark_green": "dk_grn",
    "dark_red": "dk_red",
    "light_green": "lt_grn",
    "light_red": "lt_red",
    UNKNOWN: "unkn",
}


def run_dryrun(
    folder: Path,
    config: Config,
    console: Console,
    *,
    as_json: bool,
    min_precision: float,
    min_recall: float,
) -> int:
    """Replay and score `folder`; 0 when the gate passes, 1 when it does not."""
    with bar(console, "replaying", enabled=not as_json) as progress:
        result = evaluate(
            folder,
            config,
            min_precision=min_precision,
            min_recall=min_recall,
            progress=progress,
        )
    if as_json:
        console.print_json(data=to_json(result))
    else:
        print_report(result, str(folder), console)
    return 0 if result.passed else 1


def print_report(result: DryRunResult, folder: str, console: Console) -> None:
    console.print(
        f"[bold]{folder}[/]: {result.frames} frames, {result.labelled} labelled, "
        f"{result.unlabelled} unlabelled, {len(result.skipped)} skipped"
    )
    for _name, why in result.skipped:
        console.print("  skipped:", why, style="yellow", markup=False)
    if result.confusion:
        console.print(_confusion(result))
    console.print(_fires(result))
    verdict = "[green]PASSED[/]" if result.passed else "[red]FAILED[/]"
    console.print(
        f"gate {verdict}: precision {result.precision:.1%} (need ≥ {result.min_precision:.1%}),"
        f" recall {result.recall:.1%} (need ≥ {result.min_recall:.1%})"
    )


def _confusion(result: DryRunResult) -> Table:
    accuracy = result.color_accuracy
    title = f"Colour confusion (accuracy {accuracy:.2%})" if accuracy is not None else "Colours"
    table = Table(title=title, title_justify="left")
    predicted = [c for c in (*_CLASSES, UNKNOWN) if any(g == c for _, g in result.confusion)]
    table.add_column("true \\ detected")
    for name in predicted:
        table.add_column(_SHORT.get(name, name), justify="right")
    for truth in _CLASSES:
        row = [result.confusion.get((truth, got), 0) for got in predicted]
        if any(row):
            cells = [_cell(n, truth == got) for n, got in zip(row, predicted, strict=True)]
            table.add_row(truth, *cells)
    return table


def _cell(n: int, diagonal: bool) -> str:
    if n == 0:
        return "[dim]·[/]"
    return f"[green]{n}[/]" if diagonal else f"[red]{n}[/]"


def _fires(result: DryRunResult) -> Table:
    table = Table(title="FIRE signals", title_justify="left")
    for col in ("expected", "detected", "true pos.", "false pos.", "missed", "precision", "recall"):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(result.expected)),
        str(len(result.detected)),
        str(result.tp),
        _bad(result.fp),
        _bad(result.fn),
        f"{result.precision:.1%}",
        f"{result.recall:.1%}",
    )
    return table


def _bad(n: int) -> str:
    return f"[red]{n}[/]" if n else "0"
