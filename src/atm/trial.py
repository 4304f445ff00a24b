"""Adversarial replays through the real runner, scored against their ground truth (issue 11).

`run` drives `atm.runner.Runner` over a replay's frames (`atm.sim.adversary`) on the
replay clock, each frame a full cycle as in `atm run --replay`, and keeps what the
channels would have received. `score` holds the triggers sent against the session's
FIREs: a trigger counts for a FIRE when it was sent on the FIRE's own bar and side; a
second one for that bar is a duplicate; one for any other bar is false; a FIRE whose bar
had a clean frame and was not sent is missed. No canary runs: a moved window is the
monitor's own concern here, not the layout check's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atm import config as config_mod
from atm.audit import AuditLog
from atm.clock import ReplayClock
from atm.frame import Frame
from atm.notify.base import Message
from atm.runner import Runner
from atm.sim.adversary import Replay, Shot
from atm.sim.corpus import corpus_config
from atm.sink import OnEvent
from atm.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Score:
    """A replay's FIREs and what was sent for them, and the health alerts it raised."""

    frames: int
    hidden: int  # frames whose live dot was not in plain view
    expected: int  # FIREs inside the watch
    seen: int  # of which the bar had at least one clean frame
    sent: int  # triggers sent
    hits: int  # FIREs sent once on their own bar
    false: int
    duplicate: int
    missed: int  # FIREs with a clean frame that were not sent
    health: tuple[str, ...]  # health alerts, in order

    @property
    def opened(self) -> list[str]:
        return [t for t in self.health if t.startswith("⚠️")]

    @property
    def recovered(self) -> list[str]:
        return [t for t in self.health if t.startswith("✅")]


class Inbox:
    """A stand-in for the notification fanout: what it would have sent, kept in order."""

    def __init__(self, on_event: OnEvent) -> None:
        self.messages: list[Message] = []

    def publish(self, message: Message) -> None:
        self.messages.append(message)

    @property
    def backends(self) -> list[str]:
        return ["inbox"]

    def flush(self, timeout: float) -> bool:
        return True

    def summary(self) -> str:
        return ""

    def close(self, timeout: float = 10.0) -> None:
        return None


class _Capture:
    """The replay's frames, one per grab."""

    def __init__(self, shots: Iterator[Shot], clock: ReplayClock) -> None:
        self._shots, self._clock = shots, clock
        self.frames = self.hidden = 0

    def grab(self) -> Frame | None:
        shot = next(self._shots, None)
        if shot is None:
            return None
        self.frames += 1
        self.hidden += not shot.clean
        self._clock.set(shot.frame.ts)
        return shot.frame

    def close(self) -> None:
        return None


def replay_config(replay: Replay) -> config_mod.Config:
    """The config of a replay's chart, as calibration would have saved it."""
    raw: dict[str, Any] = corpus_config(replay.layout, replay.theme, replay.axis)
    return config_mod.from_dict(raw, source=f"{replay.name}.toml")


def run(replay: Replay, home: Path) -> Score:
    """Watch `replay` with the real runner in workspace `home`; score what was sent."""
    home.mkdir(parents=True, exist_ok=True)
    config = replay_config(replay)
    clock = ReplayClock(replay.start)
    inbox: list[Inbox] = []

    def notifier(on_event: OnEvent) -> Inbox:
        inbox.append(Inbox(on_event))
        return inbox[0]

    capture = _Capture(replay.shots(), clock)
    workspace = Workspace(home)
    runner = Runner(config, capture, clock, notifier, workspace, AuditLog(workspace.logs),
                    pace=False)  # fmt: skip
    runner.run()
    return score(replay, inbox[0].messages, capture.frames, capture.hidden)


def score(replay: Replay, messages: list[Message], frames: int, hidden: int = 0) -> Score:
    """Hold the triggers in `messages` against the replay's FIREs."""
    fires = {(bar, direction): clean for bar, direction, clean in replay.fires()}
    hit: set[tuple[int, str]] = set()
    false = duplicate = sent = 0
    for m in messages:
        if m.kind != "trigger":
            continue
        sent += 1
        key = (replay.bar_at(m.ts), "BUY" if "BUY signal" in m.text else "SELL")
        if key not in fires:
            false += 1
        elif key in hit:
            duplicate += 1
        else:
            hit.add(key)
    missed = sum(1 for key, clean in fires.items() if clean and key not in hit)
    health = tuple(m.text for m in messages if m.kind == "health")
    return Score(frames, hidden, len(fires), sum(fires.values()), sent, len(hit), false,
                 duplicate, missed, health)  # fmt: skip
