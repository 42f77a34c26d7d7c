"""Load named SQL files from sql/queries/ (read once, cached)."""

from __future__ import annotations

from functools import cache

from dashboard.core.config import QUERIES_DIR


@cache
def load_sql(name: str) -> str:
    """Return the text of sql/queries/<name>.sql; raises FileNotFoundError for an unknown name."""
    path = (QUERIES_DIR / f"{name}.sql").resolve()
    if QUERIES_DIR.resolve() not in path.parents:
        raise ValueError(f"query name escapes sql/queries: {name!r}")
    return path.read_text(encoding="utf-8")
