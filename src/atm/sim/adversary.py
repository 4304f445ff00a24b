"""Adversarial replays: a simulated session watched several times per bar while the desktop
gets in the way, with the ground truth of every frame (issue 11).

A `Replay` is a session, a stretch of it watched every `step_s` seconds, and `Episode`s:
a crosshair resting on the live dot or elsewhere, a data tip over the strip's right end,
an OS toast, a dialog, the chart scrolled back, the window moved while the capture
region stayed, a black screen, a frozen capture — and, for `touching-jpeg`, dots 6 px
apart saved at JPEG quality 70. `SITUATIONS` names one replay per situation; each holds
short episodes (a frame or two, which must stay silent) and one sustained one (which
deserves one health alert), several over FIRE bars or the bars that set them up.

Ground truth per frame: the bar open then, and whether the frame is *clean* — the live
dot in plain view at the live edge (a thin crosshair line over it still counts: it is
meant to be seen through). A FIRE whose bar had a clean frame must be sent, once, on
its own bar; one whose bar had none may be missed, but never sent later.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, Literal

from atm.frame import Frame
from atm.fsm import Machine
from atm.geometry import Rect
from atm.sim import overlays
from atm.sim.effects import jpeg
from atm.sim.layout import Layout, PriceAxis
from atm.sim.render import Scene, render
from atm.sim.scenario import Session, generate
from atm.sim.theme import THEMES, Theme
from atm.types import Direction, Image

Kind = Literal[
    "crosshair", "crosshair_live", "tooltip", "toast", "dialog", "dialog_strip", "scroll",
    "move", "black", "freeze",
]  # fmt: skip
#: Kinds that hide the live dot: a frame under one is not clean.
HIDING: Final[frozenset[Kind]] = frozenset(
    {"tooltip", "toast", "dialog_strip", "scroll", "move", "black", "freeze"}
)
START_TS: Final = 1_795_000_000.0  # a Monday evening in 2026; bars fall on whole minutes
FIRST_BAR: Final = 30  # the watch begins with this many bars already on the chart
_SEARCH: Final = 20  # bars after FIRST_BAR searched for a setup under way


@dataclass(frozen=True, slots=True)
class Episode:
    """Something in the way from `start` to `end` (seconds into the watch). `a`, `b`: the
    mouse's x, y (crosshair, tooltip); bars scrolled back (scroll); dx, dy (move)."""

    start: float
    end: float
    kind: Kind
    a: int = 0
    b: int = 0

    def covers(self, t: float) -> bool:
        return self.start <= t < self.end


@dataclass(frozen=True, slots=True)
class Shot:
    """One frame of a replay and its ground truth."""

    frame: Frame
    bar: int  # the session bar open when the frame was taken
    clean: bool


@dataclass(frozen=True, slots=True)
class Replay:
    """A session watched from bar `first` for `bars` bars, a frame every `step_s`."""

    name: str
    session: Session
    layout: Layout
    theme: Theme
    episodes: tuple[Episode, ...]
    first: int = FIRST_BAR
    bars: int = 36
    step_s: float = 20.0
    quality: int | None = None  # JPEG quality of every frame, if any
    axis: PriceAxis = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "axis", PriceAxis.fit(*self.session.price_range(), self.layout))

    @property
    def start(self) -> float:
        """When the watch begins: 3 s into bar `first`."""
        return START_TS + self.first * self.session.bar_seconds + 3.0

    def bar_at(self, ts: float) -> int:
        return int((ts - START_TS) // self.session.bar_seconds)

    def times(self) -> Iterator[float]:
        end = START_TS + (self.first + self.bars) * self.session.bar_seconds
        t = self.start
        while t < end:
            yield t
            t += self.step_s

    def shots(self) -> Iterator[Shot]:
        """Every frame of the watch, rendered as it happens, with its ground truth."""
        stale: Image | None = None
        drawn: tuple[object, Image] | None = None  # frames alike are drawn (and JPEG'd) once
        for ts in self.times():
            t, bar = ts - self.start, self.bar_at(ts)
            active = [e for e in self.episodes if e.covers(t)]
            key = (bar, tuple(active))
            if drawn is None or drawn[0] != key:
                drawn = (key, self._image(bar, active))
            frozen = any(e.kind == "freeze" for e in active)
            image = stale if frozen and stale is not None else drawn[1]
            stale = image
            clean = not any(e.kind in HIDING for e in active)
            yield Shot(Frame(image, ts, name=f"{self.name}-{t:06.0f}"), bar, clean)

    def fires(self) -> list[tuple[int, Direction, bool]]:
        """(bar, direction, had a clean frame) of every FIRE inside the watch."""
        clean_bars = {self.bar_at(ts) for ts in self.times() if self._clean(ts - self.start)}
        last = self.first + self.bars
        return [(i, d, i in clean_bars) for i, d in self.session.fires() if self.first <= i < last]

    def _clean(self, t: float) -> bool:
        return not any(e.kind in HIDING and e.covers(t) for e in self.episodes)

    def _image(self, bar: int, active: list[Episode]) -> Image:
        s = self.session
        scroll = max((e.a for e in active if e.kind == "scroll"), default=0)
        scene = Scene(
            self.layout, self.theme, self.axis, s.candles[: bar + 1], s.colors[: bar + 1],
            s.bars[bar].levels, scroll=scroll,
        )  # fmt: skip
        image = render(scene)
        for e in active:
            image = self._draw(image, e)
        return jpeg(image, self.quality) if self.quality else image

    def _draw(self, image: Image, e: Episode) -> Image:
        lay, theme, s = self.layout, self.theme, self.layout.scale
        strip = lay.strip
        drawers: dict[Kind, Callable[[], Image]] = {
            "crosshair": lambda: overlays.crosshair(image, lay, theme, self.axis, e.a, e.b),
            "crosshair_live": lambda: overlays.crosshair(
                image, lay, theme, self.axis, lay.bar_x(0), lay.dot_y + e.b
            ),
            "tooltip": lambda: overlays.tooltip(
                overlays.crosshair(image, lay, theme, self.axis, e.a, e.b), lay, theme, e.a, e.b
            ),
            "toast": lambda: overlays.toast(image, lay, theme),
            "dialog": lambda: overlays.dialog(image, lay, theme, _scaled(lay, 610, 300, 500, 220)),
            "dialog_strip": lambda: overlays.dialog(
                image,
                lay,
                theme,
                Rect(
                    strip.right - round(380 * s),
                    strip.y - round(150 * s),
                    round(460 * s),
                    round(220 * s),
                ),
            ),
            "move": lambda: overlays.moved(image, theme, e.a, e.b),
            "black": lambda: overlays.blackout(image),
            "scroll": lambda: image,  # drawn by the scene
            "freeze": lambda: image,  # the capture repeats an older frame
        }
        return drawers[e.kind]()


def _scaled(layout: Layout, x: int, y: int, w: int, h: int) -> Rect:
    s = layout.scale
    return Rect(round(x * s), round(y * s), round(w * s), round(h * s))


# -- the situations ----------------------------------------------------------------------

Builder = Callable[["_Plan"], None]


@dataclass(slots=True)
class _Plan:
    """Episodes being laid over a session's watch: helpers place them on bars."""

    session: Session
    layout: Layout
    first: int
    bars: int
    step_s: float
    rng: random.Random
    episodes: list[Episode] = field(default_factory=list)

    @property
    def bar_s(self) -> float:
        return self.session.bar_seconds

    def at(self, bar: int, frame: int = 0) -> float:
        """Seconds into the watch of frame `frame` of bar `bar` (frames 3 s into a bar + k·step)."""
        return (bar - self.first) * self.bar_s + frame * self.step_s

    def add(self, kind: Kind, start: float, frames: int, a: int = 0, b: int = 0) -> None:
        """An episode over `frames` frames from `start` (seconds into the watch)."""
        self.episodes.append(Episode(start, start + frames * self.step_s - 1, kind, a, b))

    def fire_bars(self) -> list[int]:
        last = self.first + self.bars
        return [i for i, _ in self.session.fires() if self.first <= i < last]

    def short_on_fires(self, kind: Kind, a: int = 0, b: int = 0) -> None:
        """A frame or two of `kind` at the start of every FIRE bar and of the bar before it."""
        for bar in self.fire_bars():
            self.add(kind, self.at(bar), self.rng.randint(1, 2), a, b)
            self.add(kind, self.at(bar - 1, self.rng.randint(0, 6)), self.rng.randint(1, 2), a, b)

    def quiet_bar(self) -> int:
        """A bar well inside the watch and at least two bars from any FIRE."""
        fires = self.fire_bars()
        candidates = [
            b for b in range(self.first + 4, self.first + self.bars - 6)
            if all(abs(b - f) > 2 for f in fires)
        ]  # fmt: skip
        return self.rng.choice(candidates)


def _clean(plan: _Plan) -> None:
    """Nothing in the way: the control."""


def _crosshair(plan: _Plan) -> None:
    """The mouse rests on the live dot now and then (every FIRE bar's first frames, one
    whole FIRE bar), and roams the chart and the older dots the rest of the time."""
    lay, rng = plan.layout, plan.rng
    for bar in range(plan.first, plan.first + plan.bars):
        if rng.random() < 0.5:
            plan.add("crosshair_live", plan.at(bar, rng.randint(0, 5)), rng.randint(1, 4),
                     b=rng.choice((0, -2, 2, -8, 6)))  # fmt: skip
        x = rng.randint(lay.chart.x + 20, lay.bar_x(1))
        y = rng.choice((rng.randint(lay.chart.y + 20, lay.chart.bottom - 20), lay.dot_y))
        plan.add("crosshair", plan.at(bar, rng.randint(0, 6)), 2, a=x, b=y)
    fires = plan.fire_bars()
    for bar in fires:
        plan.add("crosshair_live", plan.at(bar), 3)
    plan.add("crosshair_live", plan.at(fires[-1]), 9)


def _tooltip(plan: _Plan) -> None:
    """The data tip over the strip's right end for a frame or two on FIRE bars and the
    bars before them; once for two minutes."""
    lay = plan.layout
    x, y = lay.bar_x(0) - round(30 * lay.scale), lay.dot_y - round(20 * lay.scale)
    plan.short_on_fires("tooltip", x, y)
    plan.add("tooltip", plan.at(plan.quiet_bar(), 2), 6, x, y)


def _toast(plan: _Plan) -> None:
    """OS notifications over the strip: brief ones on FIRE bars, and one left on screen
    for four minutes that hides the bar before a FIRE."""
    plan.short_on_fires("toast")
    _across_fire(plan, "toast")


def _dialog(plan: _Plan) -> None:
    """A dialog over the middle of the chart for most of the watch (the strip is clear),
    and one over the strip's right end: briefly on FIRE bars, once for two minutes."""
    plan.add("dialog", plan.at(plan.first + 1), plan.bars * 9 - 20)
    plan.short_on_fires("dialog_strip")
    plan.add("dialog_strip", plan.at(plan.quiet_bar(), 3), 6)


def _scroll(plan: _Plan) -> None:
    """The chart dragged back by 1 to 40 bars for a frame or two, and once by 5 bars for
    four minutes, hiding the bar before a FIRE."""
    for bar in plan.fire_bars():
        for at in (plan.at(bar), plan.at(bar - 1, plan.rng.randint(1, 6))):
            plan.add("scroll", at, plan.rng.randint(1, 2), a=plan.rng.randint(1, 40))
    _across_fire(plan, "scroll", a=5)


def _scroll_long(plan: _Plan) -> None:
    """The chart dragged back by 12 bars for eight minutes, over a whole FIRE bar: that
    FIRE is never on screen at the live edge, and must not be sent when the chart returns."""
    fire = [f for f in plan.fire_bars() if f + 3 < plan.first + plan.bars][-1]
    plan.add("scroll", plan.at(fire - 1, 3), 27, a=12)


def _move(plan: _Plan) -> None:
    """The chart window dragged 45 px right and 3 down (the capture region stays) for a
    frame or two, and once for four minutes across the bar before a FIRE."""
    plan.short_on_fires("move", 45, 3)
    _across_fire(plan, "move", 45, 3)


def _black(plan: _Plan) -> None:
    """The screen black (locked, RDP minimised) for a frame, and for four minutes."""
    for bar in plan.fire_bars():
        plan.add("black", plan.at(bar - 1, 3), 1)
    _across_fire(plan, "black")


def _freeze(plan: _Plan) -> None:
    """The capture repeating an old frame: for two frames, and for five minutes."""
    for bar in plan.fire_bars():
        plan.add("freeze", plan.at(bar - 1, 2), 2)
    _across_fire(plan, "freeze", frames=15)


def _touching(plan: _Plan) -> None:
    """Touching dots in JPEG (see `SITUATIONS`), watched from the middle of a setup, with a
    four-minute black screen across the bar before a FIRE (catch-up from the strip)."""
    _across_fire(plan, "black")


def _across_fire(plan: _Plan, kind: Kind, a: int = 0, b: int = 0, frames: int = 12) -> None:
    """A sustained episode from the bar before the bar before a FIRE to the FIRE bar's
    fourth frame: the setup's last bar is never seen, the FIRE bar is, after it."""
    fire = plan.fire_bars()[-1]
    end = plan.at(fire, 4)
    plan.add(kind, end - frames * plan.step_s, frames, a, b)


@dataclass(frozen=True, slots=True)
class Situation:
    """A replay's episodes, the words of the health alert its sustained episode deserves
    (None: it deserves none), and how its frames are drawn."""

    build: Builder
    alert: str | None
    theme: str = "dark"
    scale: float = 1.0
    quality: int | None = None
    spacing: float | None = None
    radius: float | None = None
    mid_setup: bool = False  # the watch begins while a setup is under way (late start)


SITUATIONS: Final[dict[str, Situation]] = {
    "clean": Situation(_clean, None),
    "crosshair": Situation(_crosshair, None),
    "crosshair-light-150": Situation(_crosshair, None, "light", 1.5),
    "tooltip": Situation(_tooltip, "mouse is over the M2D strip"),
    "toast": Situation(_toast, "window covers the M2D strip"),
    "toast-light": Situation(_toast, "window covers the M2D strip", "light"),
    "dialog": Situation(_dialog, "window covers the M2D strip"),
    "scroll-back": Situation(_scroll, "scrolled back"),
    "scroll-back-long": Situation(_scroll_long, "scrolled back"),
    "moved-window": Situation(_move, "not where it was"),
    "blackout": Situation(_black, "Black frame"),
    "frozen": Situation(_freeze, "Chart frozen"),
    "touching-jpeg": Situation(
        _touching, "Black frame", quality=70, spacing=6, radius=2.5, mid_setup=True
    ),
}


def build(name: str, seed: int = 0, bars: int = 60) -> Replay:
    """The replay of situation `name` on the session of `seed`."""
    situation = SITUATIONS[name]
    session = generate(FIRST_BAR + bars + _SEARCH, seed)
    layout = Layout.for_scale(
        situation.scale,
        bar_spacing=situation.spacing * situation.scale if situation.spacing else None,
        dot_radius=situation.radius * situation.scale if situation.radius else None,
    )
    first = _mid_setup(session, FIRST_BAR) if situation.mid_setup else FIRST_BAR
    plan = _Plan(session, layout, first, bars, 20.0, random.Random(seed))
    situation.build(plan)
    theme = THEMES[situation.theme]
    return Replay(name, session, layout, theme, tuple(plan.episodes), first, bars,
                  quality=situation.quality)  # fmt: skip


def _mid_setup(session: Session, start: int) -> int:
    """The first bar from `start` on (within `_SEARCH` bars) at which a setup is under way."""
    machine = Machine(0.0)
    for i, color in enumerate(session.colors[: start + _SEARCH]):
        machine.step(color, float(i))
        if i >= start and machine.state != "IDLE":
            return i
    return start
