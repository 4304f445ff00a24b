"""`atm run`: the live monitor (or a replayed folder), with schedule, signals and canary.

The session comes from `atm.schedule`, exchange calendar included. On a day without a
session it says why in one line and exits 0; launched by the scheduler (`--scheduled`) it
also tells the services and pings the dead-man's switch, so a silent holiday is not
mistaken for a dead ATM. A replayed folder is planned from its first frame's time, as
if the run had been launched then: a holiday's frames are not replayed, a session stops
at an early close, and `--start-at`, `--stop-at` and `--duration` hold in replay time.

Exit codes: 0 a clean stop; 1 a trigger that no backend delivered (the dead letter says
why); 2 a workspace that cannot be written, or a replay folder with no frames to play.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from atm.audit import AuditLog
from atm.canary import Canary
from atm.capture.base import Capture
from atm.capture.dpi import set_dpi_awareness
from atm.capture.factory import open_capture
from atm.capture.replay import ReplayCapture, first_time
from atm.capture.window import activate, find_window
from atm.clock import Clock, ReplayClock, WallClock, local
from atm.config import Config, each_chart
from atm.deadman import DeadMansSwitch
from atm.errors import AtmError, InputError, WorkspaceError, os_reason
from atm.journal.recorder import PressRecorder
from atm.notify import factory
from atm.notify.base import Message
from atm.notify.telegram_poll import OFFSET_FILE, PressPoller
from atm.runner import Runner, Watched
from atm.schedule import Plan, Window, sleep_until
from atm.stages.base import RunStats
from atm.stages.presses import Emit, Health, PressStage
from atm.vision.ocr import INSTALL_HINT, default_reader
from atm.workspace import Workspace
from atm.write_faults import probe


def run_monitor(
    config: Config,
    workspace: Workspace,
    console: Console,
    *,
    window: Window,
    startup_delay: float = 5.0,
    replay: Path | None = None,
    scheduled: bool = False,
) -> int:
    """Run until the schedule, the frames or a signal ends it; 0 on a clean stop, 1 when a
    trigger reached no backend."""
    _check_writable(workspace)
    stop = threading.Event()
    _on_signals(stop)
    zone = config.schedule.timezone
    if replay is not None:
        replay_clock = ReplayClock()
        clock: Clock = replay_clock
        plan = _replay_plan(window, replay, console)
        if plan is None:
            return 0
        capture: Capture = _replay(replay, replay_clock, console, config, plan)
        watched = [Watched(capture, tuple(_charts(config, workspace)))]
    else:
        console.print(set_dpi_awareness())
        clock = WallClock()
        if _closed(window, clock.time(), console, (config, workspace) if scheduled else None):
            return 0
        plan = window.plan(clock.time())
        console.print(f"session {plan.describe(clock.time(), zone)}")
        if not sleep_until(clock, plan.start_ts, stop.is_set):
            return 0
        watched = _live(config, workspace, clock, console, startup_delay, stop)
    runner = _runner(config, workspace, console, watched, clock)
    stats = runner.run(should_stop=stop.is_set, stop_at=plan.stop_ts)
    _summary(stats, workspace, console, watched)
    return _verdict(runner, workspace)


def _runner(
    config: Config,
    workspace: Workspace,
    console: Console,
    watched: list[Watched],
    clock: Clock,
) -> Runner:
    """The loop with its stages; a replay (no live capture) is not paced, keeps no
    samples. With Telegram buttons, the press stage runs last."""
    ocr = default_reader()
    if ocr is None:
        console.print(
            f"{INSTALL_HINT}; levels will use the calibration points while the axis is as "
            "calibrated, and say 'levels unavailable' after it rescales",
            markup=False,
        )
    audit = AuditLog(workspace.logs, config.schedule.timezone)
    live = any(w.live is not None for w in watched)
    runner = Runner(
        config,
        watched,
        clock,
        factory.builder(
            config.notify, workspace.dead_letter, console=console, outbox=workspace.outbox
        ),
        workspace,
        audit,
        pace=live,
        save_samples=live,
        ocr=ocr,
        deadman=_deadman(config, audit, clock),
    )
    presses = press_stage(config, workspace, runner.sink.publisher.flush)
    if presses is not None:
        runner.stages.append(presses)
    return runner


def press_stage(
    config: Config, workspace: Workspace, flush: Callable[[float], bool]
) -> PressStage | None:
    """With `[notify.telegram] buttons = true`: the stage that polls for button presses."""
    telegram = config.notify.telegram
    if not (telegram.enabled and telegram.buttons):
        return None
    clock = WallClock()
    zone = config.schedule.timezone

    def make(on_event: Emit, on_health: Health) -> PressPoller:
        recorder = PressRecorder(
            workspace, config.journal, lambda: local(clock.time(), zone), on_event, clock.sleep
        )
        return PressPoller(
            telegram.token,
            telegram.chat_id,
            workspace.home / OFFSET_FILE,
            recorder,
            api_base=telegram.api_base,
            on_event=on_event,
            on_health=on_health,
        )

    return PressStage(make, flush)


def _check_writable(workspace: Workspace) -> None:
    """Refuse at once a workspace that cannot be written; later faults are one alert."""
    error = probe(workspace.logs)
    if error is not None:
        raise WorkspaceError(
            f"{workspace.logs}: cannot write to the workspace ({os_reason(error)}); "
            "choose a writable folder with --home or ATM_HOME"
        )


def _verdict(runner: Runner, workspace: Workspace) -> int:
    """1 when a trigger reached no backend but the console (or, without remote backends,
    not even the console); the dead letter has each one with the reason."""
    remote = {b for b in runner.sink.publisher.backends if b != "console"}
    lost = runner.sink.undelivered(remote)
    if lost:
        raise AtmError(
            f"{len(lost)} trigger(s) not delivered by any backend ({', '.join(lost[:5])}); "
            f"see {workspace.dead_letter}"
        )
    return 0


def _replay_plan(window: Window, folder: Path, console: Console) -> Plan | None:
    """The session the replay is, seen from its first frame; None when that day has none."""
    first = first_time(folder)
    if first is None:
        raise InputError(f"{folder}: no frames named YYYYMMDD_HHMMSS*.png/.jpg to replay")
    return None if _closed(window, first, console) else window.plan(first)


def _replay(
    folder: Path, clock: ReplayClock, console: Console, config: Config, plan: Plan
) -> ReplayCapture:
    """The session's frames; those of another size than capture.region are skipped."""

    def skipped(path: Path, why: str) -> None:
        console.print(f"skipped {why}", style="yellow", markup=False)

    region, zone = config.capture.region, config.schedule.timezone
    between = (plan.start_ts, plan.stop_ts)
    capture = ReplayCapture(
        folder, clock, on_skip=skipped, between=between, size=(region.w, region.h)
    )
    if not capture.paths:
        capture.close()
        stop = f" to {local(plan.stop_ts, zone):%Y-%m-%d %H:%M}" if plan.stop_ts else ""
        start = f"{local(plan.start_ts, zone):%Y-%m-%d %H:%M}"
        raise InputError(f"{folder}: no frames in the session from {start}{stop}")
    return capture


def _closed(
    window: Window,
    now: float,
    console: Console,
    tell: tuple[Config, Workspace] | None = None,
) -> bool:
    """True when today has no session: one line says why (and, with `tell`, the services
    and the dead-man's switch hear it too)."""
    day = window.closed_today(now)
    if day is None:
        return False
    nxt = window.plan(now)
    line = f"no session today ({day.closed}); next session {nxt.describe(now, window.zone)}"
    console.print(line.replace("starts ", "", 1), markup=False)
    if tell is not None:
        _tell(line, now, *tell)
    return True


def _tell(line: str, now: float, config: Config, workspace: Workspace) -> None:
    audit = AuditLog(workspace.logs, config.schedule.timezone)
    publisher = factory.builder(config.notify, workspace.dead_letter)(
        lambda event: audit.write(now, event)
    )
    publisher.publish(Message(kind="startup", text=f"📅 ATM: {line}", ts=now))
    switch = _deadman(config, audit, WallClock())
    if switch is not None:
        switch.ping(line)
        switch.close()
    publisher.close()
    audit.close()


def _deadman(config: Config, audit: AuditLog, clock: Clock) -> DeadMansSwitch | None:
    """The dead-man's switch when `[healthcheck] url` is set; its outcomes go to the audit."""
    if not config.healthcheck.enabled:
        return None
    url = config.healthcheck.url.get_secret_value()
    return DeadMansSwitch(
        url, lambda event: audit.write(clock.time(), event), timeout=config.healthcheck.timeout_s
    )


def _live(
    config: Config,
    workspace: Workspace,
    clock: Clock,
    console: Console,
    delay: float,
    stop: threading.Event,
) -> list[Watched]:
    """Bring each chart to the front, count down, open the captures: charts on one screen
    (the same region, no window to follow) share one."""
    charts = _charts(config, workspace)
    for chart, _ in charts:
        _front(chart, console)
    if delay > 0:
        console.print(f"starting in {delay:g} s: bring the chart to the front")
        sleep_until(clock, clock.time() + delay, stop.is_set)
    groups: dict[tuple[object, ...], list[tuple[Config, Canary | None]]] = {}
    for chart, canary in charts:
        groups.setdefault(_screen_of(chart), []).append((chart, canary))
    watched = []
    for members in groups.values():
        capture = open_capture(members[0][0], clock)
        watched.append(Watched(capture, tuple(members), capture))
    return watched


def _charts(config: Config, workspace: Workspace) -> list[tuple[Config, Canary | None]]:
    """Each chart with its canary; several charts pause apart, each with its own file."""
    several = len(each_chart(config)) > 1
    return [
        (chart, _canary(chart, workspace.pause_file_of(chart.name if several else "")))
        for chart in each_chart(config)
    ]


def _canary(chart: Config, pause_file: Path) -> Canary | None:
    zone = chart.schedule.timezone
    return Canary(chart.canary, pause_file, zone=zone) if chart.canary.enabled else None


def _screen_of(chart: Config) -> tuple[object, ...]:
    """What decides a chart's capture: charts alike here share one grab."""
    capture = chart.capture
    window = chart.window_title if capture.follow_window or capture.method != "screen" else ""
    return (capture.region, capture.method, capture.follow_window, window)


def _front(chart: Config, console: Console) -> None:
    found = find_window(chart.window_title) if chart.window_title else None
    if found is None:
        console.print(f"no window title contains {chart.window_title!r}; watching the screen")
    else:
        problem = activate(found)
        console.print(f"chart window: {found.title!r}" + (f" ({problem})" if problem else ""))


def _on_signals(stop: threading.Event) -> None:
    """SIGINT and SIGTERM end the loop cleanly: stop ping, drain, exit 0."""

    def handler(signum: int, _frame: object) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)


def _summary(
    stats: RunStats, workspace: Workspace, console: Console, watched: list[Watched]
) -> None:
    skipped = sum(getattr(w.capture, "skipped", 0) for w in watched)
    console.print(
        f"stopped after {stats.cycles} cycles: {len(stats.sent)} triggers sent, "
        f"{len(stats.fires) - len(stats.sent)} locked"
        + (f", {skipped} frames skipped" if skipped else "")
        + f". Audit in {workspace.logs}"
    )
