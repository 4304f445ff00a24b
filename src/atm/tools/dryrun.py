"""`atm dryrun DIR`: replay a labelled corpus (`atm.evaluate`), print the tables, gate.

With several `[[charts]]`, each chart is scored against its own labels
(`labels.NAME.json`, see `atm.corpus`) on the same frames; `--chart NAME` scores one.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from atm.colors import DOT_COLORS, UNKNOWN
from atm.config import Config, pick_charts
from atm.corpus import NONE, labels_name
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
    chart: str | None = None,
) -> int:
    """Replay and score `folder` for each chart (`chart` alone when named); 0 when every
    gate passes, 1 when one does not."""
    results: dict[str, DryRunResult] = {}
    for one in _labelled(folder, pick_charts(config, chart), console, quiet=as_json):
        with bar(console, f"replaying {one.name}".strip(), enabled=not as_json) as progress:
            results[one.name] = evaluate(
                folder,
                one,
                min_precision=min_precision,
                min_recall=min_recall,
                progress=progress,
            )
    if as_json:
        only = results.get("")
        data = to_json(only) if only else {"charts": {n: to_json(r) for n, r in results.items()}}
        console.print_json(data=data)
    else:
        for name, result in results.items():
            print_report(result, f"{folder} · {name}" if name else str(folder), console)
    return 0 if all(r.passed for r in results.values()) else 1


def _labelled(
    folder: Path, charts: tuple[Config, ...], console: Console, quiet: bool
) -> tuple[Config, ...]:
    """The charts that have labels in `folder`; a chart without says how to label it. With
    none labelled, all of them (the report then shows frames and detections only)."""
    if len(charts) == 1:
        return charts
    have = tuple(c for c in charts if (folder / labels_name(c.name)).is_file())
    for chart in charts:
        if chart.name not in {c.name for c in have} and not quiet:
            console.print(
                f"{chart.name}: no {labels_name(chart.name)} in {folder}; label it with "
                f"`atm label {folder} --chart {chart.name}`",
                style="yellow",
                markup=False,
            )
    return have or charts


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
