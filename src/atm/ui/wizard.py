"""The calibration wizard: a screenshot, the seed's steps one by one, then Save.

    region → dot strip → 7 dot colours + background → chart area → price axis → canary → save

Rectangles are dragged (or given by two corner clicks); a colour is one click, snapped to
the nearest dot; Enter accepts a step, Esc cancels, Ctrl+S saves. With a proposal
(`--auto`) every step starts with what auto-detection found drawn on the screenshot, so
accepting is one key per step, or one Save (button or Ctrl+S) at any time.

The window holds no calibration logic: the steps, what they settle and the rules for
moving between them are `atm.calibration.draft`'s; here pointer and keys become draft
moves, and the draft is drawn. `check` (the config loader) must accept the result before
the window closes. Only the main thread touches widgets.
"""

from __future__ import annotations

import contextlib
import tkinter as tk
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import ImageTk

from atm.calibration import Calibration, Proposal, from_corners
from atm.calibration.draft import STEPS, Draft, WizardStep
from atm.errors import AtmError, Refused
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
from atm.ui.ready import ask_ready
from atm.ui.widgets import Loupe, Swatches

TITLE = "ATM calibration"
_DRAG = 5  # canvas pixels: a press and release farther apart than this is a drag
_OUTLINE = {
    "region": "#ffffff",
    "strip": "#ffd700",
    "chart": "#00bfff",
    "axis": "#ff40ff",
    "canary": "#ff8c00",
}


@dataclass(frozen=True, slots=True)
class WizardResult:
    calibration: Calibration
    actions: int  # clicks, drags, keys and typed entries the user needed


def run_wizard(
    *,
    shots: Sequence[Image] | None,
    grab: Callable[[str], Sequence[Image]],
    check: Callable[[Calibration, Sequence[Image]], object],
    propose: Callable[[Sequence[Image]], Proposal] | None = None,
    title: str = "TradeStation",
) -> WizardResult | None:
    """Show the wizard; the calibration once saved, None when cancelled.

    `shots` are screenshots of one screen, seconds apart (the first is calibrated; the
    others show what changes on its own). Without them, first ask for the window title
    and "Ready?", then `grab(title)` the screen (the wizard is hidden meanwhile). `check`
    raises `AtmError` for a calibration that would not do (it would not load, its canary
    sits on a clock); the message is shown and the wizard stays open.
    """
    root = open_root("calibration", "without a display, use `atm calibrate --auto --yes`")
    root.title(TITLE)
    try:
        actions = 0
        if shots is None:
            ready = ask_ready(root, title)
            if ready is None:
                return None
            title, actions = ready
            root.withdraw()
            root.update()
            shots = grab(title)
            root.deiconify()
        proposal = propose(shots) if propose is not None else None
        wizard = _Wizard(root, shots, proposal, lambda cal: check(cal, shots), title, actions)
        root.mainloop()
        return wizard.result
    finally:
        with contextlib.suppress(tk.TclError):
            root.destroy()  # unless already gone


class _Wizard:
    def __init__(
        self,
        root: tk.Tk,
        shots: Sequence[Image],
        proposal: Proposal | None,
        check: Callable[[Calibration], object],
        title: str,
        actions: int,
    ) -> None:
        image = shots[0]
        self.root, self.image, self.proposal, self.check = root, image, proposal, check
        self.height, self.width = image.shape[:2]
        self.draft = Draft.of(image, proposal, title)
        self.actions = actions
        self.result: WizardResult | None = None
        self.view = View.fit(Rect(0, 0, self.width, self.height))
        self.press: tuple[float, float] | None = None
        self.corner: tuple[int, int] | None = None
        self._photos: dict[View, ImageTk.PhotoImage] = {}
        self._build()
        self._show()

    # -- layout ------------------------------------------------------------------------

    def _build(self) -> None:
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
        self.loupe = Loupe(side)
        self.swatches = Swatches(side)
        self.entry_label = tk.Label(side, anchor="w")
        self.entry_label.pack(fill="x")
        self.entry = tk.Entry(side)
        self.entry.pack(fill="x")
        self.status = tk.Label(side, wraplength=290, justify="left", anchor="w", fg="#b00000")
        self.status.pack(fill="x", pady=4)
        self._buttons(side)
        self._bind()

    def _buttons(self, side: tk.Frame) -> None:
        buttons = tk.Frame(side)
        buttons.pack(side="bottom", fill="x")
        for column, (caption, command) in enumerate(
            (("Back", self._back), ("Skip", self._skip), ("Next", self._next), ("Save", self._save))
        ):
            button = tk.Button(buttons, text=caption, width=1, command=self._counted(command))
            button.grid(row=0, column=column, sticky="ew", padx=1)
            buttons.columnconfigure(column, weight=1, uniform="buttons")

    def _bind(self) -> None:
        self.canvas.bind("<ButtonPress-1>", self._on_press)
        self.canvas.bind("<B1-Motion>", self._on_drag)
        self.canvas.bind("<ButtonRelease-1>", self._on_release)
        self.canvas.bind("<Motion>", self._on_motion)
        self.root.bind("<Return>", self._counted_event(self._on_return))
        self.root.bind("<Escape>", self._counted_event(lambda: self._cancel()))
        self.root.bind("<Control-s>", self._counted_event(self._save))
        self.root.protocol("WM_DELETE_WINDOW", self._cancel)

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
    def step(self) -> WizardStep:
        return self.draft.step

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
        self.heading.configure(text=f"Step {self.draft.index + 1}/{len(STEPS)} · {name}")
        self.hint.configure(text=step.hint)
        self._status("")
        self._entry_for(step)
        self._render()

    def _entry_for(self, step: WizardStep) -> None:
        # a disabled Tk entry ignores delete and insert: enable it before changing its text
        self.entry.configure(state="normal")
        self.entry.delete(0, "end")
        if step.kind == "save":
            self.entry_label.configure(text="Window title (part of it):")
            self.entry.insert(0, self.draft.title)
            self.entry.focus_set()
        elif step.kind == "axis":
            self.entry_label.configure(text=self._price_prompt())
            if self.draft.pending_price() is None:
                self.canvas.focus_set()
            else:
                self.entry.focus_set()
        else:
            self.entry_label.configure(text="")
            self.entry.configure(state="disabled")
            self.canvas.focus_set()

    def _price_prompt(self) -> str:
        pending = self.draft.pending_price()
        if pending is None:
            return "Click a price label on the axis."
        return f"Price at y={self.draft.points[pending][0]} (type it, Enter):"

    def _move(self, move: Callable[[], bool | None], *, redraw: bool = False) -> None:
        """Make a draft move and show what it did: the refusal, the save (a move that
        finishes), the new step, or with `redraw` the same step with what changed."""
        index = self.draft.index
        try:
            finished = move()
        except Refused as exc:
            self._status(str(exc))
            return
        if finished:
            self._save()
        elif self.draft.index != index:
            self._show()
        elif redraw:
            self._entry_for(self.step)
            self._render()

    def _next(self) -> None:
        self._move(lambda: self.draft.next(self.entry.get()))

    def _back(self) -> None:
        self._move(lambda: self.draft.back(self.entry.get()))

    def _skip(self) -> None:
        self._move(self.draft.skip)

    def _on_return(self) -> None:
        typed, in_entry = self.entry.get(), self.root.focus_get() is self.entry
        self._move(
            lambda: self.draft.enter(typed) if in_entry else self.draft.next(typed), redraw=True
        )

    def _cancel(self) -> None:
        self.result = None
        self.root.quit()

    def _save(self) -> None:
        try:
            calibration = self.draft.finish(self.entry.get())
            self.check(calibration)
        except AtmError as exc:
            self._status(str(exc))
            return
        self.result = WizardResult(calibration, self.actions)
        self.root.quit()

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
            self._move(lambda: self.draft.mark_color(*end))
        elif kind == "axis":
            self._move(lambda: self.draft.mark_price_row(end[1]), redraw=True)

    def _mark_rect(self, start: tuple[int, int], end: tuple[int, int], dragged: bool) -> None:
        """A drag marks the rectangle; a click is one corner, the next click the other."""
        if dragged:
            self.draft.mark_rect(from_corners(*start, end[0] + 1, end[1] + 1))
        elif self.corner is None:
            self.corner = end
            self._status("Now click the opposite corner.")
        else:
            corner, self.corner = self.corner, None
            self.draft.mark_rect(from_corners(*corner, *end))
            self._status("")
        self._render()

    def _on_motion(self, event: tk.Event) -> None:
        self.loupe.show(self.image, *self.view.to_image(event.x, event.y))

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
        self.swatches.fill(self.draft.colors, self.draft.source, self.step.key)

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
