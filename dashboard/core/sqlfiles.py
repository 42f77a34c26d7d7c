"""Load named SQL files from sql/queries/<feature>/ (read once, cached).

A query is named by its file name without `.sql` (e.g. `trends_kpis`), unique across the feature folders, so a
caller never needs to know the folder. The index of names is built once, from the files on disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from dashboard.core.config import QUERIES_DIR

_NAME = re.compile(r"^[a-z0-9_]+$")


@cache
def query_files() -> dict[str, Path]:
    """Return every named query: name -> file under sql/queries/; refuses two files with one name."""
    found: dict[str, Path] = {}
    for path in sorted(QUERIES_DIR.rglob("*.sql")):
        if path.stem in found:
            raise RuntimeError(f"two query files share the name {path.stem!r}: {found[path.stem]}, {path}")
        found[path.stem] = path
    return found


@cache
def load_sql(name: str) -> str:
    """Return the text of the named query; raises ValueError for a malformed name, FileNotFoundError for an unknown
    one."""
    if not _NAME.match(name):
        raise ValueError(f"a query name is lower-case letters, digits and underscores: {name!r}")
    path = query_files().get(name)
    if path is None:
        raise FileNotFoundError(f"no query named {name!r} under {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def checked_identifier(name: str, allowed: Iterable[str]) -> str:
    """Return `name` for use as (part of) an SQL identifier when it is one of `allowed` and a plain lower-case
    name; raise ValueError otherwise. An explicit check, kept under `python -O` (unlike assert)."""
    if name not in set(allowed) or not _IDENTIFIER.match(name):
        raise ValueError(f"not an allowed SQL identifier: {name!r}")
    return name
