"""The report's charts, drawn by matplotlib (the `[report]` extra) as SVG text.

matplotlib is imported only here and only when a chart is drawn, with the Agg backend
(no window, no display needed). Text is drawn as paths, so the SVG needs no font.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from atm.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INSTALL_HINT: Final = (
    'the HTML report draws its charts with matplotlib: pip install "atm-monitor[report]" '
    '(from a checkout: pip install ".[report]")'
)
WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_GREEN, _RED, _BLUE, _GREY = "#2e7d32", "#c62828", "#1565c0", "#9e9e9e"


def _figure(width: float = 7.0, height: float = 3.2) -> Figure:
    try:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams["svg.fonttype"] = "path"
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _svg(fig: Figure) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})  # no date: the same page twice
    return out.getvalue()


def _empty(fig: Figure, text: str) -> str:
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", color=_GREY, fontsize=12)
    return _svg(fig)


def equity_curve(curve: Sequence[float]) -> str:
    """Cumulative R after each closed trade, from 0."""
    fig = _figure()
    if not curve:
        return _empty(fig, "no closed trades with a stop-loss yet")
    ax = fig.add_subplot()
    xs = list(range(len(curve) + 1))
    ax.plot(xs, [0.0, *curve], color=_BLUE, marker="o", markersize=3, linewidth=1.6)
    ax.axhline(0, color=_GREY, linewidth=0.8)
    ax.set_xlabel("trade")
    ax.set_ylabel("cumulative R")
    ax.set_title("Equity curve (R)")
    ax.grid(alpha=0.3)
    return _svg(fig)


def r_histogram(rs: Sequence[float]) -> str:
    """R multiples in half-R bins; losses red, wins green."""
    fig = _figure()
    if not rs:
        return _empty(fig, "no R multiples yet")
    ax = fig.add_subplot()
    low, high = min(-1.0, min(rs)), max(1.0, max(rs))
    edges = [x / 2 for x in range(int(low * 2) - 1, int(high * 2) + 2)]
    wins = [r for r in rs if r >= 0]
    losses = [r for r in rs if r < 0]
    ax.hist([losses, wins], bins=edges, color=[_RED, _GREEN], stacked=True, edgecolor="white")
    ax.axvline(0, color=_GREY, linewidth=0.8)
    ax.set_xlabel("R multiple")
    ax.set_ylabel("trades")
    ax.set_title("R distribution")
    return _svg(fig)


def heatmap(cells: dict[tuple[int, int], tuple[float, int]], zone: str) -> str:
    """Mean R by (weekday 0–6, hour 0–23) of entry in the exchange's zone; N in each cell."""
    fig = _figure(7.0, 3.0)
    if not cells:
        return _empty(fig, "no closed trades with an entry time yet")
    hours = sorted({h for _, h in cells})
    first, last = hours[0], hours[-1]
    grid: list[list[float]] = [[float("nan")] * (last - first + 1) for _ in WEEKDAYS]
    ax = fig.add_subplot()
    wide = last - first + 1 > 12  # narrow cells: the count alone still fits
    for (day, hour), (mean_r, n) in cells.items():
        grid[day][hour - first] = mean_r
        label = f"{n}" if wide else f"{mean_r:+.1f}\nN={n}"
        ax.text(hour - first, day, label, ha="center", va="center", fontsize=7)
    bound = max(1.0, max(abs(m) for m, _ in cells.values()))
    image = ax.imshow(grid, cmap="RdYlGn", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_yticks(range(7), WEEKDAYS)
    ax.set_xticks(range(last - first + 1), [f"{h:02d}" for h in range(first, last + 1)])
    ax.set_xlabel(f"hour of entry ({zone or 'local time'})")
    ax.set_title("Mean R by weekday and hour" + (" (number: trades)" if wide else ""))
    fig.colorbar(image, ax=ax, label="mean R")
    return _svg(fig)


def funnel(stages: Sequence[tuple[str, int]]) -> str:
    """Fired → acknowledged → taken / skipped / false, as horizontal bars."""
    fig = _figure(7.0, 2.6)
    ax = fig.add_subplot()
    labels = [name for name, _ in stages]
    values = [value for _, value in stages]
    colours: list[Any] = [_BLUE, _BLUE, _GREEN, _GREY, _RED][: len(stages)]
    ax.barh(labels, values, color=colours)
    ax.invert_yaxis()
    for y, value in enumerate(values):
        ax.text(value, y, f" {value}", va="center")
    ax.set_xlabel("signals")
    ax.set_title("Signal funnel")
    ax.set_xlim(0, max(1, *values) * 1.15)
    return _svg(fig)
