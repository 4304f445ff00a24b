"""The calibration wizard's steps and rules without a window: what is marked, which step.

    region → dot strip → 7 dot colours + background → chart area → price axis → canary → save

A `Draft` holds what the user has settled so far on one screenshot and the step they are
on; its moves (`next`, `back`, `skip`, `enter`, the `mark_*` ones, `finish`) are the
wizard's rules. A move the rules forbid raises `Refused`, whose message tells the user
what to do, and changes nothing. `ui.wizard` only turns pointer and keys into these moves
and draws the draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from atm.calibration import AxisMark, Calibration, Proposal, assemble, clip
from atm.calibration.sampling import sample_dot, sample_patch
from atm.colors import CALIBRATED, Rgb
from atm.errors import Refused
from atm.geometry import Rect
from atm.types import Image

StepKind = Literal["rect", "color", "axis", "save"]
#: Where a colour of the draft came from.
ColorSource = Literal["auto", "clicked"]


@dataclass(frozen=True, slots=True)
class WizardStep:
    """One step of the wizard: the key it settles, how it is marked, and what to do."""

    key: str
    kind: StepKind
    hint: str


STEPS: tuple[WizardStep, ...] = (
    WizardStep("region", "rect", "Drag a rectangle over the chart, dot strip included."),
    WizardStep(
        "strip",
        "rect",
        "Dot strip: drag over the row of dots, or click its top-left and bottom-right corners.",
    ),
    *(
        WizardStep(c, "color", f"Click a {c.replace('_', ' ')} dot. Skip if none is on screen.")
        for c in CALIBRATED[:-1]
    ),
    WizardStep("background", "color", "Click the strip's background, between two dots."),
    WizardStep(
        "chart", "rect", "Chart area, where SL/TP lines appear: drag, or click two corners."
    ),
    WizardStep(
        "axis",
        "axis",
        "Price axis: drag over the label column; click a label and type "
        "its price, twice (or Next to skip).",
    ),
    WizardStep(
        "canary",
        "rect",
        "Canary: a part of the window that never changes (title bar, window buttons; "
        "no clock, no prices). Drag, or click two corners; Skip turns it off.",
    ),
    WizardStep("save", "save", "Check the window title, then Save (Enter)."),
)


@dataclass(slots=True, eq=False)
class Draft:
    """What the user has settled so far on `image` ((H, W, 3) uint8 RGB), and the step.

    `points` are the price axis' marked rows with their typed prices (None: not typed
    yet); `marks` where each colour was read; `title` the window title to save;
    `canary_off` the canary step was skipped (or auto-detection found no steady region
    and none was marked): no canary rather than a guessed one that may sit on a clock.
    """

    image: Image
    title: str = "TradeStation"
    index: int = 0
    rects: dict[str, Rect] = field(default_factory=dict)
    colors: dict[str, Rgb] = field(default_factory=dict)
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    source: dict[str, ColorSource] = field(default_factory=dict)
    points: list[tuple[int, float | None]] = field(default_factory=list)
    canary_off: bool = False

    @classmethod
    def of(cls, image: Image, proposal: Proposal | None, title: str = "TradeStation") -> Draft:
        """A draft at the first step, with everything `proposal` found preselected."""
        draft = cls(image, title)
        if proposal is None:
            return draft
        found = {
            "strip": proposal.dot_roi,
            "chart": proposal.chart_roi,
            "axis": proposal.axis_roi,
            "canary": proposal.canary_roi,
        }
        draft.rects = {k: v for k, v in found.items() if v is not None}
        draft.canary_off = proposal.canary_roi is None and bool(proposal.canary_why)
        if draft.rects:
            draft.rects["region"] = _union(list(draft.rects.values()), proposal)
        draft.colors = dict(proposal.colors)
        draft.source = dict.fromkeys(proposal.colors, "auto")
        labels = proposal.axis_labels
        draft.points = [(labels[0], None), (labels[-1], None)] if len(labels) >= 2 else []
        if proposal.axis_points is not None:  # read by OCR: only to be checked
            draft.points = [(p.y, p.price) for p in proposal.axis_points]
        return draft

    @property
    def step(self) -> WizardStep:
        return STEPS[self.index]

    # -- navigation ----------------------------------------------------------------------

    def next(self, typed: str = "") -> bool:
        """Accept the step and go to the next; True on the save step: the caller saves.

        `typed` is what the entry holds: on the axis step a price, committed first.
        The strip cannot be left unmarked: nothing works without it.
        """
        step = self.step
        if step.key == "strip" and "strip" not in self.rects:
            raise Refused("Mark the dot strip first: drag over the row of dots.")
        if step.kind == "save":
            return True
        if step.key == "region":
            height, width = self.image.shape[:2]
            self.rects.setdefault("region", Rect(0, 0, width, height))
        if step.kind == "axis" and typed.strip():
            self.commit_price(typed)
        self.index += 1
        return False

    def enter(self, typed: str) -> bool:
        """Return pressed in the entry: a typed price is committed, and the axis step is
        left once both prices are in; anything else is `next`."""
        if self.step.kind != "axis" or not typed.strip():
            return self.next(typed)
        self.commit_price(typed)
        if self.has_prices():
            self.index += 1
        return False

    def back(self, typed: str = "") -> None:
        """The step before (none before the first); on the save step `typed` is the title."""
        self._take_title(typed)
        if self.index > 0:
            self.index -= 1

    def skip(self) -> None:
        """Leave the step unmarked: its colour, prices or rectangle are dropped.

        The region is kept (it only frames the view), the save step is not left, the
        strip cannot be skipped, and a skipped canary is off.
        """
        step = self.step
        if step.key == "strip":
            raise Refused("The dot strip cannot be skipped: nothing works without it.")
        if step.kind == "color":
            self.colors.pop(step.key, None)
            self.marks.pop(step.key, None)
            self.source.pop(step.key, None)
        elif step.kind == "axis":
            self.points = []
        elif step.kind == "rect" and step.key != "region":
            self.rects.pop(step.key, None)
            self.canary_off = self.canary_off or step.key == "canary"
        if step.kind != "save":
            self.index += 1

    # -- marking -------------------------------------------------------------------------

    def mark_rect(self, rect: Rect) -> None:
        """`rect` (screenshot pixels) is the current step's rectangle."""
        self.rects[self.step.key] = rect
        if self.step.key == "canary":
            self.canary_off = False

    def mark_color(self, x: int, y: int) -> None:
        """A click at (x, y) on a colour step: the dot near it (the background: the patch
        under it) is read, and the next step follows."""
        name = self.step.key
        if name == "background":
            rgb, at = sample_patch(self.image, x, y), (x, y)
        else:
            sample = sample_dot(self.image, x, y)
            rgb, at = sample.rgb, (sample.x, sample.y)
        self.colors[name], self.marks[name] = rgb, at
        self.source[name] = "clicked"
        self.index += 1

    def mark_price_row(self, y: int) -> None:
        """A click on the axis: moves the point awaiting its price, or adds one; a third
        click after two priced points starts over."""
        pending = self.pending_price()
        if pending is not None:
            self.points[pending] = (y, None)
        elif len(self.points) < 2:
            self.points.append((y, None))
        else:
            self.points[:] = [(y, None)]

    def commit_price(self, typed: str) -> None:
        """The typed price (a decimal comma allowed) for the point awaiting one, if any."""
        pending = self.pending_price()
        if pending is None:
            return
        text = typed.strip().replace(",", ".")
        try:
            price = float(text)
        except ValueError:
            raise Refused(f"Not a price: {text!r}. Type a number such as 486.25.") from None
        self.points[pending] = (self.points[pending][0], price)

    def pending_price(self) -> int | None:
        """Index of the first marked row without a price; None when there is none."""
        for i, (_, price) in enumerate(self.points):
            if price is None:
                return i
        return None

    def has_prices(self) -> bool:
        return len(self.points) == 2 and all(p is not None for _, p in self.points)

    # -- the result ----------------------------------------------------------------------

    def finish(self, typed: str = "") -> Calibration:
        """The calibration as drafted (on the save step `typed` is the window title).

        What was not marked gets its stand-in (see `assemble`); without a strip there is
        no calibration.
        """
        self._take_title(typed)
        if "strip" not in self.rects:
            raise Refused("Mark the dot strip before saving (step 2).")
        return assemble(
            self.image,
            self.rects["strip"],
            chart_roi=self.rects.get("chart"),
            canary_roi=self.rects.get("canary"),
            canary_off=self.canary_off,
            colors=self.colors,
            window_title=self.title,
            y_axis_roi=self.rects.get("axis"),
            y_axis_points=self._axis_marks(),
        )

    def _axis_marks(self) -> tuple[AxisMark, AxisMark] | None:
        if len(self.points) != 2:
            return None
        (y0, p0), (y1, p1) = self.points
        if p0 is None or p1 is None:
            return None
        return AxisMark(y0, p0), AxisMark(y1, p1)

    def _take_title(self, typed: str) -> None:
        if self.step.kind == "save":
            self.title = typed.strip() or self.title


def _union(rects: list[Rect], proposal: Proposal) -> Rect:
    """The rectangle around `rects`, padded (10 px at 1080p) and kept on the screenshot."""
    pad = round(10 * proposal.height / 1080)
    x0, y0 = min(r.x for r in rects) - pad, min(r.y for r in rects) - pad
    x1, y1 = max(r.right for r in rects) + pad, max(r.bottom for r in rects) + pad
    return clip(Rect(x0, y0, x1 - x0, y1 - y0), proposal.width, proposal.height)
