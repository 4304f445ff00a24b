"""Labelling a corpus frame by frame: the session the labeler window drives, keys, guesses.

Every label is saved at once (atomically: a crash loses nothing) and a new session starts
at the first unlabelled frame. The detector's reading of each frame is its guess: one key
accepts it, and "only uncertain" visits the frames it was least sure of first.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from atm.colors import DOT_COLORS, UNKNOWN
from atm.config import Config
from atm.corpus import NONE, Label, list_frames, load_labels, save_labels
from atm.detect import Classifier, Dot, read_rightmost
from atm.errors import AtmError, InputError
from atm.frame import Frame
from atm.types import Direction, Image
from atm.vision.image_io import read_image

#: Keys 1-7 name the dot colours in this order, 0 an empty strip.
KEYS: Final[dict[str, str]] = {str(i + 1): c for i, c in enumerate(DOT_COLORS)} | {"0": NONE}
#: Below this confidence (or UNKNOWN, or no dot) a guess counts as uncertain.
UNCERTAIN: Final = 0.5


@dataclass(frozen=True, slots=True)
class Guess:
    """What the detector reads in a frame: a colour (or `none` / UNKNOWN) and how sure."""

    color: str
    confidence: float
    dot: Dot | None = None

    @property
    def label(self) -> str:
        """The label accepting this guess gives: UNKNOWN cannot be a label, `none` can."""
        return self.color if self.color in (*DOT_COLORS, NONE) else NONE


def guess(image: Image, config: Config, classifier: Classifier) -> Guess:
    """The detector's reading of a frame ((H, W, 3) uint8 RGB, the capture region)."""
    dot = read_rightmost(Frame(image, 0.0).crop(config.dot_roi), config, classifier)
    if dot is None:
        return Guess(NONE, 1.0)
    return Guess(dot.color, dot.confidence if dot.color != UNKNOWN else 0.0, dot)


class LabelSession:
    """The frames of a corpus, their labels, the detector's guesses and where we are."""

    def __init__(self, folder: Path, config: Config) -> None:
        self.folder = folder
        self.config = config
        self.frames = list_frames(folder)
        if not self.frames:
            raise InputError(f"{folder}: no frames (*.png, *.jpg) to label")
        self.labels = load_labels(folder, config.name)
        self.guesses: dict[str, Guess] = {}
        self.uncertain_only = False
        self.index = self.first_unlabelled()
        self._classifier = Classifier(config)

    @property
    def name(self) -> str:
        return self.frames[self.index].name

    @property
    def labelled(self) -> int:
        names = {p.name for p in self.frames}
        return sum(1 for n in self.labels if n in names)

    def first_unlabelled(self) -> int:
        """Where a session resumes: the first frame without a label (the last if all have)."""
        for i, path in enumerate(self.frames):
            if path.name not in self.labels:
                return i
        return len(self.frames) - 1

    def image(self) -> Image:
        return read_image(self.frames[self.index])

    def guess_for(self, image: Image | None = None) -> Guess:
        """The current frame's guess, computed now if the background reader has not yet."""
        found = self.guesses.get(self.name)
        if found is None:
            found = guess(
                image if image is not None else self.image(), self.config, self._classifier
            )
            self.guesses[self.name] = found
        return found

    def read_all(self) -> None:
        """Guess every frame not guessed yet; unreadable frames are left out."""
        for path in self.frames:
            if path.name not in self.guesses:
                try:
                    self.guesses[path.name] = guess(read_image(path), self.config, self._classifier)
                except AtmError:
                    continue

    def label(self, color: str) -> None:
        """Label the current frame (keeping a fire mark), save, go to the next."""
        if color not in (*DOT_COLORS, NONE):
            raise ValueError(f"not a label colour: {color!r}")
        old = self.labels.get(self.name)
        self.labels[self.name] = replace(old, color=color) if old else Label(color)
        save_labels(self.folder, self.labels, self.config.name)
        self.move(1)

    def accept_guess(self) -> None:
        self.label(self.guess_for().label)

    def mark_fire(self, fire: Direction) -> None:
        """Toggle "a `fire` should fire here" on the current frame, and save; stays on it.

        An unlabelled frame takes the guess's colour, which a colour key can still change.
        """
        old = self.labels.get(self.name)
        color = old.color if old else self.guess_for().label
        new_fire = None if old is not None and old.fire == fire else fire
        self.labels[self.name] = Label(color, new_fire)  # a fire mark overrides "not a fire"
        save_labels(self.folder, self.labels, self.config.name)

    def order(self) -> list[int]:
        """Frame indexes in visiting order: all, or only the uncertain ones, least sure first.

        Frames not read yet are left out; `toggle_uncertain` reads them all first.
        """
        if not self.uncertain_only:
            return list(range(len(self.frames)))
        scored = []
        for i, path in enumerate(self.frames):
            g = self.guesses.get(path.name)
            if g is not None and (g.color == UNKNOWN or g.confidence < UNCERTAIN):
                scored.append((g.confidence, i))
        return [i for _, i in sorted(scored)]

    def move(self, step: int) -> None:
        """To the next (`step` > 0) or previous frame in the current order; stays at an end."""
        order = self.order()
        if not order:
            return
        if self.index not in order:  # uncertain mode and this frame is not uncertain
            self.index = order[0]
            return
        pos = min(max(order.index(self.index) + step, 0), len(order) - 1)
        self.index = order[pos]

    def toggle_uncertain(self) -> bool:
        """Switch "only uncertain frames"; on, jump to the least sure unlabelled one.

        Frames the background reader has not reached yet are read now, so the order is
        complete (a pause of a few milliseconds per frame).
        """
        self.uncertain_only = not self.uncertain_only
        if self.uncertain_only:
            self.read_all()
            order = self.order()
            todo = [i for i in order if self.frames[i].name not in self.labels]
            if todo or order:
                self.index = (todo or order)[0]
        return self.uncertain_only

    def status(self) -> str:
        """`frame 12/240 · labelled 11 · guess light_green 0.93`, plus the label if any."""
        g = self.guesses.get(self.name)
        text = f"frame {self.index + 1}/{len(self.frames)} · labelled {self.labelled}"
        text += f" · guess {g.color} {g.confidence:.2f}" if g else " · guess …"
        old = self.labels.get(self.name)
        if old is not None:
            text += f" · label {old.color}" + (f" {old.fire}" if old.fire else "")
            text += " · not a fire" if old.not_fire else ""
        if self.uncertain_only:
            text += f" · uncertain only ({len(self.order())})"
        return text


class GuessReader:
    """Reads every frame's guess on a worker thread; the window drains `results` with after()."""

    def __init__(self, session: LabelSession) -> None:
        self.results: queue.Queue[tuple[str, Guess | None]] = queue.Queue()
        self._stop = threading.Event()
        self._paths = list(session.frames)
        self._config = session.config
        self._thread = threading.Thread(target=self._run, name="label-guesses", daemon=True)

    def start(self) -> GuessReader:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        classifier = Classifier(self._config)
        for path in self._paths:
            if self._stop.is_set():
                return
            try:
                found: Guess | None = guess(read_image(path), self._config, classifier)
            except AtmError:
                found = None  # unreadable: the window says so when it shows the frame
            self.results.put((path.name, found))
