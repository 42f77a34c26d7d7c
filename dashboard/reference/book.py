"""The read-only Reference page's data, without streamlit: products, doses per area and event terms from ref_*.

Open to every signed-in role; the tables are loaded from data/reference/*.yaml (see dashboard/core/reference_data.py).
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard.core.authz import User, require_signed_in
from dashboard.core.db import Database

GRADE_NAMES = {1: "mild", 2: "moderate", 3: "severe or medically significant", 4: "life-threatening", 5: "death"}


def fingerprint(db: Database, user: User | None) -> str | None:
    """Return the SHA-256 of the reference files the tables were loaded from (None before the first load)."""
    require_signed_in(user)
    value = db.query_scalar("reference_book_fingerprint")
    return None if value is None else str(value)


def products(db: Database, user: User | None) -> pd.DataFrame:
    """Return the products: brand, INN, units equal to one BOTOX unit, concentration, dilution, use-within, vial sizes
    (use_within, concentration and dilution also as text, '' when the label gives none)."""
    require_signed_in(user)
    frame = db.query("reference_book_products")
    return frame.assign(use_within=["not stated" if pd.isna(h) else f"{int(h)} h" for h in frame["use_within_h"]],
                        concentration=[span(c, c) for c in frame["conc_u_per_0_1ml"]],
                        dilution=[span(m, m) for m in frame["label_ml_per_100u"]],
                        vial_sizes=[_vials(v) for v in frame["vial_sizes"]])


def _vials(sizes: object) -> str:
    """'100,50' -> '50, 100' (smallest first)."""
    parts = [p.strip() for p in str(sizes or "").split(",") if p.strip()]
    return ", ".join(sorted(parts, key=lambda p: float(p) if p.replace(".", "", 1).isdigit() else 0.0))


def doses(db: Database, user: User | None, product: str) -> pd.DataFrame:
    """Return the label and usual total doses per area for one product, with ranges as text ('10–40')."""
    require_signed_in(user)
    frame = db.query("reference_book_doses", {"product": product})
    return frame.assign(
        usual=[span(lo, hi) for lo, hi in zip(frame["usual_lo"], frame["usual_hi"], strict=True)],
        per_point=[span(lo, hi) for lo, hi in zip(frame["per_point_lo"], frame["per_point_hi"], strict=True)],
        points=[span(lo, hi) for lo, hi in zip(frame["points_lo"], frame["points_hi"], strict=True)],
        label=[span(v, v) for v in frame["label_total"]],
        basis=[re.sub(r"\s*\[[^\]]*\]", "", str(b)).strip() for b in frame["basis"]],  # drop the evidence tags
    )


def terms(db: Database, user: User | None) -> pd.DataFrame:
    """Return the event terms with plain names, body region and grade anchors (process terms last)."""
    require_signed_in(user)
    return db.query("reference_book_terms")


def grade_lines(term: pd.Series) -> list[str]:
    """Return one term's severity anchors as 'Grade n (name): anchor' lines (only the grades it describes)."""
    lines = []
    for grade, name in GRADE_NAMES.items():
        anchor = term.get(f"grade{grade}")
        if isinstance(anchor, str) and anchor.strip():
            lines.append(f"Grade {grade} ({name}): {anchor.strip()}")
    return lines


def span(lo: object, hi: object) -> str:
    """Return a range as text: '10–40', '20' when both ends agree, '' when unknown."""
    def num(v: object) -> str:
        return f"{float(v):g}"  # type: ignore[arg-type]

    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return ""
    return num(lo) if float(lo) == float(hi) else f"{num(lo)}–{num(hi)}"  # type: ignore[arg-type]
