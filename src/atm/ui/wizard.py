"""The calibration wizard: a screenshot, the seed's steps one by one, then Save.

    region → dot strip → 7 dot colours + background → chart area → price axis → canary → save

Rectangles are dragged (or given by two corner clicks); a colour is one click, snapped to
the nearest dot; Enter accepts a step, Esc cancels, Ctrl+S saves. With a proposal
(`--auto`) every step starts with what auto-detection found drawn on the screenshot, so
accepting is one key per step, or one Save (button or Ctrl+S) at any time.

The window holds no calibration logic: colours come from `atm.calibration.sampling`, the
result is a `Calibration`, and `check` (the config loader) must accept it before the
window closes. Only the main thread touches widgets.
"""

from __future__ import annotations

import contextlib
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image as PILImage
from PIL import ImageTk

from atm.calibration import AxisMark, Calibration, Proposal, assemble, clip, from_corners
from atm.calibration.sampling import sample_dot, sample_patch
from atm.colors import CALIBRATED, REFERENCE_RGB, Rgb
from atm.errors import AtmError
from atm.geometry import Rect
from atm.types import Image
from atm.ui import (
    CANVAS_H,
    CANVAS_W,
    GEOMETRY,
    WINDOW_W,
    View,
    color_view,
    open_root,
    region_view,
)

TITLE = "ATM calibration"
StepKind = Literal["rect", "color", "axis", "save"]
_DRAG = 5  # canvas pixels: a press and release farther apart than this is a drag
_LOUPE, _LOUPE_ZOOM = 160, 8
_OUTLINE = {
    "region": "#ffffff",
    "strip": "#ffd700",
    "chart": "#00bfff",
    "axis": "#ff40ff",
    "canary": "#ff8c00",
}


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    kind: StepKind
    hint: str


STEPS: tuple[Step, ...] = (
    Step("region", "rect", "Drag a rectangle over the chart, dot strip included."),
    Step(
        "strip",
        "rect",
        "Dot strip: drag over the row of dots, or click its top-left and bottom-right corners.",
    ),
    *(
        Step(c, "color", f"Click a {c.replace('_', ' ')} dot. Skip if none is on screen.")
        for c in CALIBRATED[:-1]
    ),
    Step("background", "color", "Click the strip's background, between two dots."),
    Step("chart", "rect", "Chart area, where SL/TP lines appear: drag, or click two corners."),
    Step(
        "axis",
        "axis",
        "Price axis: drag over the label column; click a label and type "
        "its price, twice (or Next to skip).",
    ),
    Step(
        "canary",
        "rect",
        "Canary: a part of the window that never changes (title bar, "
        "window buttons). Drag, or click two corners.",
    ),
    Step("save", "save", "Check the window title, then Save (Enter)."),
)


@dataclass(frozen=True, slots=True)
class WizardResult:
    calibration: Calibration
    actions: int  # clicks, drags, keys and typed entries the user needed


@dataclass(slots=True)
class _Draft:
    """What the user has settled so far; None = not marked."""

    rects: dict[str, Rect] = field(default_factory=dict)
    colors: dict[str, Rgb] = field(default_factory=dict)
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)  # where a colour was read
    source: dict[str, str] = field(default_factory=dict)  # colour → "auto" | "clicked"
    points: list[tuple[int, float | None]] = field(default_factory=list)

    @classmethod
    def of(cls, proposal: Proposal | None) -> _Draft:
        draft = cls()
        if proposal is None:
            return draft
        found = {
            "strip": proposal.dot_roi,
            "chart": proposal.chart_roi,
            "axis": proposal.axis_roi,
            "canary": proposal.canary_roi,
        }
        draft.rects = {k: v for k, v in found.items() if v is not None}
        if draft.rects:
            draft.rects["region"] = _union(list(draft.rects.values()), proposal)
        draft.colors = dict(proposal.colors)
        draft.source = dict.fromkeys(proposal.colors, "auto")
        labels = proposal.axis_labels
        draft.points = [(labels[0], None), (labels[-1], None)] if len(labels) >= 2 else []
        return draft


def _union(rects: list[Rect], proposal: Proposal) -> Rect:
    pad = round(10 * proposal.height / 1080)
    x0, y0 = min(r.x for r in rects) - pad, min(r.y for r in rects) - pad
    x1, y1 = max(r.right for r in rects) + pad, max(r.bottom for r in rects) + pad
    return clip(Rect(x0, y0, x1 - x0, y1 - y0), proposal.width, proposal.height)


def run_wizard(
    *,
    image: Image | None,
    grab: Callable[[str], Image],
    check: Callable[[Calibration], object],
    propose: Callable[[Image], Proposal] | None = None,
    title: str = "TradeStation",
) -> WizardResult | None:
    """Show the wizard; the calibration once saved, None when cancelled.

    Without `image`, first ask for the window title and "Ready?", then `grab(title)` the
    screen (the wizard is hidden meanwhile). `check` raises `AtmError` for a calibration
    that would not load; the message is shown and the wizard stays open.
    """
    root = open_root("calibration", "without a display, use `atm calibrate --auto --yes`")
    root.title(TITLE)
    try:
        actions = 0
        if image is None:
            ready = _ask_ready(root, title)
            if ready is None:
                return None
            title, actions = ready
            root.withdraw()
            root.update()
            image = grab(title)
            root.deiconify()
        proposal = propose(image) if propose is not None else None
        wizard = _Wizard(root, image, proposal, check, title, actions)
        root.mainloop()
        return wizard.result
    finally:
        with contextlib.suppress(tk.TclError):
            root.destroy()  # unless already gone


def _ask_ready(root: tk.Tk, title: str) -> tuple[str, int] | None:
    """The first dialog: which window, and "Ready?". (title, actions) or None if cancelled."""
    root.geometry("+0+0")
    frame = tk.Frame(root, padx=16, pady=12)
    frame.pack()
    tk.Label(frame, text="Window title (part of it):").pack(anchor="w")
    entry = tk.Entry(frame, width=40)
    entry.insert(0, title)
    entry.pack(fill="x")
    tk.Label(
        frame,
        text="Ready? Bring the chart to the front, then press Ready (Enter).\n"
        "The screenshot is taken after the countdown in the terminal.",
        justify="left",
    ).pack(anchor="w", pady=8)
    answer = tk.StringVar(root, "")
    buttons = tk.Frame(frame)
    buttons.pack(anchor="e")
    tk.Button(buttons, text="Cancel", command=lambda: answer.set("cancel")).pack(side="right")
    tk.Button(buttons, text="Ready", command=lambda: answer.set("ready")).pack(side="right")
    root.bind("<Return>", lambda _e: answer.set("ready"))
    root.bind("<Escape>", lambda _e: answer.set("cancel"))
    root.protocol("WM_DELETE_WINDOW", lambda: answer.set("cancel"))
    entry.focus_set()
    root.wait_variable(answer)
    chosen = entry.get().strip() or title
    frame.destroy()
    root.unbind("<Return>")
    root.unbind("<Escape>")
    return None if answer.get() == "cancel" else (chosen, 1)


class _Wizard:
    def __init__(
        self,
        root: tk.Tk,
        image: Image,
        proposal: Proposal | None,
        check: Callable[[Calibration], object],
        title: str,
        actions: int,
    ) -> None:
        self.root, self.image, self.proposal, self.check = root, image, proposal, check
        self.height, self.width = image.shape[:2]
        self.draft = _Draft.of(proposal)
        self.actions = actions
        self.result: WizardResult | None = None
        self.index = 0
        self.view = View.fit(Rect(0, 0, self.width, self.height))
        self.press: tuple[float, float] | None = None
        self.corner: tuple[int, int] | None = None
        self._photos: dict[View, ImageTk.PhotoImage] = {}
        self._loupe_photo: ImageTk.PhotoImage | None = None
        self._build(title)
        self._show()

    # -- layout ------------------------------------------------------------------------

    def _build(self, title: str) -> None:
        root = self.root
        root.geometry(GEOMETRY)
        root.resizable(False, False)
        self.canvas = tk.Canvas(
            root, width=CANVAS_W, height=CANVAS_H, bg="#202020", highlightthickness=0, bd=0
        )
        self.canvas.grid(row=0, column=0, sticky="nw")
        side = tk.Frame(root, padx=10, pady=8, width=WINDOW_W - CANVAS_W, height=CANVAS_H)
        side.grid(row=0, column=1, sticky="nsew")
        side.pack_propagate(False)  # a fixed layout: tests click at computed places
        self.heading = tk.Label(side, font=("TkDefaultFont", 12, "bold"), anchor="w")
        self.heading.pack(fill="x")
        self.hint = tk.Label(side, wraplength=290, justify="left", anchor="w", height=4)
        self.hint.pack(fill="x", pady=(4, 6))
        self.loupe = tk.Canvas(side, width=_LOUPE, height=_LOUPE, bg="black", highlightthickness=0)
        self.loupe.pack()
        self.readout = tk.Label(side, anchor="w", font=("TkFixedFont", 9))
        self.readout.pack(fill="x")
        swatches = tk.Frame(side)
        swatches.pack(fill="x", pady=6)
        self.swatches: dict[str, tuple[tk.Label, tk.Label]] = {}
        for name in CALIBRATED:
            row = tk.Frame(swatches)
            row.pack(fill="x")
            chip = tk.Label(row, width=2, relief="solid", bd=1)
            chip.pack(side="left", padx=(0, 6))
            text = tk.Label(row, anchor="w", font=("TkFixedFont", 9))
            text.pack(side="left", fill="x")
            self.swatches[name] = (chip, text)
        self.entry_label = tk.Label(side, anchor="w")
        self.entry_label.pack(fill="x")
        self.entry = tk.Entry(side)
        self.entry.pack(fill="x")
        self.title_value = title
        self.status = tk.Label(side, wraplength=290, justify="left", anchor="w", fg="#b00000")
        self.status.pack(fill="x", pady=4)
        buttons = tk.Frame(side)
        buttons.pack(side="bottom", fill="x")
        for column, (caption, command) in enumerate(
            (("Back", self._back), ("Skip", self._skip), ("Next", self._next), ("Save", self._save))
        ):
            button = tk.Button(buttons, text=caption, width=1, command=self._counted(command))
            button.grid(row=0, column=column, sticky="ew", padx=1)
            buttons.columnconfigure(column, weight=1, uniform="buttons")
        self.canvas.bind("<ButtonPress-1>", self._on_press)
        self.canvas.bind("<B1-Motion>", self._on_drag)
        self.canvas.bind("<ButtonRelease-1>", self._on_release)
        self.canvas.bind("<Motion>", self._on_motion)
        root.bind("<Return>", self._counted_event(self._on_return))
        root.bind("<Escape>", self._counted_event(lambda: self._cancel()))
        root.bind("<Control-s>", self._counted_event(self._save))
        root.protocol("WM_DELETE_WINDOW", self._cancel)

    def _counted(self, action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            self.actions += 1
            action()

        return run

    def _counted_event(self, action: Callable[[], None]) -> Callable[[tk.Event], None]:
        def run(_event: tk.Event) -> None:
            self.actions += 1
            action()

        return run

    # -- steps -------------------------------------------------------------------------

    @property
    def step(self) -> Step:
        return STEPS[self.index]

    def _show(self) -> None:
        step = self.step
        self.corner = None
        if step.key == "region":
            self.view = View.fit(Rect(0, 0, self.width, self.height))
        elif step.kind == "color" and "strip" in self.draft.rects:
            self.view = color_view(self.draft.rects["strip"], self.width, self.height)
        else:
            self.view = region_view(self.draft.rects.get("region"), self.width, self.height)
        name = step.key.replace("_", " ")
        self.heading.configure(text=f"Step {self.index + 1}/{len(STEPS)} · {name}")
        self.hint.configure(text=step.hint)
        self._status("")
        self._entry_for(step)
        self._render()

    def _entry_for(self, step: Step) -> None:
        self.entry.delete(0, "end")
        if step.kind == "save":
            self.entry_label.configure(text="Window title (part of it):")
            self.entry.insert(0, self.title_value)
            self.entry.configure(state="normal")
            self.entry.focus_set()
        elif step.kind == "axis":
            self.entry_label.configure(text=self._price_prompt())
            self.entry.configure(state="normal")
            if self._pending_price() is None:
                self.canvas.focus_set()
            else:
                self.entry.focus_set()
        else:
            self.entry_label.configure(text="")
            self.entry.configure(state="disabled")
            self.canvas.focus_set()

    def _price_prompt(self) -> str:
        pending = self._pending_price()
        if pending is None:
            return "Click a price label on the axis."
        return f"Price at y={self.draft.points[pending][0]} (type it, Enter):"

    def _pending_price(self) -> int | None:
        for i, (_, price) in enumerate(self.draft.points):
            if price is None:
                return i
        return None

    def _next(self) -> None:
        step = self.step
        if step.key == "strip" and "strip" not in self.draft.rects:
            self._status("Mark the dot strip first: drag over the row of dots.")
            return
        if step.kind == "save":
            self._save()
            return
        if step.key == "region":
            self.draft.rects.setdefault("region", Rect(0, 0, self.width, self.height))
        if step.kind == "axis" and self.entry.get().strip() and not self._commit_price():
            return
        self.index += 1
        self._show()

    def _back(self) -> None:
        if self.step.kind == "save":
            self.title_value = self.entry.get().strip() or self.title_value
        if self.index > 0:
            self.index -= 1
            self._show()

    def _skip(self) -> None:
        step = self.step
        if step.key == "strip":
            self._status("The dot strip cannot be skipped: nothing works without it.")
            return
        if step.kind == "color":
            self.draft.colors.pop(step.key, None)
            self.draft.marks.pop(step.key, None)
            self.draft.source.pop(step.key, None)
        elif step.kind == "axis":
            self.draft.points = []
        elif step.kind == "rect" and step.key != "region":
            self.draft.rects.pop(step.key, None)
        if step.kind != "save":
            self.index += 1
            self._show()

    def _on_return(self) -> None:
        typed = self.root.focus_get() is self.entry and self.entry.get().strip()
        if self.step.kind == "axis" and typed:
            if self._commit_price() and self._has_prices():
                self.index += 1
                self._show()
            return
        self._next()

    def _has_prices(self) -> bool:
        return len(self.draft.points) == 2 and all(p is not None for _, p in self.draft.points)

    def _commit_price(self) -> bool:
        text = self.entry.get().strip().replace(",", ".")
        pending = self._pending_price()
        if pending is None:
            return True
        try:
            price = float(text)
        except ValueError:
            self._status(f"Not a price: {text!r}. Type a number such as 486.25.")
            return False
        self.draft.points[pending] = (self.draft.points[pending][0], price)
        self._entry_for(self.step)
        self._render()
        return True

    def _cancel(self) -> None:
        self.result = None
        self.root.quit()

    def _save(self) -> None:
        if self.step.kind == "save":
            self.title_value = self.entry.get().strip() or self.title_value
        calibration = self._calibration()
        if calibration is None:
            self._status("Mark the dot strip before saving (step 2).")
            return
        try:
            self.check(calibration)
        except AtmError as exc:
            self._status(str(exc))
            return
        self.result = WizardResult(calibration, self.actions)
        self.root.quit()

    def _calibration(self) -> Calibration | None:
        rects, points = self.draft.rects, self.draft.points
        if "strip" not in rects:
            return None
        marks = None
        if len(points) == 2:
            (y0, p0), (y1, p1) = points
            if p0 is not None and p1 is not None:
                marks = (AxisMark(y0, p0), AxisMark(y1, p1))
        return assemble(
            self.image,
            rects["strip"],
            chart_roi=rects.get("chart"),
            canary_roi=rects.get("canary"),
            colors=self.draft.colors,
            window_title=self.title_value,
            y_axis_roi=rects.get("axis"),
            y_axis_points=marks,
        )

    # -- pointer -----------------------------------------------------------------------

    def _on_press(self, event: tk.Event) -> None:
        self.press = (event.x, event.y)

    def _on_drag(self, event: tk.Event) -> None:
        if self.press is None or self.step.kind not in ("rect", "axis"):
            return
        self.canvas.delete("band")
        x0, y0 = self.press
        self.canvas.create_rectangle(
            x0, y0, event.x, event.y, outline="#ffffff", dash=(4, 2), tags="band"
        )

    def _on_release(self, event: tk.Event) -> None:
        if self.press is None:
            return
        x0, y0 = self.press
        self.press = None
        self.canvas.delete("band")
        self.actions += 1
        dragged = abs(event.x - x0) > _DRAG or abs(event.y - y0) > _DRAG
        start, end = self.view.to_image(x0, y0), self.view.to_image(event.x, event.y)
        kind = self.step.kind
        if kind == "rect" or (kind == "axis" and dragged):
            self._mark_rect(start, end, dragged)
        elif kind == "color":
            self._mark_color(*end)
        elif kind == "axis":
            self._mark_price_row(end[1])

    def _mark_rect(self, start: tuple[int, int], end: tuple[int, int], dragged: bool) -> None:
        key = self.step.key
        if dragged:
            self.draft.rects[key] = from_corners(*start, end[0] + 1, end[1] + 1)
        elif self.corner is None:
            self.corner = end
            self._status("Now click the opposite corner.")
        else:
            corner, self.corner = self.corner, None
            self.draft.rects[key] = from_corners(*corner, *end)
            self._status("")
        self._render()

    def _mark_color(self, x: int, y: int) -> None:
        name = self.step.key
        if name == "background":
            rgb, at = sample_patch(self.image, x, y), (x, y)
        else:
            sample = sample_dot(self.image, x, y)
            rgb, at = sample.rgb, (sample.x, sample.y)
        self.draft.colors[name], self.draft.marks[name] = rgb, at
        self.draft.source[name] = "clicked"
        self.index += 1
        self._show()

    def _mark_price_row(self, y: int) -> None:
        """A click on the axis: moves the point awaiting its price, or adds one."""
        points, pending = self.draft.points, self._pending_price()
        if pending is not None:
            points[pending] = (y, None)
        elif len(points) < 2:
            points.append((y, None))
        else:
            points[:] = [(y, None)]  # both were done: start over
        self._entry_for(self.step)
        self._render()

    def _on_motion(self, event: tk.Event) -> None:
        x, y = self.view.to_image(event.x, event.y)
        r = _LOUPE // _LOUPE_ZOOM // 2
        crop = self.image[max(0, y - r) : y + r, max(0, x - r) : x + r]
        if crop.size:
            big = PILImage.fromarray(crop).resize(
                (crop.shape[1] * _LOUPE_ZOOM, crop.shape[0] * _LOUPE_ZOOM),
                PILImage.Resampling.NEAREST,
            )
            self._loupe_photo = ImageTk.PhotoImage(big)
            self.loupe.delete("all")
            self.loupe.create_image(0, 0, image=self._loupe_photo, anchor="nw")
            c = r * _LOUPE_ZOOM
            self.loupe.create_rectangle(c, c, c + _LOUPE_ZOOM, c + _LOUPE_ZOOM, outline="#ff0000")
        rgb = self.image[y, x]
        self.readout.configure(text=f"x={x} y={y} rgb({rgb[0]}, {rgb[1]}, {rgb[2]})")

    # -- drawing -----------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.status.configure(text=text)

    def _render(self) -> None:
        view = self.view
        if view not in self._photos:  # a 4K screenshot takes a while to scale: once per view
            rect = view.rect
            crop = PILImage.fromarray(self.image[rect.y : rect.bottom, rect.x : rect.right])
            resample = (
                PILImage.Resampling.NEAREST if view.scale >= 1 else PILImage.Resampling.LANCZOS
            )
            self._photos[view] = ImageTk.PhotoImage(crop.resize(view.size, resample))
        self.canvas.delete("all")
        self.canvas.create_image(0, 0, image=self._photos[view], anchor="nw")
        for key, r in self.draft.rects.items():
            if key == "region" and self.step.key != "region":
                continue
            self._box(r, _OUTLINE[key], key, width=3 if key == self.step.key else 1)
        if self.corner is not None:
            self._cross(*self.corner, "#ffffff")
        self._draw_colors()
        self._draw_points()
        self._fill_swatches()

    def _box(self, r: Rect, colour: str, label: str, width: int) -> None:
        x0, y0 = self.view.to_canvas(r.x, r.y)
        x1, y1 = self.view.to_canvas(r.right, r.bottom)
        self.canvas.create_rectangle(x0, y0, x1, y1, outline=colour, width=width)
        inside = y0 < 14  # no room above the box: label it inside
        self.canvas.create_text(
            x0 + 3,
            y0 + 2 if inside else y0 - 2,
            text=label,
            fill=colour,
            anchor="nw" if inside else "sw",
        )

    def _cross(self, x: float, y: float, colour: str) -> None:
        cx, cy = self.view.to_canvas(x + 0.5, y + 0.5)
        self.canvas.create_line(cx - 8, cy, cx + 9, cy, fill=colour, width=2)
        self.canvas.create_line(cx, cy - 8, cx, cy + 9, fill=colour, width=2)

    def _draw_colors(self) -> None:
        step = self.step
        if step.kind != "color":
            return
        if self.proposal is not None and self.draft.source.get(step.key) == "auto":
            for dot in self.proposal.dots:
                if dot.color == step.key:
                    cx, cy = self.view.to_canvas(dot.x + 0.5, dot.y + 0.5)
                    r = (dot.radius + 3) * self.view.scale
                    self.canvas.create_oval(
                        cx - r, cy - r, cx + r, cy + r, outline="#ff2020", width=2
                    )
        if step.key in self.draft.marks:
            self._cross(*self.draft.marks[step.key], "#ff2020")

    def _draw_points(self) -> None:
        if self.step.kind not in ("axis", "save"):
            return
        axis = self.draft.rects.get("axis")
        left = axis.x if axis is not None else 0
        right = axis.right if axis is not None else self.width
        for y, price in self.draft.points:
            x0, cy = self.view.to_canvas(left, y + 0.5)
            x1, _ = self.view.to_canvas(right, y + 0.5)
            self.canvas.create_line(x0, cy, x1, cy, fill="#ff40ff", width=2)
            text = "?" if price is None else f"{price:g}"
            self.canvas.create_text(x0 - 4, cy, text=text, fill="#ff40ff", anchor="e")

    def _fill_swatches(self) -> None:
        for name, (chip, text) in self.swatches.items():
            rgb = self.draft.colors.get(name, REFERENCE_RGB[name])
            source = self.draft.source.get(name, "reference")
            chip.configure(bg="#{:02x}{:02x}{:02x}".format(*rgb))
            mark = "▶" if name == self.step.key else " "
            text.configure(text=f"{mark}{name:<12}{source:<9}{rgb[0]:>3},{rgb[1]:>3},{rgb[2]:>3}")
