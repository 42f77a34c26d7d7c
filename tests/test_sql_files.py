"""Every SQL file under sql/queries/ is used by the code, and every query the code names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.core.sqlfiles import load_sql, query_files

ROOT = Path(__file__).resolve().parent.parent
CODE = "\n".join(p.read_text(encoding="utf-8") for d in ("dashboard", "tools") for p in sorted((ROOT / d).rglob("*.py")))
# a name given to a loader as a plain literal: load_sql("x"), db.query("x"), db.execute_named(cur, "x"), _exec(cur, "x")
CALLED = re.compile(r"\b(?:load_sql|query|query_rows|query_scalar|execute_named|_exec)\(\s*(?:[\w.]+,\s*)?"
                    r"[\"']([a-z0-9_]+)[\"']")
# a family of names built at run time: f"trends_options_{name}" -> trends_options_<anything>
FAMILY = re.compile(r"\b(?:load_sql|query|query_rows|query_scalar|execute_named|_exec)\(\s*(?:[\w.]+,\s*)?"
                    r"f[\"']([a-z0-9_]*)\{[^}]+\}([a-z0-9_]*)[\"']")
LITERALS = set(re.findall(r"[\"']([a-z0-9_]+)[\"']", CODE))


def test_the_query_folder_has_only_feature_folders_of_uniquely_named_files():
    assert query_files()  # builds the index: two files with one name would raise here
    assert not list((ROOT / "sql" / "queries").glob("*.sql")), "put a query in its feature's folder"


def test_every_named_query_exists():
    called = set(CALLED.findall(CODE))
    assert len(called) > 100
    assert sorted(called - set(query_files())) == []


def test_every_family_of_built_names_has_files():
    families = FAMILY.findall(CODE)
    assert families
    for prefix, suffix in families:
        pattern = re.compile(rf"^{re.escape(prefix)}[a-z0-9_]+{re.escape(suffix)}$")
        assert any(pattern.match(n) for n in query_files()), f"no file for {prefix}{{...}}{suffix}"


def test_every_sql_file_is_used():
    patterns = [re.compile(rf"^{re.escape(p)}[a-z0-9_]+{re.escape(s)}$") for p, s in FAMILY.findall(CODE)]
    unused = [n for n in query_files() if n not in LITERALS and not any(p.match(n) for p in patterns)]
    assert unused == []


@pytest.mark.parametrize("name", ["../migrations/001_core", "Trends_kpis", "trends kpis", ""])
def test_a_malformed_query_name_is_refused(name):
    with pytest.raises(ValueError):
        load_sql(name)


def test_an_unknown_query_name_is_refused():
    with pytest.raises(FileNotFoundError):
        load_sql("no_such_query")


def test_an_identifier_outside_its_allow_list_is_refused_even_under_python_o():
    from dashboard.core.sqlfiles import checked_identifier

    assert checked_identifier("events", ("treatments", "events")) == "events"
    for bad in ("patients", "events; DROP TABLE x", "Events"):
        with pytest.raises(ValueError):
            checked_identifier(bad, ("treatments", "events", "Events", "events; DROP TABLE x"))
