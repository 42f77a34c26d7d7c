"""The columns of interchange spec section 1, as the allow-list every staging statement is built from."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.core.config import CAUSALITY, DEPTHS, OUTCOMES, RISK_FACTORS, SERIOUSNESS, SEXES, SIDES

FILES = ("treatments", "injections", "events")
REQUIRED_FILES = ("treatments", "injections")


@dataclass(frozen=True)
class Column:
    """One column of a data-set file: its name, value type, whether it is required and its limits."""

    name: str
    kind: str  # text, int, decimal, bool, datetime, code
    required: bool = False
    max_len: int = 200
    codes: str | None = None  # code list name for kind == "code"


def _text(name: str, required: bool = False, max_len: int = 200) -> Column:
    return Column(name, "text", required, max_len)


TREATMENT_COLUMNS: tuple[Column, ...] = (
    _text("treatment_id", True),
    _text("clinic", True),
    Column("treated_at", "datetime", True),
    _text("patient_ref", True),
    Column("patient_birth_year", "int"),
    Column("patient_sex", "code", codes="sex"),
    _text("injector", True),
    Column("product", "code", True, codes="product"),
    _text("lot"),
    Column("vial_units", "int"),
    Column("diluent_ml", "decimal"),
    Column("reconstituted_at", "datetime"),
    *(Column(f, "bool") for f in RISK_FACTORS),
)

INJECTION_COLUMNS: tuple[Column, ...] = (
    _text("treatment_id", True),
    Column("area", "code", True, codes="area"),
    Column("side", "code", codes="side"),
    _text("point"),
    Column("units", "decimal", True),
    Column("points", "int"),
    Column("volume_ml", "decimal"),
    Column("depth", "code", codes="depth"),
)

EVENT_COLUMNS: tuple[Column, ...] = (
    _text("event_id", True),
    _text("treatment_id", True),
    Column("term", "code", True, codes="term"),
    Column("onset_at", "datetime", True),
    Column("severity", "int", True),
    Column("serious", "bool"),
    Column("seriousness", "code", codes="seriousness"),
    Column("outcome", "code", codes="outcome"),
    Column("resolved_at", "datetime"),
    Column("side", "code", codes="side"),
    Column("area", "code", codes="area"),
    Column("causality", "code", codes="causality"),
    _text("action_taken", max_len=500),
    _text("reported_by"),
    Column("reported_at", "datetime"),
    _text("narrative", max_len=4000),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "treatments": TREATMENT_COLUMNS,
    "injections": INJECTION_COLUMNS,
    "events": EVENT_COLUMNS,
}

# Code lists that do not live in reference tables (products, areas and terms come from ref_*).
FIXED_CODES: dict[str, tuple[str, ...]] = {
    "sex": SEXES,
    "side": SIDES,
    "depth": DEPTHS,
    "seriousness": SERIOUSNESS,
    "outcome": OUTCOMES,
    "causality": CAUSALITY,
}


def column_names(file: str) -> tuple[str, ...]:
    """Return the spec column names of one file, in spec order."""
    return tuple(c.name for c in COLUMNS[file])
