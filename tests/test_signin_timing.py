"""Sign-in time does not tell who exists: unknown name, wrong password and a try during a wait take as long.

Uses the production argon2 parameters (no `fast_hashes`): the claim is about the real cost. The three cases are
interleaved in a random order, so a busy machine slows them all alike; the comparison is of medians and ranks
(Mann-Whitney), which a few slow outliers do not move.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime
from itertools import combinations

import pytest
from scipy.stats import mannwhitneyu

from dashboard.accounts import REFUSED, add_account, sign_in, unlock
from dashboard.accounts import authentication as auth
from dashboard.core.authz import SYSTEM, User

PW = "correct horse battery"
ADMIN = User("root", "admin", "Alex Admin")
TRIES = 30
MEDIAN_TOLERANCE = 0.25  # medians within 25% of each other
STRICT_ALPHA = 0.001  # a difference must be this unlikely by chance before the test calls it one


def _timed(db, username: str, password: str, address: str) -> float:
    start = time.perf_counter()
    result = sign_in(db, username, password, address)
    elapsed = time.perf_counter() - start
    assert result is REFUSED
    return elapsed


def _drive_to_the_longest_wait(db, monkeypatch: pytest.MonkeyPatch, username: str) -> None:
    """Eleven counted failures, each once the previous wait is over: then the name waits 15 minutes or more."""
    clock = [datetime.now().replace(microsecond=0)]
    real_now = auth._now
    monkeypatch.setattr(auth, "_now", lambda: clock[0])
    for _ in range(11):
        sign_in(db, username, "a wrong guess")
        clock[0] = db.scalar("SELECT coalesce(wait_until, last_failure_at) FROM signin_throttle "
                             "WHERE scope = 'name' AND key = $k", {"k": username})
    monkeypatch.setattr(auth, "_now", real_now)


@pytest.mark.slow
def test_unknown_wrong_and_waiting_take_the_same_time(db, monkeypatch):
    add_account(db, SYSTEM, username="ada", password=PW, role="practitioner", display_name="Dr Ada Park")
    add_account(db, SYSTEM, username="ben", password=PW, role="practitioner", display_name="Ben Ng")
    _drive_to_the_longest_wait(db, monkeypatch, "ada")  # every try of ada's below is refused
    tries = {
        "unknown": lambda i: ("ghost" + str(i), PW),  # a new unknown name each time
        "wrong": lambda i: ("ben", "a wrong guess"),  # ben's count is cleared after each try: never waiting
        "waiting": lambda i: ("ada", PW),  # the right password, during the wait
    }
    times: dict[str, list[float]] = {case: [] for case in tries}
    rng = random.Random(13)
    for i in range(TRIES):
        order = list(tries)
        rng.shuffle(order)
        for case in order:
            username, password = tries[case](i)
            times[case].append(_timed(db, username, password, f"198.51.100.{i}"))
            if case == "wrong":
                unlock(db, ADMIN, "ben")  # outside the timed call
    medians = {case: statistics.median(t) for case, t in times.items()}
    summary = ", ".join(f"{case} {1000 * m:.1f} ms" for case, m in medians.items())
    assert max(medians.values()) <= (1 + MEDIAN_TOLERANCE) * min(medians.values()), summary
    for a, b in combinations(times, 2):
        p = mannwhitneyu(times[a], times[b], alternative="two-sided").pvalue
        assert p >= STRICT_ALPHA, f"{a} and {b} differ in time (p = {p:.2g}; medians {summary})"
