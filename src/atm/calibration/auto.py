"""Auto-detection: one screenshot → a `Proposal` of every ROI and colour a config needs.

Nothing here knows the layout of a particular chart program; it looks for what any
M2D MAPS chart shows: `strip` finds the row of dots and the strip ROI around it, `panes`
the chart, price axis and canary around that; here the dots' colours are named after
the classes and everything is put together.

Prices on the axis are not read (that needs OCR); the proposal says so.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from atm.calibration import Calibration, FoundDot, Proposal, assemble
from atm.calibration.panes import find_axis, find_canary, find_chart, label_rows
from atm.calibration.strip import (
    MIN_DOTS,
    NAME_LIMIT,
    Spot,
    find_dot_row,
    find_strip,
    reference_distances,
)
from atm.colors import DOT_COLORS, Rgb, to_rgb
from atm.types import Image

#: Dot cores closer than this (RGB) are one colour.
CLUSTER_DISTANCE = 40.0


def propose(image: Image) -> Proposal:
    """Everything found in `image` ((H, W, 3) uint8 RGB, a full screenshot)."""
    height, width = image.shape[:2]
    run = find_dot_row(image)
    if run is None:
        return Proposal(
            width,
            height,
            missing=(
                f"dot strip: no row of {MIN_DOTS}+ evenly spaced dots found "
                "(is the M2D MAPS strip visible?)",
            ),
        )
    strip = find_strip(image, run)
    dots, colors, unknown = _name_colors(run)
    colors["background"] = to_rgb(strip.back.rgb)
    missing = [f"dot colour: {_rgb_text(c)} matches no class" for c in unknown]
    unseen = tuple(c for c in DOT_COLORS if c not in colors)
    if unseen:
        missing.append(f"colours not on screen (reference values kept): {', '.join(unseen)}")
    chart = find_chart(image, strip)
    if chart is None:
        missing.append("chart area: no pane above the dot strip")
    axis = find_axis(image, strip, chart) if chart is not None else None
    if axis is None:
        missing.append("price axis: no column of labels right of the chart")
    canary = find_canary(image, chart, axis)
    if canary is None:
        missing.append("canary: no structured window area above the chart")
    missing.append("y-axis prices: not read (needs OCR)")
    return Proposal(
        width,
        height,
        dot_roi=strip.roi,
        dots=dots,
        spacing=strip.spacing,
        colors=colors,
        unseen=unseen,
        chart_roi=chart,
        axis_roi=axis,
        axis_labels=label_rows(image, axis) if axis is not None else (),
        canary_roi=canary,
        missing=tuple(missing),
    )


def accept(proposal: Proposal, image: Image, window_title: str) -> Calibration:
    """The proposal as it stands, with a stand-in for what was not found (`--auto --yes`).

    Raises `ValueError` when there is no dot strip: without it nothing works.
    """
    if proposal.dot_roi is None:
        raise ValueError("no dot strip was found")
    return assemble(
        image,
        proposal.dot_roi,
        chart_roi=proposal.chart_roi,
        canary_roi=proposal.canary_roi,
        colors=proposal.colors,
        window_title=window_title,
        y_axis_roi=proposal.axis_roi,
    )


def _name_colors(run: list[Spot]) -> tuple[tuple[FoundDot, ...], dict[str, Rgb], list[Rgb]]:
    """Cluster the dots' core colours and name each cluster after the nearest class.

    Clusters are named one to one, closest pairs first; a cluster whose class is taken
    by a close cluster joins it (JPEG can split one colour in two). Returns the dots with
    their names, the mean colour of each named class, and the colours left unnamed.
    """
    clusters = _clusters(run)
    background = to_rgb(np.median([s.background for s in run], axis=0))
    means = [np.mean([s.rgb for s in c], axis=0) for c in clusters]
    dist = np.array([reference_distances(m, background) for m in means])
    owner: dict[int, int] = {}  # cluster → class index
    taken: dict[int, int] = {}  # class index → cluster
    for flat in np.argsort(dist, axis=None):
        k, c = divmod(int(flat), len(DOT_COLORS))
        if k in owner or c in taken or dist[k, c] > NAME_LIMIT:
            continue
        owner[k], taken[c] = c, k
    for k in range(len(clusters)):
        c = int(np.argmin(dist[k]))
        if (
            k not in owner
            and c in taken
            and dist[k, c] <= NAME_LIMIT
            and float(np.linalg.norm(means[k] - means[taken[c]])) <= 1.5 * CLUSTER_DISTANCE
        ):
            owner[k] = c
    members: dict[str, list[Rgb]] = {}
    names: dict[int, str | None] = {}
    for k, cluster in enumerate(clusters):
        name = DOT_COLORS[owner[k]] if k in owner else None
        for spot in cluster:
            names[id(spot)] = name
            if name is not None:
                members.setdefault(name, []).append(spot.rgb)
    colors: dict[str, Rgb] = {
        n: to_rgb(np.mean(members[n], axis=0)) for n in DOT_COLORS if n in members
    }
    unknown = [to_rgb(means[k]) for k in range(len(clusters)) if k not in owner]
    dots = tuple(FoundDot(s.x, s.y, s.size / 2, s.rgb, names[id(s)]) for s in run)
    return dots, colors, unknown


def _clusters(run: list[Spot]) -> list[list[Spot]]:
    """Greedy clustering on RGB: each spot joins the nearest cluster mean within reach."""
    clusters: list[list[Spot]] = []
    means: list[npt.NDArray[np.float64]] = []
    for spot in run:
        rgb = np.asarray(spot.rgb, np.float64)
        d = [float(np.linalg.norm(rgb - m)) for m in means]
        if d and min(d) <= CLUSTER_DISTANCE:
            k = int(np.argmin(d))
            clusters[k].append(spot)
            means[k] = means[k] + (rgb - means[k]) / len(clusters[k])
        else:
            clusters.append([spot])
            means.append(rgb)
    return clusters


def _rgb_text(rgb: Rgb) -> str:
    return f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})"
