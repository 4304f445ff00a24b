"""Phase B (SPEC §7): the SL/TP prices read from the chart after a FIRE, and when to send them.

`scan` reads one frame: the red and green lines in `chart_roi`, the price axis as it is
in that frame (OCR of `y_axis.roi`), and the price tags on the axis as a second reading.
When the axis cannot be read, `y_axis.points` stand in only while the axis column still
matches its calibration fingerprint (`vision.axis_print`): after a rescale they would be
wrong, so the reading is *unreadable* and the trader hears "levels unavailable" instead.
`PhaseB` decides, scan after scan, what to send:

- three lines, the same on `confirm_scans` scans in a row → the full alert; Phase B ends;
- two lines, stable the same way → one partial alert; Phase B stays open, and if the
  third line appears before the timeout the full alert follows;
- two or more lines, stable, on an axis that cannot be read → one "levels unavailable"
  alert; Phase B stays open (the axis may become readable);
- `levels.timeout_min` after the FIRE → Phase B ends: `timeout` (nothing was sent; log it)
  or `expired` (a partial was sent, the third line never came).

Fewer than two lines is never sent: a lone line may be anything the trader drew. Lines
already on the chart at the FIRE (an earlier trade's) are passed as `baseline` and never
sent as this trade's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from atm.config import Config
from atm.frame import Frame
from atm.types import Direction, Image
from atm.vision.axis import AxisFit, Tag, TextReader, points_fit, read_axis, read_tags
from atm.vision.axis_print import unchanged
from atm.vision.lines import Line, find_grid, find_lines

AxisSource = Literal["ocr", "points", "unreadable"]
OutcomeKind = Literal["wait", "partial", "full", "unavailable", "timeout", "expired"]

#: A tag is a line's when its centre is this close (pixels, or half the tag's height).
_TAG_PX = 3.0
#: A tag's price replaces the axis reading when they are this close: in ticks, or in rows.
_AGREE_TICKS, _AGREE_PX = 1.5, 2.5
POINTS_NOTE = " (axis from calibration points)"
UNAVAILABLE = "⚠️ Levels unavailable — axis unreadable"


@dataclass(frozen=True, slots=True)
class LevelsReading:
    """What one scan saw: prices rounded to `levels.tick`, None for a line not seen.

    `axis` says how rows became prices (None when no line needed it; "unreadable": they
    could not, `unpriced` holds the lines' rows and `why` says why); `tagged` how many of
    the prices a price tag on the axis confirmed.
    """

    sl: float | None = None
    tp1: float | None = None
    tp2: float | None = None
    axis: AxisSource | None = None
    tagged: int = 0
    unpriced: tuple[int, ...] = ()
    why: str = ""

    @property
    def count(self) -> int:
        return sum(p is not None for p in (self.sl, self.tp1, self.tp2))

    @property
    def prices(self) -> tuple[float | None, float | None, float | None]:
        return self.sl, self.tp1, self.tp2

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two scans the same reading: the prices, or the unpriced lines' rows."""
        return ("unreadable", *self.unpriced) if self.axis == "unreadable" else self.prices

    def as_dict(self) -> dict[str, Any]:
        """The `levels` object of `atm debug --json`."""
        out: dict[str, Any] = {"sl": self.sl, "tp1": self.tp1, "tp2": self.tp2}
        out["axis"] = self.axis
        if self.axis == "unreadable":
            out |= {"lines": len(self.unpriced), "why": self.why}
        return out


def scan(
    frame: Frame,
    config: Config,
    ocr: TextReader | None,
    *,
    direction: Direction | None = None,
    always_read_axis: bool = False,
    tags: bool = True,
) -> LevelsReading:
    """Read the SL/TP levels shown in `frame`.

    `ocr` None (OCR not installed) means the calibration points, while the axis still
    matches their fingerprint; otherwise the reading is "unreadable". `direction` tells
    TP1 from TP2 when no SL line is visible (BUY: the lower one). The axis is read only if
    a line was found, unless `always_read_axis` (for `atm debug`). `tags` False ignores
    the price tags (the benchmark measures the axis alone that way).
    """
    lv = config.levels
    chart = frame.crop(config.chart_roi)
    reds = _strongest(find_lines(chart, lv.sl_rgb, lv.tolerance), 1)
    greens = _strongest(find_lines(chart, lv.tp_rgb, lv.tolerance), 2)
    if not (reds or greens or always_read_axis):
        return LevelsReading()
    axis_crop = frame.crop(config.y_axis.roi)
    top = config.y_axis.roi.y
    fit = _axis_fit(axis_crop, chart, config, ocr)
    if isinstance(fit, str):
        rows = sorted(round(config.chart_roi.y + ln.y) for ln in reds + greens)
        return LevelsReading(axis="unreadable", unpriced=tuple(rows), why=fit)

    def priced(lines: list[Line], rgb: tuple[int, int, int]) -> list[tuple[float, bool]]:
        shown = []
        if tags and ocr is not None and lines:
            shown = read_tags(axis_crop, ocr, rgb, lv.tolerance, y0=top)
        return [_priced(config.chart_roi.y + ln.y, fit, shown, lv.tick) for ln in lines]

    sl, tps = priced(reds, lv.sl_rgb), priced(greens, lv.tp_rgb)
    stop = sl[0][0] if sl else None
    tp1, tp2 = _order_tps([p for p, _ in tps], stop, direction)
    return LevelsReading(
        sl=_round(stop, lv.tick),
        tp1=_round(tp1, lv.tick),
        tp2=_round(tp2, lv.tick),
        axis=fit.source,
        tagged=sum(ok for _, ok in sl + tps),
    )


def _axis_fit(
    axis_crop: Image, chart: Image, config: Config, ocr: TextReader | None
) -> AxisFit | str:
    """The axis as this frame shows it: read, or the calibration points while they still
    hold; else why neither can be trusted."""
    lv = config.levels
    if ocr is not None:
        grid = [config.chart_roi.y + r for r in find_grid(chart)]
        hide = (lv.sl_rgb, lv.tp_rgb)
        top = config.y_axis.roi.y
        fit = read_axis(axis_crop, ocr, y0=top, hide=hide, tolerance=lv.tolerance, grid=grid)
        if fit is not None:
            return fit
    why = _points_stale(axis_crop, config.y_axis.fingerprint, ocr is not None)
    return why or points_fit([(p.y, p.price) for p in config.y_axis.points])


def _points_stale(axis_crop: Image, fingerprint: str, tried_ocr: bool) -> str:
    """Why the calibration points cannot stand in for the axis now ("" when they can)."""
    unread = "OCR could not read the price labels" if tried_ocr else "OCR is not installed"
    if not fingerprint:
        return f"{unread}, and the calibration has no axis fingerprint to check its points"
    try:
        same = unchanged(axis_crop, fingerprint)
    except ValueError:
        same = False
    if same is None:
        return f"{unread}, and too much of the axis is hidden to check the calibration points"
    return "" if same else f"{unread}, and the axis changed since calibration"


def _strongest(lines: list[Line], n: int) -> list[Line]:
    """The `n` lines covering most of the width: other drawings in the colour are shorter."""
    return sorted(lines, key=lambda ln: -ln.coverage)[:n]


def _priced(y: float, fit: AxisFit, tags: list[Tag], tick: float) -> tuple[float, bool]:
    """The price at row `y`; the price its tag shows instead when the two agree."""
    estimate = fit.price_at(y)
    window = max(_AGREE_TICKS * tick, _AGREE_PX * abs(fit.slope))
    for tag in tags:
        near = max(_TAG_PX, (tag.bottom - tag.top) / 2)
        if tag.price is not None and abs(tag.y - y) <= near and abs(tag.price - estimate) <= window:
            return tag.price, True
    return estimate, False


def _order_tps(
    tps: list[float], sl: float | None, direction: Direction | None
) -> tuple[float | None, float | None]:
    """TP1 is the target nearer the stop's side of price (closer to entry), TP2 the farther."""
    if not tps:
        return None, None
    if len(tps) == 1:
        return tps[0], None
    a, b = sorted(tps)
    if sl is not None:
        return (a, b) if abs(a - sl) <= abs(b - sl) else (b, a)
    return (b, a) if direction == "SELL" else (a, b)


def _round(price: float | None, tick: float) -> float | None:
    return None if price is None else round(round(price / tick) * tick, decimals(tick))


def decimals(tick: float) -> int:
    """Digits after the point that show every multiple of `tick` (0.01 → 2, 0.25 → 2)."""
    for d in range(9):
        if abs(round(tick * 10**d) - tick * 10**d) < 1e-9:
            return d
    return 8


# --- messages -----------------------------------------------------------------------


def levels_text(reading: LevelsReading, tick: float = 0.01) -> str:
    """`✅ Levels: SL=484.35 | TP1=485.20 | TP2=485.88`, or `⚠️ Levels (partial): …` when a
    line is missing; `(axis from calibration points)` when the axis could not be read."""
    d = decimals(tick)
    parts = [
        f"{name}={price:.{d}f}"
        for name, price in zip(("SL", "TP1", "TP2"), reading.prices, strict=True)
        if price is not None
    ]
    head = "✅ Levels: " if reading.count == 3 else "⚠️ Levels (partial): "
    note = POINTS_NOTE if reading.axis == "points" else ""
    return head + " | ".join(parts) + note


def unavailable_text(reading: LevelsReading) -> str:
    """`⚠️ Levels unavailable — axis unreadable: …` for lines seen on an axis that could not
    be read and that the calibration points no longer describe."""
    return (
        f"{UNAVAILABLE}: {len(reading.unpriced)} SL/TP lines are on the chart, but "
        f"{reading.why}; no prices sent (check `atm doctor`)"
    )


# --- Phase B ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelsOutcome:
    """What a scan means for Phase B. `text` is the alert to send (partial, full) or None."""

    kind: OutcomeKind
    reading: LevelsReading | None = None
    text: str | None = None

    @property
    def done(self) -> bool:
        """Phase B is over: a new FIRE may be sent again (SPEC §3, Phase B guard)."""
        return self.kind in ("full", "timeout", "expired")


class PhaseB:
    """Opened at a FIRE; fed every scan's reading until it sends the full levels or times out.

    A reading is sent once it is the same on `confirm_scans` scans in a row (a frame
    grabbed while the platform redraws its lines is not); one equal to `baseline` (lines
    on the chart before the FIRE) is treated as no lines.
    """

    def __init__(
        self,
        opened: float,
        direction: Direction,
        timeout_s: float,
        tick: float = 0.01,
        confirm_scans: int = 2,
        baseline: LevelsReading | None = None,
    ) -> None:
        self.opened = opened
        self.direction = direction
        self.deadline = opened + timeout_s
        self.tick = tick
        self.confirm_scans = max(1, confirm_scans)
        self.partial_sent: LevelsReading | None = None
        self.unavailable_sent = False
        self._open = True
        self._stale = baseline.key if baseline is not None and _lines(baseline) else None
        self._last: tuple[object, ...] | None = None
        self._streak = 0

    @classmethod
    def after_fire(
        cls,
        ts: float,
        direction: Direction,
        config: Config,
        baseline: LevelsReading | None = None,
    ) -> PhaseB:
        """Phase B for a FIRE at `ts`; `baseline` is the scan of the FIRE's own frame."""
        lv = config.levels
        return cls(ts, direction, lv.timeout_min * 60.0, lv.tick, baseline=baseline)

    @property
    def open(self) -> bool:
        return self._open

    def observe(self, reading: LevelsReading, ts: float) -> LevelsOutcome:
        """The outcome of one scan at time `ts` (the frame's time)."""
        if not self._open:
            return LevelsOutcome("wait")
        if ts >= self.deadline:
            return self.expire(ts)
        key = reading.key if _lines(reading) >= 2 and reading.key != self._stale else None
        self._streak = self._streak + 1 if key is not None and key == self._last else 1
        self._last = key
        if key is None or self._streak < self.confirm_scans:
            return LevelsOutcome("wait", reading)
        if reading.axis == "unreadable":
            if self.unavailable_sent:
                return LevelsOutcome("wait", reading)
            self.unavailable_sent = True
            return LevelsOutcome("unavailable", reading, unavailable_text(reading))
        if reading.count == 3:
            self._open = False
            return LevelsOutcome("full", reading, levels_text(reading, self.tick))
        if self.partial_sent is None:
            self.partial_sent = reading
            return LevelsOutcome("partial", reading, levels_text(reading, self.tick))
        return LevelsOutcome("wait", reading)

    def expire(self, ts: float) -> LevelsOutcome:
        """Close at the timeout (call it when no scan comes): `timeout` or `expired`."""
        if not self._open or ts < self.deadline:
            return LevelsOutcome("wait")
        self._open = False
        said = self.partial_sent is not None or self.unavailable_sent
        return LevelsOutcome("expired" if said else "timeout", self.partial_sent)


def _lines(reading: LevelsReading) -> int:
    """How many SL/TP lines a scan found, priced or not."""
    return reading.count + len(reading.unpriced)
