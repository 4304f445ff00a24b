"""The first dialog of `atm calibrate` without a screenshot: which window, and "Ready?"."""

from __future__ import annotations

import tkinter as tk


def ask_ready(root: tk.Tk, title: str) -> tuple[str, int] | None:
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
