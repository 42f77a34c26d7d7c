"""Throttling of failed sign-ins (NIST SP 800-63B 5.2.2): a wait that doubles with each failure, never a lock-out.

Pure rules, no database: a `ThrottleState` is one row of `signin_throttle` (per typed username, or per client
address), and `after_failure` says what that row becomes after one more failed try.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

NAME, ADDRESS = "name", "address"
MAX_KEY = 200


@dataclass(frozen=True)
class ThrottleRule:
    """How many failures pass without a wait, the first wait, its cap, and when an old count is forgotten."""

    free_failures: int
    first_wait: timedelta
    max_wait: timedelta
    forget_after: timedelta

    def wait_for(self, failures: int) -> timedelta:
        """Return the wait after `failures` counted failures in a row: none, then doubling up to the cap."""
        extra = failures - self.free_failures
        if extra <= 0:
            return timedelta(0)
        return min(self.first_wait * 2 ** min(extra - 1, 30), self.max_wait)


# per username: 5 free tries, then 30 s, 1, 2, 4, 8 and at most 15 minutes; a success starts the count over
NAME_RULE = ThrottleRule(5, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=24))
# per client address (many colleagues may share one): 20 free tries; the count starts over after a quiet hour
ADDRESS_RULE = ThrottleRule(20, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1))
RULES = {NAME: NAME_RULE, ADDRESS: ADDRESS_RULE}
LONGEST_WAIT = max(NAME_RULE.max_wait, ADDRESS_RULE.max_wait)


@dataclass(frozen=True)
class ThrottleState:
    """One throttle row: failures counted toward the wait, no sign-in before `wait_until`, the owner's unseen count."""

    scope: str
    key: str
    failures: int = 0
    wait_until: datetime | None = None
    last_failure_at: datetime | None = None
    unseen_failures: int = 0

    def waiting_at(self, now: datetime) -> bool:
        """Return True while a wait is running at `now`."""
        return self.wait_until is not None and self.wait_until > now

    def params(self) -> dict[str, Any]:
        """Return the bound parameters of the upsert query for this row."""
        return {"scope": self.scope, "key": self.key, "failures": self.failures, "wait_until": self.wait_until,
                "last_failure_at": self.last_failure_at, "unseen_failures": self.unseen_failures}


def throttle_key(text: str) -> str:
    """Return the stored key for a typed name or an address (never empty, at most 200 characters)."""
    return (text or "(empty)")[:MAX_KEY]


def after_failure(state: ThrottleState, now: datetime, *, counted: bool) -> ThrottleState:
    """Return the row after one more failed try at `now`.

    A counted failure (the password was checked and was wrong) adds one to the count and sets the next wait; a try
    refused during a wait is not counted, so it never makes the wait longer. Both count as unseen for the owner. A
    count older than the rule's `forget_after` starts over.
    """
    rule = RULES[state.scope]
    stale = state.last_failure_at is None or now - state.last_failure_at > rule.forget_after
    failures = 0 if stale else state.failures
    wait_until = None if stale else state.wait_until
    if counted:
        failures += 1
        wait = rule.wait_for(failures)
        wait_until = now + wait if wait else None
    return ThrottleState(state.scope, state.key, failures, wait_until, now, state.unseen_failures + 1)
