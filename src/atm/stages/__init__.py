"""The loop's concerns, one stage each, in the order the runner runs them every tick.

Each chart has its own stages (its canary, state machine, lockout, Phase B, samples and
health), and the run has a few of its own around them:

    CanaryStage     per chart, full cycles: hash the layout region; pause that chart
    StartStopStage  the run's startup ping on the first cycle; its stop ping at the end
    WatchStage      per chart: read the strip, step the machine; late start, catch-up
    SignalStage     per chart: triggers (lockout, Phase B guard) and Phase B's levels
    SampleStage     per chart: each colour change, the whole frame to samples/
    HealthStage     per chart: failed grabs, black or frozen frames, lost sight
    HeartbeatStage  the run's heartbeat, every chart in one message
    DeadMansSwitchStage  pings `[healthcheck] url`: start, each heartbeat, health, stop

A chart's stages see only that chart's tick, so a paused, lost or obstructed chart
leaves the others as they are. A new concern is a new stage: a class with
`observe(tick)` and `close(ts)` that yields events (`atm.stages.base`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from atm.canary import Canary
from atm.config import Config
from atm.stages.base import ChartStages, RunStats, Stage
from atm.stages.canary import CanaryStage
from atm.stages.deadman import DeadMansSwitchStage, Pinger
from atm.stages.health import HealthStage
from atm.stages.lifecycle import HeartbeatStage, StartStopStage
from atm.stages.samples import SampleStage
from atm.stages.signal import SignalStage
from atm.stages.watch import WatchStage
from atm.vision.axis import TextReader


def chart_stages(
    config: Config,
    stats: RunStats,
    *,
    canary: Canary | None = None,
    save_samples: bool = False,
    ocr: TextReader | None = None,
    shared: bool = False,
) -> ChartStages:
    """The stages of one chart (`config` is that chart's, see `atm.config.each_chart`);
    `shared`: other charts are on the same capture."""
    health = HealthStage(config, stats, config.area if shared else None)
    first: tuple[Stage, ...] = (CanaryStage(canary),) if canary is not None else ()
    rest = (WatchStage(config), SignalStage(config, stats, ocr), SampleStage(save_samples), health)
    return ChartStages(config, canary, health.health, first, rest)


def run_stages(
    config: Config,
    charts: Sequence[ChartStages],
    stats: RunStats,
    summary: Callable[[], str],
    deadman: Pinger | None = None,
) -> tuple[list[Stage], list[Stage]]:
    """The run's own stages: those before the charts' main stages, and those after them.
    `summary` gives the fanout's counters; `deadman` the switch, with `[healthcheck] url`."""
    after: list[Stage] = [HeartbeatStage(config, charts, stats, summary)]
    if deadman is not None:
        after.append(DeadMansSwitchStage(charts, stats, deadman))
    return [StartStopStage(config, charts, stats, summary)], after
