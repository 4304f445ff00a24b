"""Widgets of the wizard's side panel: the loupe under the pointer, the colour swatches."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Mapping

from PIL import Image as PILImage
from PIL import ImageTk

from atm.colors import CALIBRATED, REFERENCE_RGB, Rgb
from atm.types import Image

_LOUPE, _LOUPE_ZOOM = 160, 8  # canvas pixels, and how many per screenshot pixel


class Loupe:
    """The screenshot's pixels around the pointer, zoomed, with the position and RGB."""

    def __init__(self, parent: tk.Misc) -> None:
        self.canvas = tk.Canvas(
            parent, width=_LOUPE, height=_LOUPE, bg="black", highlightthickness=0
        )
        self.canvas.pack()
        self.readout = tk.Label(parent, anchor="w", font=("TkFixedFont", 9))
        self.readout.pack(fill="x")
        self._photo: ImageTk.PhotoImage | None = None

    def show(self, image: Image, x: int, y: int) -> None:
        """Pixel (x, y) of `image` ((H, W, 3) uint8 RGB) in the middle, framed in red."""
        r = _LOUPE // _LOUPE_ZOOM // 2
        crop = image[max(0, y - r) : y + r, max(0, x - r) : x + r]
        if crop.size:
            big = PILImage.fromarray(crop).resize(
                (crop.shape[1] * _LOUPE_ZOOM, crop.shape[0] * _LOUPE_ZOOM),
                PILImage.Resampling.NEAREST,
            )
            self._photo = ImageTk.PhotoImage(big)
            self.canvas.delete("all")
            self.canvas.create_image(0, 0, image=self._photo, anchor="nw")
            c = r * _LOUPE_ZOOM
            self.canvas.create_rectangle(c, c, c + _LOUPE_ZOOM, c + _LOUPE_ZOOM, outline="#ff0000")
        rgb = image[y, x]
        self.readout.configure(text=f"x={x} y={y} rgb({rgb[0]}, {rgb[1]}, {rgb[2]})")


class Swatches:
    """One row per calibrated class: a chip of its colour, its name, source and RGB."""

    def __init__(self, parent: tk.Misc) -> None:
        frame = tk.Frame(parent)
        frame.pack(fill="x", pady=6)
        self._rows: dict[str, tuple[tk.Label, tk.Label]] = {}
        for name in CALIBRATED:
            row = tk.Frame(frame)
            row.pack(fill="x")
            chip = tk.Label(row, width=2, relief="solid", bd=1)
            chip.pack(side="left", padx=(0, 6))
            text = tk.Label(row, anchor="w", font=("TkFixedFont", 9))
            text.pack(side="left", fill="x")
            self._rows[name] = (chip, text)

    def fill(self, colors: Mapping[str, Rgb], source: Mapping[str, str], current: str) -> None:
        """Show `colors` (reference values where absent), marking the `current` step's."""
        for name, (chip, text) in self._rows.items():
            rgb = colors.get(name, REFERENCE_RGB[name])
            origin = source.get(name, "reference")
            chip.configure(bg="#{:02x}{:02x}{:02x}".format(*rgb))
            mark = "▶" if name == current else " "
            text.configure(text=f"{mark}{name:<12}{origin:<9}{rgb[0]:>3},{rgb[1]:>3},{rgb[2]:>3}")
