"""The labelled corpus format (SPEC §5): frames named by their time, and `labels.json`.

    DIR/20261121_224703.png         frame taken at 22:47:03 local time (`_extra` allowed)
    DIR/labels.json                 {"schema": 1, "frames": {name: {"color": c, "fire": "BUY"}}}

`color` is the true colour of the rightmost dot (`none` for an empty strip); `fire` marks
the frame where a BUY or SELL must fire; `"not_fire": true` marks a frame where the
monitor fired and must not have (the trader's "False signal" button). One module owns
this format: sim, dry run and labeler all read and write it through here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from atm import inputs
from atm.colors import DOT_COLORS
from atm.errors import InputError
from atm.fileio import write_atomic
from atm.types import Direction

LABELS = "labels.json"
NONE = "none"
FRAME_SUFFIXES = (".png", ".jpg", ".jpeg")
_NAME = re.compile(r"^(\d{8}_\d{6})(?:_[^/\\]*)?$")


@dataclass(frozen=True, slots=True)
class Label:
    color: str  # a dot colour or NONE
    fire: Direction | None = None
    not_fire: bool = False  # the monitor fired here and the trader said it was false


def frame_time(path: Path) -> float:
    """Epoch seconds from a `YYYYMMDD_HHMMSS[_extra].png` name, read as local time."""
    match = _NAME.match(path.stem)
    if match is None:
        raise InputError(f"{path}: frame names must look like YYYYMMDD_HHMMSS[_extra].png")
    try:
        return datetime.strptime(match.group(1), "%Y%m%d_%H%M%S").astimezone().timestamp()
    except ValueError:
        raise InputError(f"{path}: {match.group(1)} is not a valid date and time") from None


def frame_name(ts: float, extra: str = "", suffix: str = ".png") -> str:
    stamp = datetime.fromtimestamp(ts).strftime("%Y%m%d_%H%M%S")
    return f"{stamp}_{extra}{suffix}" if extra else f"{stamp}{suffix}"


def list_frames(folder: Path) -> list[Path]:
    """Image files of a corpus folder in name order (= time order)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of frames")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in FRAME_SUFFIXES)


def labels_name(chart: str = "") -> str:
    """A corpus's labels file: `labels.json`, or `labels.NAME.json` for one of several
    charts on the same frames (each chart's dots are labelled apart)."""
    return f"labels.{chart}.json" if chart else LABELS


def labelled_charts(folder: Path) -> list[str]:
    """The charts with a labels file in `folder` ("" for `labels.json`), in name order."""
    names = sorted(p.name for p in folder.glob("labels*.json"))
    return [n[len("labels.") : -len(".json")] for n in names if n.startswith("labels.")]


def load_labels(folder: Path, chart: str = "") -> dict[str, Label]:
    """The labels of a corpus (of `chart`'s strip); {} when there are none. Bad content
    names file and frame."""
    path = folder / labels_name(chart)
    if not path.exists():
        return {}
    text = inputs.read_text(path, "labels file", inputs.MAX_JSON_BYTES)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not readable JSON: {exc}") from None
    except RecursionError:
        raise inputs.too_deep(path) from None
    inputs.check_depth(data, path)
    frames = data.get("frames") if isinstance(data, dict) else None
    if not isinstance(frames, dict):
        raise InputError(f'{path}: expected {{"schema": 1, "frames": {{...}}}}')
    return {name: _label(path, name, entry) for name, entry in frames.items()}


def _label(path: Path, name: str, entry: Any) -> Label:
    color = entry.get("color") if isinstance(entry, dict) else None
    if color not in (*DOT_COLORS, NONE):
        raise InputError(f"{path}: frames.{name}.color: {color!r} is not a colour or 'none'")
    fire = entry.get("fire")
    if fire not in (None, "BUY", "SELL"):
        raise InputError(f"{path}: frames.{name}.fire: expected BUY or SELL, got {fire!r}")
    not_fire = entry.get("not_fire", False)
    if not isinstance(not_fire, bool) or (not_fire and fire):
        raise InputError(f"{path}: frames.{name}.not_fire: expected true or false, and no fire")
    return Label(color=color, fire=fire, not_fire=not_fire)


def save_labels(folder: Path, labels: dict[str, Label], chart: str = "") -> None:
    """Write the labels file atomically: a crash mid-write never loses what was labelled."""
    frames: dict[str, dict[str, str | bool]] = {}
    for name in sorted(labels):
        label = labels[name]
        frames[name] = {"color": label.color, **({"fire": label.fire} if label.fire else {})}
        if label.not_fire:
            frames[name]["not_fire"] = True
    write_atomic(
        folder / labels_name(chart), json.dumps({"schema": 1, "frames": frames}, indent=1) + "\n"
    )
