"""The price axis read from the frame: label parsing, the robust fit that drops misreads,
grid alignment, the calibration fallback, and (with the OCR extra) real axis crops."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from atm.sim.levels_corpus import SCALES, LevelsFrame, levels_frames
from atm.types import Image
from atm.vision.axis import (
    PriceLabel,
    TextReader,
    fit_labels,
    parse_price,
    points_fit,
    read_axis,
    read_labels,
    read_tags,
)

RED, GREEN = (255, 0, 0), (0, 255, 0)


def _labels(lo: float = 480.0, hi: float = 486.0, step: float = 0.5) -> list[PriceLabel]:
    """Labels of a 860-row axis whose top row is `hi`, at their exact rows."""
    slope = (hi - lo) / 860
    out, k = [], 1
    while hi - k * step > lo:
        price = round(hi - k * step, 2)
        out.append(PriceLabel(y=(hi - price) / slope, text=f"{price:.2f}", price=price))
        k += 1
    return out


def _misread(labels: list[PriceLabel], i: int, text: str) -> list[PriceLabel]:
    out = list(labels)
    out[i] = PriceLabel(labels[i].y, text, parse_price(text))
    return out


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("485.50", 485.5),
        (" 485.50 ", 485.5),
        ("44,250.00", 44250.0),
        ("485,50", 485.5),
        ("4O5.5O", 405.5),
        ("-1.25", -1.25),
        ("", None),
        ("OC'tOt", None),
        ("485.50.1", None),
        ("DIA", None),
    ],
)
def test_parse_price(text: str, price: float | None) -> None:
    assert parse_price(text) == price


def test_the_fit_maps_rows_to_prices() -> None:
    fit = fit_labels(_labels())
    assert fit is not None and fit.source == "ocr"
    assert fit.price_at(0) == pytest.approx(486.0)
    assert fit.price_at(860) == pytest.approx(480.0)
    assert fit.y_at(483.0) == pytest.approx(430.0)
    assert fit.labels == 11 and fit.step == pytest.approx(0.5)
    assert fit.residual == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "misreads",
    [
        [(3, "404.50")],  # a digit lost under a tag
        [(3, "485.51")],  # a last digit off: on the line within a pixel, but off the grid
        [(0, "OC'tOt"), (5, "88.00"), (7, "4835.0")],
        [(2, "483.00"), (4, "483.00")],  # one price read at three rows
    ],
)
def test_misreads_are_dropped(misreads: list[tuple[int, str]]) -> None:
    labels = _labels()
    bad = labels
    for i, text in misreads:
        bad = _misread(bad, i, text)
    fit = fit_labels(bad)
    assert fit is not None
    assert fit.labels <= len(labels) - len(misreads)
    for y in (0.0, 430.0, 860.0):
        assert fit.price_at(y) == pytest.approx(486.0 - y * 6 / 860, abs=1e-6)


def test_too_few_or_inconsistent_labels_are_no_axis() -> None:
    labels = _labels()
    assert fit_labels(labels[:2]) is None
    assert fit_labels([]) is None
    junk = [
        PriceLabel(y=100.0 * i, text=t, price=parse_price(t))
        for i, t in enumerate(["1", "7", "3", "9", "2"])
    ]
    assert fit_labels(junk) is None
    rising = [PriceLabel(y=lb.y, text=lb.text, price=-(lb.price or 0)) for lb in labels]
    assert fit_labels(rising) is None  # prices must fall as rows grow downwards


def test_labels_are_moved_onto_the_grid() -> None:
    """A renderer that prints its labels 1.4 px low: the grid lines still sit on the prices."""
    true = _labels()
    low = [PriceLabel(lb.y + 1.4, lb.text, lb.price) for lb in true]
    grid = [lb.y for lb in true] + [17.0]  # and a stray row that is no label's
    fit = fit_labels(low, grid)
    assert fit is not None and fit.y_at(483.0) == pytest.approx(430.0, abs=1e-6)
    unaligned = fit_labels(low)
    assert unaligned is not None and unaligned.y_at(483.0) == pytest.approx(431.4, abs=1e-6)
    # a grid that is not at the labels' prices leaves them where they are
    other = fit_labels(low, [lb.y + 20 for lb in true])
    assert other is not None and other.y_at(483.0) == pytest.approx(431.4, abs=1e-6)


def test_points_fit_is_the_line_through_the_calibration_points() -> None:
    fit = points_fit([(100, 486.0), (800, 480.0)])
    assert fit.source == "points" and fit.labels == 2
    assert fit.price_at(100) == pytest.approx(486.0)
    assert fit.price_at(450) == pytest.approx(483.0)


class _Blind:
    """A reader that reads nothing: segmentation is tested without an OCR engine."""

    def __init__(self) -> None:
        self.crops: list[Image] = []

    def read(self, crops: Sequence[Image]) -> list[str]:
        self.crops += crops
        return ["?"] * len(crops)


def _axis_crop(f: LevelsFrame) -> Image:
    a = f.layout.axis
    return f.image[a.y : a.bottom, a.x : a.right]


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_each_label_outside_the_tags_is_one_text_box_on_its_row(scale: float) -> None:
    f = next(levels_frames(1, seed=4, scale=scale, lines=0))
    layout, axis = f.layout, f.axis
    reader = _Blind()
    labels = read_labels(_axis_crop(f), reader, y0=layout.axis.y)
    rows = [
        axis.y(p, layout)
        for p in axis.labels(layout)
        if layout.axis.y + 8 * scale < round(axis.y(p, layout)) < layout.axis.bottom - 8 * scale
    ]
    assert len(labels) == len(rows)
    for label, row in zip(labels, rows, strict=True):
        assert label.price is None and abs(label.y - row) <= 1.5
    assert all(c.shape[0] >= 12 * scale for c in reader.crops)  # the text with a margin


def test_rows_under_tags_are_not_read_as_labels() -> None:
    f = next(levels_frames(1, seed=4, lines=3))
    reader = _Blind()
    crop = _axis_crop(f)
    shown = read_labels(crop, reader, hide=(RED, GREEN))
    tags = [t for rgb in (RED, GREEN) for t in read_tags(crop, reader, rgb, 60)]
    assert len(tags) == 3
    for tag in tags:
        assert all(not tag.top - 2 <= lb.y <= tag.bottom + 2 for lb in shown)


# --- with the OCR engine ------------------------------------------------------------


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_axis_read_by_ocr_matches_the_drawn_one(
    ocr: TextReader, scale: float, theme: str
) -> None:
    for f in levels_frames(2, seed=21, scale=scale, theme=theme):
        layout, axis = f.layout, f.axis
        fit = read_axis(_axis_crop(f), ocr, y0=layout.axis.y, hide=(RED, GREEN))
        assert fit is not None and fit.labels >= 5
        for price in (axis.lo, (axis.lo + axis.hi) / 2, axis.hi):
            assert abs(fit.y_at(price) - axis.y(price, layout)) <= 1.5
        crop = _axis_crop(f)
        tags = read_tags(crop, ocr, RED, 60) + read_tags(crop, ocr, GREEN, 60)
        assert sorted(t.price or 0 for t in tags) == sorted(
            p for p in (f.truth.sl, f.truth.tp1, f.truth.tp2) if p is not None
        )


def test_an_unreadable_axis_is_none(ocr: TextReader) -> None:
    column = np.zeros((860, 150, 3), np.uint8)
    assert read_axis(column, ocr) is None
    column[400:410, 40:100] = 255  # a block no engine reads as a price
    assert read_axis(column, ocr) is None


def test_the_reader_caches_each_crop_by_its_pixels() -> None:
    pytest.importorskip("rapidocr")
    from atm.vision.ocr import RapidReader

    f = next(levels_frames(1, seed=4, lines=0))
    crops = _Blind()
    read_labels(_axis_crop(f), crops)
    reader = RapidReader(cache_size=4)
    first = reader.read(crops.crops)  # more crops than the cache holds: all still answered
    assert len(first) == len(crops.crops) > 4 and all(parse_price(t) for t in first)
    assert len(reader._cache) == 4
    assert reader.read(crops.crops[-4:]) == first[-4:]
