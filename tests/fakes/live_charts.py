"""Several simulator charts on one live screen: where each window sits and the
`[[charts]]` config that watches them all (`tests.fakes.live_session.drive` runs it).

Every chart has `live_session`'s layout (or `QUARTER`, its quarter-screen size) and
theme, so the charts differ only in where they sit, their symbol and their script: what
grows with their count is the count alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tomli_w

from atm.sim.corpus import corpus_config
from atm.sim.layout import Layout
from atm.sim.theme import DARK
from tests.fakes.discord import FakeDiscord
from tests.fakes.live_session import AXIS, LAYOUT, LiveChart, axis, session_keys
from tests.fakes.two_charts import shifted

#: Where the charts go, left to right then top to bottom: two side by side, as two 1080p
#: monitors; four as the quarters of a 4K screen.
COLUMNS = 2

#: A chart a quarter of a 1080p screen, four tiling it, as traders who watch several
#: symbols lay them out: the window is smaller, the dots and bars are as large (100 %).
QUARTER = Layout.for_scale(0.5, bar_spacing=LAYOUT.bar_spacing, dot_radius=LAYOUT.dot_radius)


def place(count: int, layout: Layout = LAYOUT) -> list[tuple[int, int]]:
    """The top-left corner of each of `count` chart windows of `layout`'s size."""
    return [(i % COLUMNS * layout.width, i // COLUMNS * layout.height) for i in range(count)]


def screen_size(count: int, layout: Layout = LAYOUT) -> tuple[int, int]:
    """The smallest screen holding `count` chart windows as `place` puts them."""
    corners = place(count, layout)
    right, bottom = max(x for x, _ in corners), max(y for _, y in corners)
    return right + layout.width, bottom + layout.height


def chart_table(chart: LiveChart, name: str) -> dict[str, Any]:
    """The chart's `[[charts]]` table: the simulator's regions moved to its window."""
    own = corpus_config(chart.layout, DARK, axis(chart.layout))
    table: dict[str, Any] = {"name": name, "symbol_label": chart.symbol}
    for key in ("dot_roi", "chart_roi", "y_axis", "canary"):
        table[key] = shifted(own[key], chart.x, chart.y)
    return table


def charts_data(charts: Sequence[LiveChart], keys: dict[str, Any]) -> dict[str, Any]:
    """One desktop capture of the screen the charts fill, the shared `keys` (loop,
    notify...), and a `[[charts]]` table each."""
    width, height = screen_size(len(charts), charts[0].layout)
    shared = corpus_config(LAYOUT, DARK, AXIS)
    return {
        "schema": shared["schema"],
        "window_title": "",  # one desktop capture for every window
        "capture": {"region": {"x": 0, "y": 0, "w": width, "h": height}},
        "colors": shared["colors"],
        **keys,
        "levels": shared["levels"] | keys.get("levels", {}),
        "charts": [chart_table(c, f"C{i}") for i, c in enumerate(charts)],
    }


def write_charts_config(
    home: Path,
    discord: FakeDiscord,
    charts: Sequence[LiveChart],
    interval_s: float,
    watch_s: float | None = None,
) -> Path:
    """The session's config (`charts_data` with `session_keys`), written to `home`."""
    data = charts_data(charts, session_keys(discord, interval_s, watch_s))
    path = home / "charts.toml"
    path.write_text(tomli_w.dumps(data))
    return path
