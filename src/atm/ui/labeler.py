"""The labeler window: a frame, its dot strip zoomed, and one key per label.

    1-7 colour (turquoise, yellow, dark_green, dark_red, light_green, light_red, gray)
    0 empty strip · Enter/Space accept the detector's guess · B/S a BUY/SELL fires here
    ←/→ previous/next · U only uncertain frames · Esc close

Every decision goes through `atm.tools.label.LabelSession`, which saves after each label;
this window only shows and forwards keys. Guesses are read on a worker thread and
drained here with `after()`: only the main thread touches widgets.
"""

from __future__ import annotations

import contextlib
import queue
import tkinter as tk

from PIL import Image as PILImage
from PIL import ImageTk

from atm.colors import DOT_COLORS
from atm.corpus import NONE
from atm.detect import Dot
from atm.errors import AtmError
from atm.geometry import Rect
from atm.labeling import KEYS, GuessReader, LabelSession
from atm.types import Image
from atm.ui import CANVAS_W, GEOMETRY, View, open_root

TITLE = "ATM labeler"
FRAME_H = 540  # the frame on top, the zoomed strip below it
STRIP_H = 200
_POLL_MS = 100


def run_labeler(session: LabelSession) -> int:
    """Show the labeler until the user closes it; 0. Labels are saved as they are made."""
    root = open_root("labeler", "labelling needs a desktop session (on Linux: DISPLAY)")
    chart = session.config.name
    root.title(f"{TITLE} · {chart}" if chart else TITLE)  # several charts: say which one
    reader = GuessReader(session).start()
    try:
        _Labeler(root, session, reader)
        root.mainloop()
    finally:
        reader.stop()
        with contextlib.suppress(tk.TclError):
            root.destroy()
    return 0


class _Labeler:
    def __init__(self, root: tk.Tk, session: LabelSession, reader: GuessReader) -> None:
        self.root, self.session, self.reader = root, session, reader
        self._photos: list[ImageTk.PhotoImage] = []
        root.geometry(GEOMETRY)
        root.resizable(False, False)
        self.frame = tk.Canvas(
            root, width=CANVAS_W, height=FRAME_H, bg="#202020", highlightthickness=0, bd=0
        )
        self.frame.grid(row=0, column=0, sticky="nw")
        self.strip = tk.Canvas(
            root, width=CANVAS_W, height=STRIP_H, bg="#101010", highlightthickness=0, bd=0
        )
        self.strip.grid(row=1, column=0, sticky="nw")
        side = tk.Frame(root, padx=10, pady=8)
        side.grid(row=0, column=1, rowspan=2, sticky="nsew")
        self.heading = tk.Label(
            side, font=("TkDefaultFont", 12, "bold"), anchor="w", wraplength=290, justify="left"
        )
        self.heading.pack(fill="x")
        self._legend(side)
        self.uncertain = tk.BooleanVar(root, session.uncertain_only)
        tk.Checkbutton(
            side,
            text="only uncertain frames (U)",
            variable=self.uncertain,
            command=self._toggle_uncertain,
            takefocus=False,
        ).pack(anchor="w", pady=6)
        self.status = tk.Label(root, anchor="w", relief="sunken", padx=6)
        self.status.grid(row=2, column=0, columnspan=2, sticky="ew")
        root.bind("<Key>", self._on_key)
        root.protocol("WM_DELETE_WINDOW", root.quit)
        root.focus_force()
        self._show()
        root.after(_POLL_MS, self._drain)

    def _legend(self, side: tk.Frame) -> None:
        colors = self.session.config.colors
        for key, name in KEYS.items():
            row = tk.Frame(side)
            row.pack(fill="x")
            rgb = getattr(colors, name).rgb if name in DOT_COLORS else colors.background.rgb
            tk.Label(
                row, width=2, bg="#{:02x}{:02x}{:02x}".format(*rgb), relief="solid", bd=1
            ).pack(side="left", padx=(0, 6))
            tk.Label(row, text=f"{key}  {name}", anchor="w").pack(side="left")
        help_text = (
            "Enter/Space  accept the guess\nB / S  a BUY / SELL fires here\n"
            "← / →  previous / next frame\nU  only uncertain frames\nEsc  close"
        )
        tk.Label(side, text=help_text, justify="left", anchor="w").pack(fill="x", pady=8)

    # -- keys --------------------------------------------------------------------------

    def _on_key(self, event: tk.Event) -> None:
        key, session = event.keysym, self.session
        if key in KEYS:
            session.label(KEYS[key])
        elif key in ("Return", "KP_Enter", "space"):
            self._guarded(session.accept_guess)
        elif key in ("b", "B"):
            self._guarded(lambda: session.mark_fire("BUY"))
        elif key in ("s", "S"):
            self._guarded(lambda: session.mark_fire("SELL"))
        elif key in ("Left", "Up"):
            session.move(-1)
        elif key in ("Right", "Down"):
            session.move(1)
        elif key in ("u", "U"):
            self.uncertain.set(session.toggle_uncertain())
        elif key in ("Escape", "q"):
            self.root.quit()
            return
        else:
            return
        self._show()

    def _toggle_uncertain(self) -> None:
        self.uncertain.set(self.session.toggle_uncertain())
        self._show()

    def _guarded(self, action: object) -> None:
        try:
            action()  # type: ignore[operator]
        except AtmError as exc:
            self.status.configure(text=str(exc))

    # -- drawing -----------------------------------------------------------------------

    def _show(self) -> None:
        session = self.session
        self._photos.clear()
        self.frame.delete("all")
        self.strip.delete("all")
        try:
            image = session.image()
            found = session.guess_for(image)
        except AtmError as exc:
            self.frame.create_text(20, 20, text=str(exc), fill="#ff6060", anchor="nw")
            self.heading.configure(text=session.name)
            self.status.configure(text=session.status())
            return
        self._draw_frame(image)
        self._draw_strip(image, found.dot)
        old = session.labels.get(session.name)
        label = f"{old.color}{' ' + old.fire if old.fire else ''}" if old else "—"
        self.heading.configure(
            text=f"{session.name}\nguess: {found.color} {found.confidence:.2f}\nlabel: {label}"
        )
        self.status.configure(text=session.status())

    def _draw_frame(self, image: Image) -> None:
        height, width = image.shape[:2]
        view = View.fit(Rect(0, 0, width, height), CANVAS_W, FRAME_H)
        photo = ImageTk.PhotoImage(
            PILImage.fromarray(image).resize(view.size, PILImage.Resampling.LANCZOS)
        )
        self._photos.append(photo)
        self.frame.create_image(0, 0, image=photo, anchor="nw")
        roi = self.session.config.dot_roi
        x0, y0 = view.to_canvas(roi.x, roi.y)
        x1, y1 = view.to_canvas(roi.x + roi.w, roi.y + roi.h)
        self.frame.create_rectangle(x0, y0, x1, y1, outline="#ffd700")

    def _draw_strip(self, image: Image, dot: Dot | None) -> None:
        """The right end of the strip (the newest dots), zoomed to fill the pane's height."""
        roi = self.session.config.dot_roi
        zoom = max(1.0, min(8.0, (STRIP_H - 20) / roi.h))
        w = min(roi.w, round(CANVAS_W / zoom))
        view = View(Rect(roi.x + roi.w - w, roi.y, w, roi.h), zoom)
        crop = image[roi.y : roi.y + roi.h, roi.x + roi.w - w : roi.x + roi.w]
        if crop.size == 0:
            return
        photo = ImageTk.PhotoImage(
            PILImage.fromarray(crop).resize(view.size, PILImage.Resampling.NEAREST)
        )
        self._photos.append(photo)
        self.strip.create_image(0, 10, image=photo, anchor="nw")
        if dot is not None:  # the detector's rightmost dot: the one being labelled
            cx, cy = view.to_canvas(dot.x + 0.5, dot.y + 0.5)
            r = (dot.radius + 3) * zoom
            self.strip.create_oval(
                cx - r, cy + 10 - r, cx + r, cy + 10 + r, outline="#ff2020", width=2
            )
        if self.session.labels.get(self.session.name, None) is None:
            self.strip.create_text(6, STRIP_H - 4, text="unlabelled", fill="#ffd700", anchor="sw")
        elif self.session.labels[self.session.name].color == NONE:
            self.strip.create_text(6, STRIP_H - 4, text="label: none", fill="#a0a0a0", anchor="sw")

    def _drain(self) -> None:
        changed = False
        try:
            while True:
                name, found = self.reader.results.get_nowait()
                if found is not None and name not in self.session.guesses:
                    self.session.guesses[name] = found
                    changed = True
        except queue.Empty:
            pass
        if changed:
            self.status.configure(text=self.session.status())
        self.root.after(_POLL_MS, self._drain)
