"""The texts users see (SPEC §6). Only trigger alerts contain the word "signal"."""

from __future__ import annotations

from atm.clock import hms, local
from atm.fsm import State
from atm.types import Direction

_ICON = {"BUY": "🟢", "SELL": "🔴"}


def trigger(direction: Direction, symbol: str, ts: float, zone: str = "") -> str:
    return f"{_ICON[direction]} {direction} signal {symbol} | {hms(ts, zone)}"


def armed(state: State, symbol: str, ts: float, zone: str = "") -> str:
    verb = "Armed" if state.startswith("ARMED") else "Primed"
    return f"⏳ {verb} {state.split('_')[1]} {symbol} | {hms(ts, zone)}"


def late_start(state: State, since: float | None, symbol: str, zone: str = "") -> str:
    when = f" since {hms(since, zone)}" if since is not None else ""
    return f"⏳ Started late: {symbol} is {state}{when} (from the visible strip)"


def catchup(state: State, since: float | None, symbol: str, zone: str = "") -> str:
    when = f" (armed {hms(since, zone)})" if since is not None else ""
    return f"↩️ Caught up after blindness: {symbol} is {state}{when}"


def heartbeat(
    ts: float,
    triggers: int,
    confidence: float | None,
    charts: str,
    counters: str,
    zone: str = "",
) -> str:
    """`charts` is `chart OK` / `chart NOT OK`, or each chart's state when there are several."""
    conf = f"{confidence:.2f}" if confidence is not None else "n/a"
    text = (
        f"🟢 {local(ts, zone):%H:%M} alive | {triggers} triggers | confidence avg {conf} | {charts}"
    )
    return f"{text} | {counters}" if counters else text


def paused_heartbeat(ts: float, why: str, resume: str, counters: str, zone: str = "") -> str:
    """The heartbeat while detection is paused: nothing is watched until the trader acts."""
    text = (
        f"⏸️ {local(ts, zone):%H:%M} PAUSED: ATM is NOT watching the chart, no BUY/SELL "
        f"alerts will come | {why} | to resume: {resume}"
    )
    return f"{text} | {counters}" if counters else text


def startup(config_name: str, canary: str, symbol: str) -> str:
    return f"▶️ ATM started: {symbol} | config {config_name} | canary {canary}"


def stop(triggers: int, cycles: int, counters: str) -> str:
    text = f"⏹️ ATM stopped | {triggers} triggers | {cycles} cycles"
    return f"{text} | {counters}" if counters else text


def workspace_unwritable(reason: str, where: str) -> str:
    return (
        f"⚠️ Cannot write to the workspace: {reason} ({where}). Alerts still go out; "
        "screenshots, samples and log lines are not being saved"
    )


def workspace_writable(where: str) -> str:
    return f"✅ Workspace writable again ({where}): screenshots and logs are saved again"
