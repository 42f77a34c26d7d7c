"""Paths and settings shared by the command line, the app and the tests (no streamlit import)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: dashboard/core/config.py
SQL_DIR = ROOT / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
QUERIES_DIR = SQL_DIR / "queries"
REFERENCE_DIR = ROOT / "data" / "reference"
DEFAULT_DB = ROOT / "data" / "clinic.duckdb"

PRODUCTS = ("ona", "inco", "prabot", "leti", "abo", "daxi")
AREAS = (
    "glabella", "forehead", "lateral_canthal", "bunny_lines", "gummy_smile", "perioral",
    "dao", "mentalis", "masseter", "platysma", "axillary_hyperhidrosis",
)
# dates a clinic may have written instead of YYYY-MM-DD: `import --date-format` reads them
DATE_FORMATS = ("DD/MM/YYYY", "MM/DD/YYYY")
SIDES = ("L", "R", "B", "C")
DEPTHS = ("intradermal", "subcutaneous", "intramuscular", "supraperiosteal")
SEXES = ("F", "M", "X", "U")
SERIOUSNESS = (
    "death", "life_threatening", "hospitalisation", "disability", "congenital_anomaly",
    "medically_important",
)
OUTCOMES = ("recovered", "recovering", "not_recovered", "recovered_with_sequelae", "fatal", "unknown")
CAUSALITY = ("certain", "probable", "possible", "unlikely", "conditional", "unassessable")
RISK_FACTORS = (
    "alcohol_48h", "anticoagulant", "interacting_medication", "prior_toxin_90d", "allergy_history",
    "allergy_test_done", "neuromuscular_disorder", "pregnant_or_breastfeeding",
    "skin_infection_at_site", "aftercare_lay_down_4h", "aftercare_heat_or_exercise",
)


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the database path: the explicit one, else $INJECTWATCH_DB, else data/clinic.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("INJECTWATCH_DB")
    return Path(env) if env else DEFAULT_DB


DEFAULT_MEMORY_LIMIT = "1GB"


def memory_limit() -> str:
    """Return DuckDB's memory limit: $INJECTWATCH_MEMORY_LIMIT (e.g. '2GB', '800MB'), else 1GB; work beyond it spills."""
    return os.environ.get("INJECTWATCH_MEMORY_LIMIT", "").strip() or DEFAULT_MEMORY_LIMIT


def secret_path(database: Path) -> Path:
    """Return where the per-installation secret lives: beside the database, never inside it."""
    env = os.environ.get("INJECTWATCH_SECRET_FILE")
    return Path(env) if env else database.with_name(database.stem + ".secret")
