"""Doctor checks of what ATM will see: the chart window, DPI awareness, a capture that is not
black, the dot strip read now, and the price axis read now (OCR).

They run in order on one thread, and a failure explains the checks after it: with no
window there is nothing to capture, and a black frame has no dot to read."""

from __future__ import annotations

import sys
from typing import Final

from atm.capture.dpi import set_dpi_awareness
from atm.capture.screen import Grabber
from atm.capture.window import WindowInfo, find_window
from atm.config import Config
from atm.detect import Classifier, read_rightmost
from atm.doctor import Check, Context, Family, fail, ok, skip, warn
from atm.errors import CaptureError
from atm.frame import Frame
from atm.geometry import Rect
from atm.health import CONFIDENCE_MIN, is_black
from atm.types import Image

ROWS: Final = ("window", "DPI", "capture", "dot strip", "price axis")
_OPEN_CHART = "open the chart; `atm debug` shows what ATM sees"


def family() -> Family:
    return Family(ROWS, run)


def run(ctx: Context) -> list[Check]:
    config = ctx.config
    if config is None:
        return [skip(row, "no valid config") for row in ROWS]
    window_check, window = _window(config)
    rows = [window_check, _dpi()]
    if window_check.status == "fail":
        return rows + [skip(r, "no chart window") for r in ROWS[2:]]
    capture_check, image = _capture(config, window)
    rows.append(capture_check)
    if image is None:
        return rows + [skip(r, "no usable frame") for r in ROWS[3:]]
    return [*rows, _strip(config, image), _axis(config, image)]


def _window(config: Config) -> tuple[Check, WindowInfo | None]:
    title = config.window_title
    if not title:
        return warn("window", "window_title is empty", "set window_title to the chart's"), None
    try:
        found = find_window(title)
    except CaptureError as exc:
        return fail("window", str(exc), "run ATM in the desktop session that shows the chart"), None
    if found is None:
        return fail("window", f"no window title contains {title!r}", _OPEN_CHART), None
    if found.is_minimized:
        return fail("window", f"{found.title!r} is minimised", "restore the chart window"), None
    region = config.capture.region
    size = f"{found.title!r} {found.width}x{found.height}"
    calibrated = f"calibrated for {region.w}x{region.h}"
    if config.capture.follow_window and not Rect(0, 0, found.width, found.height).contains(
        Rect.of(region)
    ):
        return fail("window", f"{size}, {calibrated}", "enlarge the window or recalibrate"), None
    if (found.width, found.height) != (region.w, region.h):
        fix = "maximise the window as it was at calibration, or `atm calibrate`"
        return warn("window", f"{size}, {calibrated}", fix), found
    return ok("window", f"{size}, as calibrated"), found


def _dpi() -> Check:
    said = set_dpi_awareness()
    if sys.platform != "win32" or "unchanged" not in said:
        return ok("DPI", said.removeprefix("DPI awareness: "))
    return warn("DPI", said, "see docs/windows.md (DPI scaling)")


def _capture(config: Config, window: WindowInfo | None) -> tuple[Check, Image | None]:
    region = Rect.of(config.capture.region)
    if config.capture.follow_window and window is not None:
        region = region.offset(window.left, window.top)
    grabber = Grabber()
    try:
        image = grabber.grab(region)
    except CaptureError as exc:
        return fail("capture", str(exc), "unlock the screen; see docs/windows.md"), None
    finally:
        grabber.close()
    if is_black(image):
        detail = f"{region.w}x{region.h} grabbed but black (locked screen, minimised RDP?)"
        return fail("capture", detail, "unlock the screen / keep RDP open: docs/windows.md"), None
    return ok("capture", f"{region.w}x{region.h} at {region.x},{region.y}, not black"), image


def _strip(config: Config, image: Image) -> Check:
    try:
        strip = Frame(image, 0.0).crop(config.dot_roi)
    except CaptureError as exc:
        return fail("dot strip", str(exc), "`atm calibrate`")
    dot = read_rightmost(strip, config, Classifier(config))
    if dot is None:
        return fail("dot strip", "no dot in dot_roi", f"{_OPEN_CHART}; or `atm calibrate`")
    detail = f"rightmost dot {dot.color}, confidence {dot.confidence:.2f}"
    if dot.color == "UNKNOWN" or dot.confidence < CONFIDENCE_MIN:
        return fail("dot strip", detail, "colours changed? `atm calibrate --auto`")
    return ok("dot strip", detail)


def _axis(config: Config, image: Image) -> Check:
    from atm.vision.axis import read_axis
    from atm.vision.ocr import INSTALL_HINT, default_reader

    reader = default_reader()
    if reader is None:
        return warn("price axis", INSTALL_HINT, "until then levels work only on an unmoved axis")
    roi = config.y_axis.roi
    fit = read_axis(Frame(image, 0.0).crop(roi), reader, y0=roi.y)
    if fit is None:
        fix = "levels work only on an unmoved axis; check y_axis.roi with `atm debug`"
        return warn("price axis", "the price labels could not be read now", fix)
    low, high = sorted((fit.price_at(roi.y + roi.h), fit.price_at(roi.y)))
    return ok("price axis", f"{fit.labels} labels read, {low:.2f}–{high:.2f}")
