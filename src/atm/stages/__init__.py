"""The loop's concerns, one stage each, in the order the runner runs them every tick.

    CanaryStage     full cycles: hash the layout region; pause detection when it changed
    StartStopStage  the startup ping on the first cycle; the stop ping at the end
    WatchStage      read the strip, step the state machine; late start, catch-up, setups
    SignalStage     triggers (lockout, Phase B guard) and Phase B: the SL/TP levels
    SampleStage     each colour change, the whole frame to samples/
    HealthStage     failed grabs, black or frozen frames, lost sight: once per episode
    HeartbeatStage  the heartbeat every `heartbeat.minutes` (paused: says nothing is watched)
    DeadMansSwitchStage  pings `[healthcheck] url`: start, each heartbeat, health, stop

A new concern is a new stage: a class with `observe(tick)` and `close(ts)` that yields
events (`atm.stages.base`), added to the list `default_stages` returns.
"""

from __future__ import annotations

from collections.abc import Callable

from atm.canary import Canary
from atm.config import Config
from atm.stages.base import RunStats, Stage
from atm.stages.canary import CanaryStage
from atm.stages.deadman import DeadMansSwitchStage, Pinger
from atm.stages.health import HealthStage
from atm.stages.lifecycle import HeartbeatStage, StartStopStage
from atm.stages.samples import SampleStage
from atm.stages.signal import SignalStage
from atm.stages.watch import WatchStage
from atm.vision.axis import TextReader


def default_stages(
    config: Config,
    stats: RunStats,
    summary: Callable[[], str],
    *,
    canary: Canary | None = None,
    save_samples: bool = False,
    ocr: TextReader | None = None,
    deadman: Pinger | None = None,
) -> list[Stage]:
    """The stages of one chart's monitor; `summary` gives the fanout's counters; `deadman`
    the dead-man's switch, when `[healthcheck] url` is set."""
    health = HealthStage(config, stats)
    stages: list[Stage] = [CanaryStage(canary)] if canary is not None else []
    stages += [
        StartStopStage(config, stats, summary, canary),
        WatchStage(config),
        SignalStage(config, stats, ocr),
        SampleStage(save_samples),
        health,
        HeartbeatStage(config, stats, summary, health.health, canary),
    ]
    if deadman is not None:
        stages.append(DeadMansSwitchStage(config, stats, health.health, deadman))
    return stages
