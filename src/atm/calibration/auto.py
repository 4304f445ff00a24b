"""Auto-detection: one screenshot → a `Proposal` of every ROI and colour a config needs.

Nothing here knows the layout of a particular chart program; it looks for what any
M2D MAPS chart shows: `strip` finds the row of dots and the strip ROI around it, `panes`
the chart, price axis and canary around that; here the dots' colours are named after
the classes and everything is put together.

Two price labels on the axis are read with OCR (when a reader is given) for the
calibration's `y_axis.points`; without one the proposal says they were not read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from atm.calibration import AxisMark, Calibration, FoundDot, Proposal, assemble
from atm.calibration.canary import choose_canary
from atm.calibration.panes import find_axis, find_chart, label_rows
from atm.calibration.strip import (
    MIN_DOTS,
    NAME_LIMIT,
    Spot,
    Strip,
    find_dot_row,
    find_strip,
    reference_distances,
)
from atm.colors import DOT_COLORS, Rgb, to_rgb
from atm.geometry import Rect
from atm.types import Image
from atm.vision.axis import TextReader, fit_labels, read_labels

#: Dot cores closer than this (RGB) are one colour.
CLUSTER_DISTANCE = 40.0


def propose(
    image: Image, *, later: Sequence[Image] = (), reader: TextReader | None = None
) -> Proposal:
    """Everything found in `image` ((H, W, 3) uint8 RGB, a full screenshot).

    `later` are screenshots of the same screen taken seconds after it, and `reader` reads
    text: with them the canary is kept off whatever changes on its own (`calibration.canary`).
    """
    run = find_dot_row(image)
    if run is None:
        return nothing_found(image)
    return propose_from(image, run, later=later, reader=reader)


def nothing_found(image: Image) -> Proposal:
    """The proposal for a screenshot without a dot strip: it says so."""
    height, width = image.shape[:2]
    return Proposal(
        width,
        height,
        missing=(
            f"dot strip: no row of {MIN_DOTS}+ evenly spaced dots found "
            "(is the M2D MAPS strip visible?)",
        ),
    )


def propose_from(
    image: Image,
    run: list[Spot],
    *,
    later: Sequence[Image] = (),
    reader: TextReader | None = None,
    area: Rect | None = None,
) -> Proposal:
    """The proposal around one dot row `run` of `image`; `area` bounds the price axis and
    the canary when the screen holds other charts (their panes are not this chart's)."""
    height, width = image.shape[:2]
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
    axis, points = _axis(image, strip, chart, reader, missing, area)
    canary = choose_canary([image, *later], chart, axis, reader, area)
    if canary.roi is None:
        missing.append(f"canary: {canary.why}")
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
        canary_roi=canary.roi,
        missing=tuple(missing),
        axis_points=points,
        canary_why=canary.why,
        canary_verified=canary.verified,
        canary_rejected=canary.rejected,
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
        canary_off=proposal.canary_roi is None,
        colors=proposal.colors,
        window_title=window_title,
        y_axis_roi=proposal.axis_roi,
        y_axis_points=proposal.axis_points,
    )


def _axis(
    image: Image,
    strip: Strip,
    chart: Rect | None,
    reader: TextReader | None,
    missing: list[str],
    area: Rect | None,
) -> tuple[Rect | None, tuple[AxisMark, AxisMark] | None]:
    """The price axis column and two of its labels read; what is not found goes to `missing`."""
    end = area.right if area is not None else None
    axis = find_axis(image, strip, chart, end) if chart is not None else None
    if axis is None:
        missing.append("price axis: no column of labels right of the chart")
    points = read_points(image, axis, reader) if axis is not None else None
    if points is None:
        why = "needs OCR" if reader is None else "the labels could not be read"
        missing.append(f"y-axis prices: not read ({why})")
    return axis, points


def read_points(
    image: Image, axis: Rect, reader: TextReader | None
) -> tuple[AxisMark, AxisMark] | None:
    """Two price labels of the axis column, read (the top and bottom ones the fit rests
    on), as the calibration's `y_axis.points`; None without a reader or a readable axis."""
    if reader is None:
        return None
    crop = image[axis.y : axis.bottom, axis.x : axis.right]
    labels = read_labels(crop, reader, y0=axis.y)
    fit = fit_labels(labels)
    if fit is None:
        return None
    on = [p for lb in labels if (p := lb.price) is not None and abs(fit.y_at(p) - lb.y) <= 1.5]
    if len(on) < 2:
        return None
    return AxisMark(round(fit.y_at(on[0])), on[0]), AxisMark(round(fit.y_at(on[-1])), on[-1])


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
