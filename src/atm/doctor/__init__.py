"""`atm doctor`: is this machine ready to run ATM unattended? One row per check, each ✓/⚠/✗
with the fix in one line.

Families of checks, one module each: `setup` (config, secrets, calibration age, disk,
today's session, the scheduled task), `screen` (window, DPI, capture, the dot strip, the
price axis), `services` (Discord, Telegram, the dead-man's switch, clock skew).

The screen family and each service run on their own thread, so the slowest answer bounds
the whole: every request has a short timeout (`TIMEOUT_S`), and whatever has not finished
by `DEADLINE_S` is reported as ✗ "did not finish" rather than waited for. One cause, one ✗:
a check that depends on a failed one says "not checked" (–) instead of failing too, as
the health episodes do (a missing window explains a black capture).

Nothing is posted to any chat, and no secret is printed: webhook and token are masked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from atm.clock import Clock
from atm.config import Config
from atm.workspace import Workspace

Status = Literal["ok", "warn", "fail", "skip"]
SYMBOL: Final[dict[Status, str]] = {"ok": "✓", "warn": "⚠", "fail": "✗", "skip": "–"}
TIMEOUT_S: Final = 3.0  # one request; three in a row (Telegram) still end well inside 15 s
DEADLINE_S: Final = 12.0  # the whole doctor, even if a library call hangs


@dataclass(frozen=True, slots=True)
class Check:
    """One row: what was checked, how it went, what was seen, and how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def warn(name: str, detail: str, fix: str) -> Check:
    return Check(name, "warn", detail, fix)


def fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, "fail", detail, fix)


def skip(name: str, why: str) -> Check:
    return Check(name, "skip", f"not checked: {why}")


@dataclass(slots=True)
class Context:
    """What every check may read; `dates` collects (sent, received, Date header) of replies
    for the clock-skew check, from several threads."""

    workspace: Workspace
    config: Config | None
    config_error: str
    clock: Clock
    timeout: float = TIMEOUT_S
    dates: list[tuple[float, float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True, slots=True)
class Family:
    """Checks that run together on one thread; `rows` names them for the deadline case."""

    rows: tuple[str, ...]
    run: Callable[[Context], list[Check]]


def run_families(ctx: Context, families: list[Family], deadline: float = DEADLINE_S) -> list[Check]:
    """Run each family on its own daemon thread; rows of one that misses the deadline fail."""
    results: dict[int, list[Check]] = {}
    threads = []
    for n, family in enumerate(families):
        thread = threading.Thread(
            target=_collect, args=(family, ctx, results, n), name=f"atm-doctor-{n}", daemon=True
        )
        thread.start()
        threads.append(thread)
    end = ctx.clock.time() + deadline
    for thread in threads:
        thread.join(max(0.0, end - ctx.clock.time()))
    rows: list[Check] = []
    for n, family in enumerate(families):
        rows += results.get(n) or [
            fail(row, f"did not finish within {deadline:g} s", "run `atm doctor` again; if it "
                 "repeats, the check hangs: see docs/windows.md") for row in family.rows
        ]  # fmt: skip
    return rows


def _collect(family: Family, ctx: Context, results: dict[int, list[Check]], n: int) -> None:
    try:
        results[n] = family.run(ctx)
    except Exception as exc:  # a check must never take the doctor down
        results[n] = [fail(family.rows[0], f"the check crashed ({type(exc).__name__})", "")]
