"""`atm debug`: one frame through the detector, an annotated PNG, and what was read.

With several `[[charts]]`, each chart's strip is read from the frame and annotated on its
own PNG (`debug_annotated_<time>_<NAME>.png`); `--chart NAME` reads one.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from atm.config import Config, pick_charts
from atm.detect import Classifier, read_rightmost
from atm.errors import CaptureError, InputError
from atm.frame import Frame
from atm.levels import scan
from atm.types import Image
from atm.vision.annotate import annotate
from atm.vision.image_io import read_image, write_png
from atm.vision.ocr import default_reader
from atm.workspace import Workspace


def run_debug(
    config: Config,
    workspace: Workspace,
    console: Console,
    screenshot: Path | None,
    delay: float,
    as_json: bool,
    chart: str | None = None,
) -> int:
    """One frame — the image at `screenshot`, or the screen after `delay` — read and shown,
    for each chart (`chart` alone when named)."""
    charts = pick_charts(config, chart)
    shot = read_image(screenshot) if screenshot is not None else None
    if shot is None:
        _countdown(delay, console, quiet=as_json)
    results: dict[str, dict[str, Any]] = {}
    for one in charts:
        image = shot if shot is not None else _grab_screen(one)
        results[one.name] = debug_frame(image, one, workspace)
    source = str(screenshot) if screenshot is not None else "the screen"
    if as_json:
        only = results.get("")
        console.print_json(json.dumps(only if only else {"charts": results}))
        return 0
    for name, result in results.items():
        print_debug(result, f"{source} · {name}" if name else source, console)
    return 0


def _countdown(delay: float, console: Console, quiet: bool) -> None:
    from atm.clock import WallClock

    if delay > 0 and not quiet:
        console.print(f"capturing in {delay:g} s: bring the chart to the front")
    WallClock().sleep(delay)


def _grab_screen(config: Config) -> Image:
    from atm.capture.dpi import set_dpi_awareness
    from atm.capture.factory import open_capture
    from atm.clock import WallClock

    set_dpi_awareness()
    capture = open_capture(config, WallClock())
    try:
        frame = capture.grab()
    finally:
        capture.close()
    if frame is None:
        raise CaptureError("the capture returned no frame")
    return frame.image


def debug_frame(image: Image, config: Config, workspace: Workspace) -> dict[str, Any]:
    """Read the rightmost dot of `image` ((H, W, 3) uint8 RGB) and save the annotated frame."""
    region, roi = config.capture.region, config.dot_roi
    if image.shape[0] < region.h or image.shape[1] < region.w:
        raise InputError(
            f"frame is {image.shape[1]}x{image.shape[0]} but capture.region is "
            f"{region.w}x{region.h}: is this config made for this screen?"
        )
    strip = Frame(image, 0.0).crop(roi)
    dot = read_rightmost(strip, config, Classifier(config))
    label = f"{dot.color} {dot.confidence:.2f}" if dot else "no dot"
    mark = (dot.x, dot.y, dot.radius) if dot else None
    workspace.logs.mkdir(parents=True, exist_ok=True)
    chart = f"_{config.name}" if config.name else ""
    out = workspace.logs / f"debug_annotated_{datetime.now():%Y%m%d_%H%M%S}{chart}.png"
    write_png(out, annotate(image, (roi.x, roi.y, roi.w, roi.h), mark, label))
    return {
        "dot": {
            "found": dot is not None,
            "rgb": list(dot.rgb) if dot else None,
            "color": dot.color if dot else None,
            "confidence": round(dot.confidence, 3) if dot else None,
            "x": round(dot.x, 1) if dot else None,
            "y": round(dot.y, 1) if dot else None,
        },
        "levels": scan(
            Frame(image, 0.0), config, default_reader(), always_read_axis=True
        ).as_dict(),
        "annotated": str(out),
    }


def print_debug(result: dict[str, Any], source: str, console: Console) -> None:
    dot = result["dot"]
    console.print(f"frame: {source}")
    console.print(f"dot.found: {dot['found']}")
    if dot["found"]:
        console.print(f"dot.rgb: {tuple(dot['rgb'])}")
        console.print(f"dot.color: {dot['color']}")
        console.print(f"dot.confidence: {dot['confidence']:.2f}")
    console.print(f"annotated: {result['annotated']}")
