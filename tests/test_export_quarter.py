"""Quarter arithmetic as properties: every wall time belongs to exactly one half-open clinic-local quarter."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dashboard.export import Quarter, parse_quarter, quarter_of

moments = st.datetimes(min_value=datetime(1900, 4, 1), max_value=datetime(2200, 6, 30, 23, 59, 59))


@given(moments)
def test_every_moment_is_in_exactly_one_quarter(moment):
    q = quarter_of(moment)
    assert q.start <= moment < q.end
    assert not (q.next().start <= moment < q.next().end)
    assert not (q.previous().start <= moment < q.previous().end)


@given(st.integers(1901, 2199), st.integers(1, 4))
def test_quarters_tile_the_calendar(year, number):
    q = Quarter(year, number)
    assert q.end == q.next().start
    assert q.last_day + timedelta(days=1) == q.next_first_day
    assert parse_quarter(q.label) == q
    assert quarter_of(q.end - timedelta(seconds=1)) == q and quarter_of(q.end) == q.next()
