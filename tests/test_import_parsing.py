"""The value parsers: Python is the truth, and the SQL macros of the bulk path must agree with it exactly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.importer import parsing
from tools import parse_ref as p

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CODES = ["F", "M", "X", "U", "glabella", "lateral_canthal"]


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    parsing.install_macros(connection)
    yield connection
    connection.close()


def py(fn: Callable[..., object], *args: object) -> object:
    """The parsed value, or None when the parser refuses the text."""
    try:
        return fn(*args)
    except p.ParseError:
        return None


def sql(con: duckdb.DuckDBPyConnection, expr: str, s: str | None, **kw: object) -> object:
    return con.execute(f"SELECT {expr}", {"s": s, **kw}).fetchone()[0]


# strings built from the characters that matter to each parser, plus arbitrary text
def noisy(alphabet: str) -> st.SearchStrategy[str]:
    return st.one_of(st.text(alphabet=alphabet, max_size=24), st.text(max_size=12))


BOOL_WORDS = st.sampled_from(["true", "TRUE", "Yes", "y", "N", "no", "0", "1", "false", " yes ", "\tNo\r\n", "t", "",
                              "oui", "2", "yes please"])
DATETIMES = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 30))
ZONES = st.sampled_from(["", "Z", "+00:00", "+01:00", "-05:30", "+14:00", "-23:59", "+05:45"])


@SETTINGS
@given(st.one_of(BOOL_WORDS, noisy("tTrRuUeEyYnNoOfFaAlLsS01 \t")))
def test_bool_python_and_sql_agree(con: duckdb.DuckDBPyConnection, s: str) -> None:
    assert py(p.parse_bool, s) == sql(con, "iw_bool(iw_text($s))", s)


@SETTINGS
@given(st.one_of(st.integers(-10**19, 10**19).map(str), noisy("0123456789+-. eE,")))
def test_int_python_and_sql_agree(con: duckdb.DuckDBPyConnection, s: str) -> None:
    assert py(p.parse_int, s) == sql(con, "iw_int(iw_text($s))", s)


@SETTINGS
@given(st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
                 st.floats(allow_nan=False, allow_infinity=False).map(str), noisy("0123456789+-. eE,")))
def test_decimal_python_and_sql_agree(con: duckdb.DuckDBPyConnection, s: str) -> None:
    assert py(p.parse_decimal, s) == sql(con, "iw_decimal(iw_text($s))", s)


@SETTINGS
@given(st.one_of(st.dates(min_value=date(1, 1, 1)).map(lambda d: d.strftime("%Y-%m-%d").zfill(10)),
                 noisy("0123456789-/ T")))
def test_date_python_and_sql_agree(con: duckdb.DuckDBPyConnection, s: str) -> None:
    assert py(p.parse_date, s) == sql(con, "iw_date(iw_text($s))", s)


@SETTINGS
@given(DATETIMES, ZONES, st.sampled_from(["T", " "]), st.booleans(), st.sampled_from(["UTC", "Europe/Berlin",
                                                                                        "America/New_York"]))
def test_datetime_python_and_sql_agree(con: duckdb.DuckDBPyConnection, moment: datetime, zone: str, sep: str,
                                       seconds: bool, tz: str) -> None:
    s = moment.strftime(f"%Y-%m-%d{sep}%H:%M" + (":%S" if seconds else "")) + zone
    expected = py(p.parse_datetime, s, tz)
    assert expected is not None
    assert expected == sql(con, "iw_datetime(iw_text($s), $tz)", s, tz=tz)


@SETTINGS
@given(noisy("0123456789-T :Z+"), st.sampled_from(["UTC", "Europe/Berlin"]))
def test_malformed_datetimes_agree(con: duckdb.DuckDBPyConnection, s: str, tz: str) -> None:
    assert py(p.parse_datetime, s, tz) == sql(con, "iw_datetime(iw_text($s), $tz)", s, tz=tz)


@SETTINGS
@given(st.one_of(st.sampled_from(CODES + [c.upper() for c in CODES] + [" f ", "Glabella", "glabela", ""]),
                 st.text(max_size=8)))
def test_code_python_and_sql_agree(con: duckdb.DuckDBPyConnection, s: str) -> None:
    lowered = [c.lower() for c in CODES]
    assert py(p.parse_code, s, CODES) == sql(con, "iw_code(iw_text($s), $l, $c)", s, l=lowered, c=CODES)


@SETTINGS
@given(st.text(max_size=30))
def test_text_python_and_sql_agree(con: duckdb.DuckDBPyConnection, s: str) -> None:
    assert p.clean(s) == sql(con, "iw_text($s)", s)


def test_examples_and_reasons() -> None:
    assert p.parse_bool(" YES ") is True and p.parse_bool("0") is False and p.parse_bool("") is None
    with pytest.raises(p.ParseError, match="not a yes/no value") as err:
        p.parse_bool("maybe")
    assert err.value.code == "bad_type"
    assert p.parse_int("+42") == 42
    with pytest.raises(p.ParseError, match="not a whole number"):
        p.parse_int("4.0")
    assert p.parse_decimal("2.5") == 2.5 and p.parse_decimal(".5") == 0.5
    for bad in ("1,5", "1e3", "NaN", "inf", "½"):
        with pytest.raises(p.ParseError):
            p.parse_decimal(bad)
    with pytest.raises(p.ParseError, match="not a date"):
        p.parse_date("2026-02-30")
    with pytest.raises(p.ParseError) as err:
        p.parse_code("botox", ["ona", "inco"])
    assert err.value.code == "unknown_code"
    with pytest.raises(p.ParseError) as err:
        p.parse_text("x" * 201)
    assert err.value.code == "too_long"


def test_time_zones() -> None:
    # no zone: clinic-local wall time, stored as written
    assert p.parse_datetime("2026-03-29T02:30", "Europe/Berlin") == datetime(2026, 3, 29, 2, 30)
    # zoned: the instant, shown as installation wall time (summer time in Berlin is UTC+2)
    assert p.parse_datetime("2026-07-01T10:00Z", "Europe/Berlin") == datetime(2026, 7, 1, 12, 0)
    assert p.parse_datetime("2026-07-01T10:00:30-04:00", "UTC") == datetime(2026, 7, 1, 14, 0, 30)
    assert p.parse_datetime("2026-01-05", "Europe/Berlin") == datetime(2026, 1, 5)
    assert p.parse_datetime("2026-01-05 14:05", "UTC") == datetime(2026, 1, 5, 14, 5)
    for bad in ("2026-01-05T24:00", "05/01/2026", "2026-01-05T10", "2026-01-05Z", "2026-01-05T10:00+2"):
        with pytest.raises(p.ParseError):
            p.parse_datetime(bad, "UTC")
    with pytest.raises(ValueError, match="unknown time zone"):
        parsing.check_timezone("Mars/Olympus")
