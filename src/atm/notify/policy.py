"""The fanout's rules as data: retry timing, which alert a full queue drops, outcome names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from atm.config import AlertKind

#: An alert's outcome in one lane: `sent`, or why it went to the dead letter instead.
Delivery = Literal[
    "sent",
    "permanent",  # the service refused it for good (bad token, unknown webhook)
    "attempts",  # every attempt failed
    "stale",  # not delivered within max_age
    "shutdown",  # still undelivered when the drain's time ran out
    "closed",  # published after close()
    "dropped",  # pushed out of a full queue
    "interrupted",  # in flight when the process died: it may have arrived, so never resent
    "stale_after_restart",  # unfinished when the process died, too old once it restarted
    "unconfigured",  # unfinished when the process died, for a backend no longer configured
]

#: A full queue drops from the first group first, the oldest alert of a group first, so
#: triggers and their levels are the last to go: a missed heartbeat costs nothing, a
#: missed arm/prime only the warning, a missed health alert a problem seen late, a missed
#: trigger the trade. Within a group the newest is kept: it is what the trader needs now.
DROP_ORDER: tuple[tuple[AlertKind, ...], ...] = (
    ("heartbeat", "startup", "stop"),
    ("arm", "prime", "late_start", "catchup"),
    ("health",),
    ("levels", "trigger"),
)
_RANK = {kind: rank for rank, kinds in enumerate(DROP_ORDER) for kind in kinds}


def drop_rank(kind: AlertKind) -> int:
    """0 for the kinds dropped first; a kind missing from `DROP_ORDER` is kept longest."""
    return _RANK.get(kind, len(DROP_ORDER))


@dataclass(frozen=True, slots=True)
class Counters:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0

    def __str__(self) -> str:
        return f"{self.sent}/{self.retried}/{self.failed}/{self.dropped}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.5
    max_age: float = 180.0

    def delay(self, attempt: int, hint: float | None, rand: float) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based); `rand` is in [0, 1)."""
        if hint is not None:
            return hint * (1 + 0.1 * rand)
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return backoff * (1 - self.jitter * rand)

    def after_restart(
        self, state: str, age: float, configured: bool
    ) -> tuple[Delivery, str] | None:
        """What becomes of an alert a killed run left unfinished in one lane: None to
        deliver it now, else its outcome. `state` is its last outbox state, `age` seconds."""
        if not configured:
            return "unconfigured", "its backend is no longer configured"
        if state == "send":
            return "interrupted", (
                "in flight when ATM stopped; it may have been delivered, so it is not resent"
            )
        if age > self.max_age:
            return "stale_after_restart", (
                f"queued {age:.0f} s before this start; older than {self.max_age:g} s, "
                "so not sent late"
            )
        return None
